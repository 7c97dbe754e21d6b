package herald

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/heraldbot/herald/tg"
)

const testToken = "123456:test-secret"

func newTestBot(t testing.TB, opts ...Option) *Bot {
	t.Helper()
	b, err := New(testToken, append([]Option{WithErrorReply("")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	b.username = "herald_test_bot"
	return b
}

func textUpdate(id int64, chatID int64, text string) *tg.Update {
	return &tg.Update{UpdateID: id, Message: &tg.Message{
		MessageID: 1, Date: 1, Text: text,
		Chat: tg.Chat{ID: chatID, Type: "private"},
		From: &tg.User{ID: chatID, FirstName: "Ann"},
	}}
}

func callbackUpdate(id int64, data string) *tg.Update {
	return &tg.Update{UpdateID: id, CallbackQuery: &tg.CallbackQuery{
		ID: "q", From: tg.User{ID: 7}, Data: data,
		Message: &tg.Message{MessageID: 3, Date: 1, Chat: tg.Chat{ID: 7, Type: "private"}},
	}}
}

// recorder collects a trace of what ran.
type recorder struct{ trace []string }

func (r *recorder) mw(name string) Handler {
	return func(c *Context) error {
		r.trace = append(r.trace, name+">")
		err := c.Next()
		r.trace = append(r.trace, "<"+name)
		return err
	}
}

func (r *recorder) h(name string) Handler {
	return func(c *Context) error {
		r.trace = append(r.trace, name)
		return nil
	}
}

func TestFirstMatchInRegistrationOrderDepthFirst(t *testing.T) {
	b := newTestBot(t)
	rec := &recorder{}
	root := b.Router()
	child := NewRouter("child")
	grand := NewRouter("grand")
	root.Message(rec.h("root-hello"), TextEquals("hello"))
	root.Include(child)
	child.Include(grand)
	grand.Message(rec.h("grand-any"))
	child.Message(rec.h("child-any")) // registered after grand: never reached for messages
	root.Message(rec.h("root-last"))

	for i, text := range []string{"hello", "other"} {
		if err := b.HandleUpdate(context.Background(), textUpdate(int64(i+1), 1, text)); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"root-hello", "grand-any"}; !slices.Equal(rec.trace, want) {
		t.Errorf("trace %v, want %v", rec.trace, want)
	}
}

func TestMiddlewareOrder(t *testing.T) {
	b := newTestBot(t)
	rec := &recorder{}
	root := b.Router()
	child := NewRouter("child")
	root.Use(rec.mw("root-outer1"), rec.mw("root-outer2"))
	root.UseInner(rec.mw("root-inner"))
	child.Use(rec.mw("child-outer"))
	child.UseInner(rec.mw("child-inner"))
	child.Message(rec.h("handler"))
	root.Include(child)

	if err := b.HandleUpdate(context.Background(), textUpdate(1, 1, "x")); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"root-outer1>", "root-outer2>", "child-outer>", "root-inner>", "child-inner>",
		"handler",
		"<child-inner", "<root-inner", "<child-outer", "<root-outer2", "<root-outer1",
	}
	if !slices.Equal(rec.trace, want) {
		t.Errorf("trace\n got %v\nwant %v", rec.trace, want)
	}
}

func TestOuterMiddlewareRunsWhenNothingMatchesAndCanStop(t *testing.T) {
	b := newTestBot(t)
	rec := &recorder{}
	root := b.Router()
	root.Use(rec.mw("log"))
	stop := NewRouter("stopper")
	stop.Use(func(c *Context) error { rec.trace = append(rec.trace, "dropped"); return nil })
	stop.Message(rec.h("never"))
	root.Include(stop)
	root.Message(rec.h("after"))
	_ = b.HandleUpdate(context.Background(), textUpdate(1, 1, "x"))
	if want := []string{"log>", "dropped", "<log"}; !slices.Equal(rec.trace, want) {
		t.Errorf("trace %v, want %v", rec.trace, want)
	}
	rec.trace = nil
	_ = b.HandleUpdate(context.Background(), callbackUpdate(2, "x")) // no handler for callbacks
	if want := []string{"log>", "<log"}; !slices.Equal(rec.trace, want) {
		t.Errorf("trace %v, want %v", rec.trace, want)
	}
}

func TestConditionalMiddleware(t *testing.T) {
	b := newTestBot(t)
	rec := &recorder{}
	b.Router().UseIf(ChatType("group"), rec.mw("group-only"))
	b.Router().UseInnerIf(TextPrefix("/"), rec.mw("commands-only"))
	b.Router().Message(rec.h("h"))
	_ = b.HandleUpdate(context.Background(), textUpdate(1, 1, "x"))
	if want := []string{"h"}; !slices.Equal(rec.trace, want) {
		t.Errorf("trace %v, want %v", rec.trace, want)
	}
	rec.trace = nil
	group := textUpdate(2, -5, "/x")
	group.Message.Chat.Type = "group"
	_ = b.HandleUpdate(context.Background(), group)
	if want := []string{"group-only>", "commands-only>", "h", "<commands-only", "<group-only"}; !slices.Equal(rec.trace, want) {
		t.Errorf("trace %v, want %v", rec.trace, want)
	}
}

func TestCommandFilter(t *testing.T) {
	cases := []struct {
		text      string
		match     bool
		cmd, args string
	}{
		{"/start", true, "start", ""},
		{"/start 42 x", true, "start", "42 x"},
		{"/START@Herald_Test_Bot ref", true, "START", "ref"},
		{"/start@other_bot", false, "", ""},
		{"/starts", false, "", ""},
		{"start", false, "", ""},
		{"/help", false, "", ""},
	}
	for _, tc := range cases {
		b := newTestBot(t)
		var got *Context
		var cmd, args string
		b.Router().Command("start", func(c *Context) error { got, cmd, args = c, c.Command(), c.Args(); return nil })
		_ = b.HandleUpdate(context.Background(), textUpdate(1, 1, tc.text))
		if (got != nil) != tc.match || cmd != tc.cmd || args != tc.args {
			t.Errorf("%q: matched %v cmd %q args %q, want %v %q %q", tc.text, got != nil, cmd, args, tc.match, tc.cmd, tc.args)
		}
	}
}

func TestFilters(t *testing.T) {
	re := regexp.MustCompile(`^order (\d+)$`)
	c := newContext(context.Background(), nil, textUpdate(1, 5, "order 42"), new(scratch))
	checks := []struct {
		name string
		f    Filter
		want bool
	}{
		{"TextEquals", TextEquals("a", "order 42"), true},
		{"TextPrefix", TextPrefix("order"), true},
		{"TextPrefix miss", TextPrefix("x"), false},
		{"TextRegexp", TextRegexp(re), true},
		{"ChatType", ChatType("private"), true},
		{"ChatType miss", ChatType("group", "supergroup"), false},
		{"ContentType", ContentType("text"), true},
		{"ContentType miss", ContentType("photo"), false},
		{"Users", Users(5), true},
		{"Users miss", Users(6), false},
		{"And", And(TextPrefix("order"), Users(5)), true},
		{"And miss", And(TextPrefix("order"), Users(6)), false},
		{"Or", Or(Users(6), Users(5)), true},
		{"Not", Not(Users(5)), false},
		{"CallbackPrefix on message", CallbackPrefix(""), false},
	}
	for _, ch := range checks {
		if got := ch.f(c); got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, got, ch.want)
		}
	}
	TextRegexp(re)(c)
	if g := c.Groups(); len(g) != 2 || g[1] != "42" {
		t.Errorf("groups = %v", g)
	}
	c = newContext(context.Background(), nil, callbackUpdate(2, "order:confirm:42"), new(scratch))
	if !CallbackPrefix("order:")(c) || CallbackPrefix("cart:")(c) {
		t.Error("CallbackPrefix on a callback query")
	}
	if !TextEquals("order:confirm:42")(c) {
		t.Error("Text of a callback query is its data")
	}
}

func TestErrorsBubbleThroughRouterHandlers(t *testing.T) {
	boom := errors.New("boom")
	var seen []string
	var final error
	b := newTestBot(t, WithErrorHandler(func(c *Context, err error) { final = err }))
	child := NewRouter("child")
	child.OnError(func(c *Context, err error) error {
		seen = append(seen, "child:"+err.Error())
		return err // pass it on
	})
	b.Router().OnError(func(c *Context, err error) error {
		seen = append(seen, "root:"+err.Error())
		if errors.Is(err, boom) {
			return nil // handled here
		}
		return err
	})
	child.Message(func(c *Context) error { return boom }, TextEquals("fail"))
	child.Message(func(c *Context) error { panic("kaboom") }, TextEquals("panic"))
	b.Router().Include(child)

	if err := b.HandleUpdate(context.Background(), textUpdate(1, 1, "fail")); err != nil || final != nil {
		t.Errorf("handled error reached the bot: %v %v", err, final)
	}
	err := b.HandleUpdate(context.Background(), textUpdate(2, 1, "panic"))
	pe, ok := errors.AsType[*PanicError](err)
	if !ok || pe.Value != "kaboom" || !strings.Contains(string(pe.Stack), "router_test.go") {
		t.Fatalf("panic error = %#v", err)
	}
	if final != err {
		t.Errorf("bot error handler got %v", final)
	}
	want := []string{"child:boom", "root:boom", "child:herald: panic: kaboom", "root:herald: panic: kaboom"}
	if !slices.Equal(seen, want) {
		t.Errorf("seen %v, want %v", seen, want)
	}
	// The context is reusable after a panic: the next update dispatches normally.
	ran := false
	b2 := newTestBot(t, WithErrorHandler(func(*Context, error) {}))
	b2.Router().Message(func(c *Context) error { panic("x") }, TextEquals("p"))
	b2.Router().Message(func(c *Context) error { ran = true; return nil })
	_ = b2.HandleUpdate(context.Background(), textUpdate(1, 1, "p"))
	_ = b2.HandleUpdate(context.Background(), textUpdate(2, 1, "q"))
	if !ran {
		t.Error("dispatch after a panic did not reach the handler")
	}
}

type store struct{ name string }

type notifier interface{ Notify() string }

type mailer struct{}

func (mailer) Notify() string { return "mail" }

func TestDependencies(t *testing.T) {
	b := newTestBot(t, Provide(&store{name: "pg"}), Provide[notifier](mailer{}))
	st := Require[*store](b.Router())
	nt := Require[notifier](b.Router())
	var got string
	b.Router().Message(func(c *Context) error { got = st.Get(c).name + "/" + nt.Get(c).Notify(); return nil })
	if err := b.Prepare(); err != nil {
		t.Fatal(err)
	}
	_ = b.HandleUpdate(context.Background(), textUpdate(1, 1, "x"))
	if got != "pg/mail" {
		t.Errorf("got %q", got)
	}

	missing := newTestBot(t)
	child := NewRouter("orders")
	Require[*store](child)
	missing.Router().Include(child)
	err := missing.Prepare()
	var mde *MissingDependencyError
	if !errors.As(err, &mde) || len(mde.Missing) != 1 || !strings.Contains(err.Error(), `*herald.store (required by router "orders")`) {
		t.Errorf("Prepare = %v", err)
	}
	if _, err := New(testToken, Provide(1), Provide(2)); err == nil {
		t.Error("providing a type twice is not an error")
	}
}

func TestKindsAndAllowedUpdates(t *testing.T) {
	b := newTestBot(t)
	child := NewRouter("c")
	child.CallbackQuery(func(*Context) error { return nil })
	b.Router().Include(child)
	b.Router().Command("start", func(*Context) error { return nil })
	b.Router().ChatMember(func(*Context) error { return nil })
	if err := b.Prepare(); err != nil {
		t.Fatal(err)
	}
	got := b.Router().kinds.AllowedUpdates()
	if want := []string{"message", "callback_query", "chat_member"}; !slices.Equal(got, want) {
		t.Errorf("allowed updates %v, want %v", got, want)
	}
	if AllKinds.AllowedUpdates() != nil {
		t.Error("AllKinds must ask for every update (nil)")
	}
}

// TestEveryUpdateFieldHasAKind keeps kinds.go in step with tg.Update.
func TestEveryUpdateFieldHasAKind(t *testing.T) {
	ut := reflect.TypeFor[tg.Update]()
	rt := reflect.TypeFor[*Router]()
	for i := range ut.NumField() {
		f := ut.Field(i)
		if f.Name == "UpdateID" {
			continue
		}
		u := &tg.Update{}
		reflect.ValueOf(u).Elem().Field(i).Set(reflect.New(f.Type.Elem()))
		k := KindOf(u)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if k == KindUnknown || k.String() != name {
			t.Errorf("field %s: kind %v, want %s", f.Name, k, name)
		}
		if _, ok := rt.MethodByName(f.Name); !ok {
			t.Errorf("Router has no method %s", f.Name)
		}
	}
	if KindOf(&tg.Update{UpdateID: 1}) != KindUnknown {
		t.Error("an empty update is not unknown")
	}
}

func TestRegistrationAfterStartPanics(t *testing.T) {
	b := newTestBot(t)
	if err := b.Prepare(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	b.Router().Message(func(*Context) error { return nil })
}

func TestTypedValues(t *testing.T) {
	b := newTestBot(t)
	account := NewKey[string]("account")
	b.Router().Use(func(c *Context) error { account.Set(c, "acct-7"); return c.Next() })
	var got string
	b.Router().Message(func(c *Context) error { got, _ = account.Get(c); return nil })
	_ = b.HandleUpdate(context.Background(), textUpdate(1, 1, "x"))
	if got != "acct-7" {
		t.Errorf("got %q", got)
	}

	// Set again replaces; keys of the same type are distinct; values do
	// not leak into the next update (the scratch space is reused).
	b2 := newTestBot(t)
	other := NewKey[string]("other")
	var first, second, leaked string
	var okBefore, okLeaked bool
	b2.Router().Use(func(c *Context) error {
		_, okLeaked = account.Get(c)
		if c.Text() == "set" {
			account.Set(c, "a")
			account.Set(c, "b")
			other.Set(c, "o")
		}
		return c.Next()
	})
	b2.Router().Message(func(c *Context) error {
		first, okBefore = account.Get(c)
		second, _ = other.Get(c)
		leaked, _ = account.Get(c)
		return nil
	})
	_ = b2.HandleUpdate(context.Background(), textUpdate(1, 1, "set"))
	if first != "b" || !okBefore || second != "o" || account.Name() != "account" {
		t.Errorf("after two Sets: %q %v, other %q", first, okBefore, second)
	}
	_ = b2.HandleUpdate(context.Background(), textUpdate(2, 1, "next"))
	if okLeaked || leaked != "" {
		t.Errorf("a value leaked into the next update: %q", leaked)
	}
}

func TestWithAllowedUpdatesOverrides(t *testing.T) {
	b := newTestBot(t, WithAllowedUpdates("message", "poll"))
	b.Router().Any(func(*Context) error { return nil })
	if err := b.Prepare(); err != nil {
		t.Fatal(err)
	}
	if got := b.allowedUpdates(); !slices.Equal(got, []string{"message", "poll"}) {
		t.Errorf("allowed updates %v", got)
	}
	for _, bad := range []string{"mesage", "", "unknown"} {
		if _, err := New(testToken, WithAllowedUpdates("message", bad)); err == nil || !strings.Contains(err.Error(), "unknown update type") {
			t.Errorf("WithAllowedUpdates(%q): %v", bad, err)
		}
	}
	b2 := newTestBot(t)
	b2.Router().Any(func(*Context) error { return nil })
	if err := b2.Prepare(); err != nil {
		t.Fatal(err)
	}
	if got := b2.allowedUpdates(); got != nil {
		t.Errorf("Any should ask for every update (nil), got %v", got)
	}
}

func TestCommandsKeepRegistrationOrder(t *testing.T) {
	b := newTestBot(t)
	rec := &recorder{}
	r := b.Router()
	r.Message(rec.h("prefix-first"), TextPrefix("/a"))
	r.Command("a", rec.h("cmd-a"))
	r.Command("b", rec.h("cmd-b"))
	r.Message(rec.h("any"))
	r.Command("c", rec.h("cmd-c-unreachable"))
	for i, text := range []string{"/a", "/b x", "/c", "/B@herald_test_bot", "/b@someone_else"} {
		_ = b.HandleUpdate(context.Background(), textUpdate(int64(i+1), 1, text))
	}
	want := []string{"prefix-first", "cmd-b", "any", "cmd-b", "any"}
	if !slices.Equal(rec.trace, want) {
		t.Errorf("trace %v, want %v", rec.trace, want)
	}
}

func TestRouterFilterAndIsCommand(t *testing.T) {
	b := newTestBot(t)
	rec := &recorder{}
	admin := NewRouter("admin")
	admin.Filter(Users(1))
	admin.Use(rec.mw("admin-outer"))
	admin.Message(rec.h("admin"))
	b.Router().Include(admin)
	b.Router().Message(rec.h("command"), IsCommand())
	b.Router().Message(rec.h("text"))
	for _, u := range []*tg.Update{textUpdate(1, 1, "hi"), textUpdate(2, 2, "/help"), textUpdate(3, 2, "/help@other_bot"), textUpdate(4, 2, "hi")} {
		_ = b.HandleUpdate(context.Background(), u)
	}
	want := []string{"admin-outer>", "admin", "<admin-outer", "command", "text", "text"}
	if !slices.Equal(rec.trace, want) {
		t.Errorf("trace %v, want %v", rec.trace, want)
	}
}

// Routers that hold only commands are passed over for other updates; the
// result must be what entering each of them would give.
func TestCommandOnlyRoutersAcrossTheTree(t *testing.T) {
	b := newTestBot(t)
	rec := &recorder{}
	root := b.Router()
	a := NewRouter("a")
	a.Command("same", rec.h("a-same-filtered"), Users(99))
	a.Command("only-a", rec.h("a-only"))
	b1 := NewRouter("b")
	inner := NewRouter("b-inner")
	inner.Command("deep", rec.h("deep"))
	inner.Command("SAME", rec.h("b-same"))
	b1.Include(inner)
	withOuter := NewRouter("outer")
	withOuter.Use(rec.mw("outer"))
	withOuter.Command("never", rec.h("never"))
	root.Include(a, b1, withOuter)
	root.Message(rec.h("fallback"))
	for i, text := range []string{"/same", "/Deep@herald_test_bot x", "/only-a", "/deep@other_bot", "hello", "/unknown"} {
		_ = b.HandleUpdate(context.Background(), textUpdate(int64(i+1), 1, text))
	}
	want := []string{
		"b-same", "deep", "a-only",
		"outer>", "<outer", "fallback",
		"outer>", "<outer", "fallback",
		"outer>", "<outer", "fallback",
	}
	if !slices.Equal(rec.trace, want) {
		t.Errorf("trace %v\nwant  %v", rec.trace, want)
	}
	rec.trace = nil
	// Id 0 means "no command of this tree": no router may claim it, or
	// routers holding only commands would be entered for plain text.
	for _, r := range []*Router{root, a, b1, inner} {
		if r.subtree.Bit(0) != 0 {
			t.Errorf("router %q claims command id 0", r.Name())
		}
	}
	// An included router is entered only for the kinds its handlers take.
	_ = b.HandleUpdate(context.Background(), callbackUpdate(9, "x"))
	if len(rec.trace) != 0 {
		t.Errorf("callback trace %v, want none", rec.trace)
	}
}

// HandleUpdate sends what a handler asked for with ReplyInResponse; when
// that call fails the error is returned (and logged), not lost.
func TestHandleUpdateReportsAFailedResponse(t *testing.T) {
	b := newTestBot(t, WithClientOptions(tg.WithBaseURL("http://127.0.0.1:1")), WithLogger(slog.New(slog.DiscardHandler)))
	b.Router().Message(func(c *Context) error {
		c.ReplyInResponse("sendMessage", tg.SendMessageParams{ChatID: tg.ID(1), Text: "hi"})
		return nil
	})
	err := b.HandleUpdate(context.Background(), textUpdate(1, 1, "x"))
	if err == nil || !strings.Contains(err.Error(), "sendMessage") {
		t.Fatalf("HandleUpdate: %v, want the failed sendMessage", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Fatalf("the token leaked into %v", err)
	}
}
