package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/internal/pgtest"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// envFleetChild makes TestFleetChild run the shop (run) as one instance of
// TestFleet's fleet, configured by the environment like the real command.
const envFleetChild = "SHOP_FLEET_CHILD"

// TestFleetChild is one shop instance of TestFleet: the test binary run
// again as a child process. It stops gracefully when its stdin closes.
func TestFleetChild(t *testing.T) {
	if os.Getenv(envFleetChild) == "" {
		t.Skip("a shop instance of TestFleet, run by it as a child process")
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
	if err := run(ctx); err != nil {
		t.Fatal(err)
	}
}

// fleetRedis returns the Redis to test against, or skips (fails under CI).
func fleetRedis(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("HERALD_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s is unreachable (CI=true, so this is a failure): %v", addr, err)
		}
		t.Skipf("Redis at %s is unreachable (start one, or set HERALD_REDIS_ADDR; skipped because CI is not true): %v", addr, err)
	}
	conn.Close()
	return addr
}

// TestFleet runs the shop as a fleet, as docs/SCALING.md describes it:
// three instances, separate OS processes, on one PostgreSQL (business
// data) and one Redis (conversations, claims, locks, limiter, broadcasts),
// behind a round-robin load balancer that is the webhook's URL. The
// emulator enforces Telegram's limits and redelivers on errors, as
// Telegram does. The load balancer also delivers copies of updates to a
// second instance, at the same time or after the first answered.
//
// Customers shop concurrently (catalog, two adds, cart, checkout form,
// confirm) while more customers say /start; one instance is killed with
// SIGKILL in the middle and restarted later; then an admin broadcasts to
// every customer, and the instance sending the broadcast is killed too.
// Every order must exist once, every customer must have exactly the
// expected messages in order, carts must be empty after their orders,
// every customer must get the broadcast once (but for a send in doubt
// when its runner was killed, which broadcasts skip: at most once, and
// the report counts) and the admin one report, and the emulator must
// have answered no 429.
func TestFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("the fleet takes about 30 s")
	}
	dataURL := pgtest.Schema(t, "shop_fleet")
	namespace := fmt.Sprintf("shopfleet%d", time.Now().UnixNano())
	// The bot's engine: Redis, or with HERALD_FLEET_ENGINE=postgres the
	// same PostgreSQL (the engine in a schema of its own).
	var engineURL string
	switch e := os.Getenv("HERALD_FLEET_ENGINE"); e {
	case "", "redis":
		engineURL = "redis://" + fleetRedis(t) + "/0"
	case "postgres":
		engineURL = pgtest.Addr
		namespace = strings.TrimPrefix(pgtest.Schema(t, "shop_fleet_engine")[len(pgtest.Addr):], "&search_path=")
	default:
		t.Fatalf("HERALD_FLEET_ENGINE=%q: want redis or postgres", e)
	}
	begin := time.Now()

	const (
		instances = 3
		shoppers  = 8  // customers who buy
		visitors  = 60 // customers who only say /start
		adminID   = 900_001
		secret    = "fleet-secret"
	)
	botID := 7_000_000 + rand.Int64N(1_000_000)
	token := strconv.FormatInt(botID, 10) + ":shop-fleet"

	srv := emutest.Start(t, emulator.Options{
		Logger: emutest.Quiet(), WebhookMaxBackoff: time.Second,
	})
	if _, err := srv.Emu.AddBot(token); err != nil {
		t.Fatal(err)
	}

	lb := newBalancer(secret)
	front := httptest.NewServer(lb)
	t.Cleanup(front.Close)

	env := []string{
		envFleetChild + "=1",
		"BOT_TOKEN=" + token,
		"SHOP_ADMINS=" + strconv.Itoa(adminID),
		"SHOP_BACKEND=" + engineURL,
		"SHOP_NAMESPACE=" + namespace,
		"DATABASE_URL=" + dataURL,
		"SHOP_DB=" + t.TempDir() + "/unused.db",
		"HERALD_MODE=webhook",
		"HERALD_WEBHOOK_URL=" + front.URL + "/",
		"HERALD_WEBHOOK_SECRET=" + secret,
	}
	fleet := make([]*instance, instances)
	for i := range fleet {
		fleet[i] = newInstance(t, i, srv.URL, env)
		lb.add(fleet[i].addr)
	}
	for _, in := range fleet {
		in.start(t)
	}
	for _, in := range fleet {
		in.waitListening(t)
	}
	t.Logf("fleet of %d instances on %s up in %v", instances, strings.SplitN(engineURL, ":", 2)[0], time.Since(begin).Round(time.Millisecond))

	// Phase 1: shoppers and visitors at once; one instance is killed
	// when a third of the expected deliveries have passed.
	phase1 := time.Now()
	killed := make(chan int, 1)
	go func() {
		for lb.primary.Load() < 60 {
			time.Sleep(5 * time.Millisecond)
		}
		fleet[1].kill()
		killed <- 1
	}()
	var wg sync.WaitGroup
	orders := make([]string, shoppers)
	for i := range shoppers {
		ch := srv.Chat(t, token, tg.User{ID: int64(100_001 + i), FirstName: "Shopper" + strconv.Itoa(i)})
		wg.Go(func() { orders[i] = shop(t, ch) })
	}
	for i := range visitors {
		ch := srv.Chat(t, token, tg.User{ID: int64(200_001 + i), FirstName: "Visitor" + strconv.Itoa(i)})
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 40 * time.Millisecond)
			ch.SendWait("/start", "Welcome to the Herald coffee shop")
		})
	}
	admin := srv.Chat(t, token, tg.User{ID: adminID, FirstName: "Boss"})
	admin.SendWait("/start", "Welcome")
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	<-killed
	t.Logf("phase 1 (%d shoppers, %d visitors, instance 1 killed): %v", shoppers, visitors, time.Since(phase1).Round(time.Millisecond))

	// The killed instance comes back (as an orchestrator would restart it).
	fleet[1].start(t)
	fleet[1].waitListening(t)

	// Phase 2: a broadcast to every customer; the instance sending it is
	// killed in the middle, another one resumes it.
	phase2 := time.Now()
	before := make([]int64, instances)
	for i, in := range fleet {
		before[i] = in.sends.Load()
	}
	started := admin.SendWait("/broadcast Fresh beans today", "Broadcast started")
	recipients := shoppers + visitors + 1
	if !strings.Contains(started.Text, "to "+strconv.Itoa(recipients)+" customers") {
		t.Fatalf("the broadcast was not started to %d customers: %q", recipients, started.Text)
	}
	time.Sleep(700 * time.Millisecond)
	runner, most := -1, int64(0)
	for i, in := range fleet {
		if d := in.sends.Load() - before[i]; d > most {
			runner, most = i, d
		}
	}
	if runner < 0 {
		t.Fatal("no instance is sending the broadcast")
	}
	fleet[runner].kill()
	t.Logf("killed instance %d, which had sent %d messages of the broadcast", runner, most)
	report := admin.WaitFor("the broadcast's report", func(e emulator.Entry) bool {
		return e.Sender == "bot" && strings.Contains(e.Text, "Broadcast done")
	})
	t.Logf("phase 2 (broadcast to %d, its runner killed): %v; %q", recipients, time.Since(phase2).Round(time.Millisecond), report.Text)
	// A send on the wire when its runner was killed is in doubt, and a
	// broadcast is at most once by default (package broadcast): the
	// resuming runner skips it and reports it failed. Such a customer may
	// lack the broadcast; the report counts them.
	var sent, inDoubt int
	if _, err := fmt.Sscanf(report.Text[strings.Index(report.Text, "done:"):], "done: %d sent, %d failed.", &sent, &inDoubt); err != nil || inDoubt > 2 || sent+inDoubt != recipients {
		t.Errorf("report %q: want %d recipients, at most 2 in doubt (%v)", report.Text, recipients, err)
	}
	time.Sleep(1500 * time.Millisecond) // room for a wrong second report or message

	// Checks.
	db, err := service.Open(context.Background(), dataURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var repeats atomic.Int64
	for i := range shoppers {
		uid := int64(100_001 + i)
		ch := srv.Chat(t, token, tg.User{ID: uid})
		hist, err := db.Orders().History(ctx, uid, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 1 || "#"+strconv.FormatInt(hist[0].ID, 10) != orders[i] || hist[0].TotalCents != 2380 {
			t.Errorf("shopper %d: orders %+v, confirmed %s; want exactly that one, $23.80", uid, hist, orders[i])
		}
		if cart, err := db.Carts().Get(ctx, uid); err != nil || !cart.Empty() {
			t.Errorf("shopper %d: cart after the order %+v (%v), want empty", uid, cart, err)
		}
		checkCustomer(t, ch, append(shopperMessages(orders[i]), "📣 Fresh beans today"), &repeats, &inDoubt)
	}
	for i := range visitors {
		checkCustomer(t, srv.Chat(t, token, tg.User{ID: int64(200_001 + i)}),
			[]string{"Welcome to the Herald coffee shop", "📣 Fresh beans today"}, &repeats, &inDoubt)
	}
	// A recipient in doubt usually has its message (it left before the
	// kill): fewer customers without it than in doubt is the common case.
	checkMessages(t, admin, []string{"Welcome", "Broadcast started", "📣 Fresh beans today", "📣 Broadcast done"}, &repeats)
	// Only updates in flight on the killed instance may be answered twice:
	// at most one per chat, and in practice a few at most.
	if n := repeats.Load(); n > 10 {
		t.Errorf("%d messages sent twice in a row; want at most a few, from the killed instance", n)
	}
	st, err := db.Orders().Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Orders != shoppers || st.Customers != int64(recipients) {
		t.Errorf("stats %+v, want %d orders and %d customers", st, shoppers, recipients)
	}
	es, err := srv.Emu.Stats(token)
	if err != nil {
		t.Fatal(err)
	}
	if es.TooManyRequests != 0 {
		t.Errorf("the emulator answered %d × 429", es.TooManyRequests)
	}
	lb.mu.Lock()
	t.Logf("load balancer: %d deliveries from the emulator, answers %v; %d copies at the same time, answers %v; %d late copies, answers %v",
		lb.primary.Load(), lb.statuses, lb.dups.Load(), lb.dupStatuses, lb.lates.Load(), lb.lateStatuses)
	lb.mu.Unlock()
	t.Logf("emulator: %d × 429, %d errors; %d replies sent twice (at-least-once, the killed instance); whole test %v",
		es.TooManyRequests, es.Errors, repeats.Load(), time.Since(begin).Round(time.Millisecond))
	for _, in := range fleet {
		in.stop(t)
	}
}

// shop is one customer's session: catalog, the mug twice, cart, the
// checkout form, confirm, receipt. It returns the order's number ("#12").
func shop(t *testing.T, ch *emutest.Chat) string {
	ch.SendWait("/start", "Welcome to the Herald coffee shop, "+ch.User.FirstName)
	cat := ch.SendWait("/catalog", "page 1 of 3")
	for n, want := range []string{"Espresso beans — 1 of these in your cart (1 item)", "Espresso beans — 2 of these in your cart (2 items)"} {
		if got := ch.Press(cat, "Espresso beans"); !strings.Contains(got, want) {
			t.Errorf("%s: add %d answered %q, want %q", ch.User.FirstName, n+1, got, want)
		}
	}
	cart := ch.SendWait("/cart", "Your cart")
	if !strings.Contains(cart.Text, "Espresso beans × 2") {
		t.Errorf("%s: cart %q", ch.User.FirstName, cart.Text)
	}
	ch.Press(cart, "Checkout")
	ch.WaitBot(cart.MessageID, "step 1 of 4")
	ch.SendWait(ch.User.FirstName+" Fleet", "Step 2 of 4")
	ch.SendWait("+44 20 7946 0958", "Step 3 of 4")
	slot := ch.SendWait("1 Fleet Street, London", "Step 4 of 4")
	ch.Press(slot, "Tomorrow 10–12")
	sum := ch.WaitBot(slot.MessageID, "Please check your order")
	ch.Press(sum, "Confirm")
	conf := ch.WaitBot(sum.MessageID, "✅ Order #")
	num := "#" + strings.Fields(strings.TrimPrefix(conf.Text, "✅ Order #"))[0]
	ch.WaitFor("the receipt", func(e emulator.Entry) bool {
		return e.Sender == "bot" && strings.Contains(e.Caption, "Receipt for order "+num)
	})
	return num
}

// shopperMessages is what a shopper sees from the bot, in order.
func shopperMessages(order string) []string {
	return []string{
		"Welcome to the Herald coffee shop", "🛍 Catalog — page 1 of 3", "🛒 Your cart",
		"Checkout, step 1 of 4", "Step 2 of 4", "Step 3 of 4", "Step 4 of 4",
		"Please check your order", "✅ Order " + order, "🧾 Receipt for order " + order,
	}
}

// checkMessages asserts that the bot's messages in ch are exactly want
// (prefixes of text or caption), in order, but for a message sent twice in
// a row, which it counts in repeats: an instance killed after a reply
// left and before its update's claim was finished has the update run
// again (at-least-once; sendMessage has no idempotency key).
func checkMessages(t *testing.T, ch *emutest.Chat, want []string, repeats *atomic.Int64) {
	t.Helper()
	if all, ok := messagesAre(t, ch, want, repeats); !ok {
		t.Errorf("user %d: the bot's messages are not %q:\n%s", ch.User.ID, want, emutest.Dump(all))
	}
}

// checkCustomer is checkMessages for a customer whose last expected
// message is the broadcast: while *inDoubt is positive, a customer with
// everything but the broadcast passes too, and uses one of them up.
func checkCustomer(t *testing.T, ch *emutest.Chat, want []string, repeats *atomic.Int64, inDoubt *int) {
	t.Helper()
	var ignored atomic.Int64
	if _, ok := messagesAre(t, ch, want[:len(want)-1], &ignored); ok && *inDoubt > 0 {
		*inDoubt--
		t.Logf("user %d: no broadcast: its send was in doubt when the runner was killed (skipped: at most once)", ch.User.ID)
		return
	}
	checkMessages(t, ch, want, repeats)
}

// messagesAre reports whether the bot's messages in ch start with want,
// one by one, counting in repeats the messages sent twice in a row.
func messagesAre(t *testing.T, ch *emutest.Chat, want []string, repeats *atomic.Int64) ([]emulator.Entry, bool) {
	t.Helper()
	all := ch.BotMessages()
	var got []emulator.Entry
	for i, e := range all {
		if i > 0 && e.Text == all[i-1].Text && e.Caption == all[i-1].Caption && len(e.Photo) == 0 {
			repeats.Add(1)
			t.Logf("user %d: sent twice: %.40q", ch.User.ID, e.Text+e.Caption)
			continue
		}
		got = append(got, e)
	}
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(got[i].Text+got[i].Caption, want[i])
	}
	return all, ok
}

// balancer is a round-robin load balancer in front of the instances'
// webhooks: an httputil.ReverseProxy to each, skipping for 2 s an
// instance that refused a connection, answering 502 when every instance
// does. Every 4th delivery is also sent to the next instance at the same
// time, and every 7th once more after it was answered: copies of one
// update overlapping and arriving late, as Telegram may send them.
type balancer struct {
	secret string
	mu     sync.Mutex
	hosts  []*host
	next   int

	primary, dups, lates                atomic.Int64
	statuses, dupStatuses, lateStatuses map[int]int
}

type host struct {
	addr      string
	proxy     *httputil.ReverseProxy
	downUntil atomic.Int64
}

func newBalancer(secret string) *balancer {
	return &balancer{secret: secret, statuses: map[int]int{}, dupStatuses: map[int]int{}, lateStatuses: map[int]int{}}
}

func (b *balancer) add(addr string) {
	h := &host{addr: addr}
	h.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(&url.URL{Scheme: "http", Host: addr}) },
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			h.downUntil.Store(time.Now().Add(2 * time.Second).UnixNano())
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	b.mu.Lock()
	b.hosts = append(b.hosts, h)
	b.mu.Unlock()
}

// pick returns the next instance not known to be down, after skip ones.
func (b *balancer) pick(skip int) *host {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now().UnixNano()
	for range len(b.hosts) {
		h := b.hosts[b.next%len(b.hosts)]
		b.next++
		if h.downUntil.Load() > now {
			continue
		}
		if skip == 0 {
			return h
		}
		skip--
	}
	return b.hosts[b.next%len(b.hosts)]
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) { w.code = code; w.ResponseWriter.WriteHeader(code) }

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	n := b.primary.Add(1)
	h := b.pick(0)
	if n%4 == 0 {
		b.dups.Add(1)
		go b.copyTo(b.pick(0), body, b.dupStatuses)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
	h.proxy.ServeHTTP(sw, r)
	b.mu.Lock()
	b.statuses[sw.code]++
	b.mu.Unlock()
	if n%7 == 0 {
		b.lates.Add(1)
		go b.copyTo(b.pick(0), body, b.lateStatuses)
	}
}

// copyTo POSTs a copy of an update to h, as Telegram would.
func (b *balancer) copyTo(h *host, body []byte, statuses map[int]int) {
	req, _ := http.NewRequest(http.MethodPost, "http://"+h.addr+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(source.SecretHeader, b.secret)
	code := 0
	if res, err := http.DefaultClient.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		code = res.StatusCode
	}
	b.mu.Lock()
	statuses[code]++
	b.mu.Unlock()
}

// instance is one shop process of the fleet. Its Bot API calls go
// through a proxy that counts sendMessage calls, which tells which
// instance sends a broadcast.
type instance struct {
	n     int
	addr  string // webhook listener
	env   []string
	sends atomic.Int64

	mu   sync.Mutex
	cmd  *exec.Cmd
	in   io.WriteCloser
	done chan struct{}
	out  *lockedBuffer
}

func newInstance(t *testing.T, n int, apiURL string, env []string) *instance {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	in := &instance{n: n, addr: addr, out: &lockedBuffer{}}
	target, _ := url.Parse(apiURL)
	api := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/sendMessage") {
			in.sends.Add(1)
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	in.env = append(append([]string{}, env...), "HERALD_WEBHOOK_LISTEN="+addr, "HERALD_API_URL="+proxy.URL)
	t.Cleanup(func() {
		in.kill()
		if t.Failed() {
			t.Logf("instance %d, last output:\n%s", n, in.out.tail(4000))
		}
	})
	return in
}

// start runs the instance: the test binary again, as TestFleetChild.
func (in *instance) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFleetChild$", "-test.count=1", "-test.timeout=5m")
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "HERALD_") || strings.HasPrefix(name, "SHOP_") || name == "DATABASE_URL" || name == "BOT_TOKEN" || name == "TELEGRAM_TOKEN" {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, in.env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = in.out, in.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	in.mu.Lock()
	in.cmd, in.in, in.done = cmd, stdin, done
	in.mu.Unlock()
}

// waitListening waits until the instance's webhook accepts connections.
func (in *instance) waitListening(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", in.addr, time.Second); err == nil {
			c.Close()
			return
		}
		select {
		case <-in.done:
			t.Fatalf("instance %d exited before listening:\n%s", in.n, in.out.tail(4000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %d does not listen on %s after 60 s:\n%s", in.n, in.addr, in.out.tail(4000))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (in *instance) kill() {
	in.mu.Lock()
	cmd, done := in.cmd, in.done
	in.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// stop asks the instance to stop (closing its stdin) and waits.
func (in *instance) stop(t *testing.T) {
	in.mu.Lock()
	stdin, done := in.in, in.done
	in.mu.Unlock()
	_ = stdin.Close()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Errorf("instance %d did not stop within 20 s", in.n)
		in.kill()
	}
}

// lockedBuffer collects a child's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	sc := bufio.NewScanner(strings.NewReader(s))
	var out strings.Builder
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
	}
	return out.String()
}
