// Package decode measures how fast each framework turns the bytes Telegram
// sends into its Update type, each with the JSON decoder it uses by default:
// one update as a webhook body, and a getUpdates response of 100 updates as
// long polling receives it (the response envelope included). The update is
// testdata/update.json, a 1.7 KB supergroup message replying to a bot's
// photo with a caption and an inline keyboard.
//
// Run from bench/peers, and compare the medians with benchstat:
//
//	go test ./decode -run '^$' -bench Webhook -benchmem -count 6 -benchtime 5000x
//	go test ./decode -run '^$' -bench Polling -benchmem -count 6 -benchtime 20x
//
// On a shared machine the times vary a lot; the instructions an operation
// takes do not. Count them with cachegrind, at two iteration counts so that
// the setup cancels out (GOMAXPROCS=1 keeps the garbage collector's work
// in the count):
//
//	go test -c -o /tmp/decode.test ./decode && cd decode
//	GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
//		/tmp/decode.test -test.run '^$' -test.bench 'Webhook/herald$' -test.benchtime 1000x
//	(then 3000x: instructions per op = (I refs at 3000x − I refs at 1000x) / 2000)
package decode

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// pollCount is the number of updates in the getUpdates response: the most
// one call returns.
const pollCount = 100

// update returns the webhook body: one update.
func update(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile("testdata/update.json")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// pollBody returns a getUpdates response holding pollCount copies of the
// update, with consecutive update ids.
func pollBody(tb testing.TB) []byte {
	tb.Helper()
	one := bytes.TrimSpace(update(tb))
	const id = `"update_id":918273645`
	if !bytes.Contains(one, []byte(id)) {
		tb.Fatalf("testdata/update.json has no %s", id)
	}
	var b bytes.Buffer
	b.WriteString(`{"ok":true,"result":[`)
	for i := range pollCount {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(bytes.Replace(one, []byte(id), []byte(`"update_id":`+strconv.Itoa(918273645+i)), 1))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// keyFields are what every decoder must have found, so that the benchmarks
// compare the same work.
type keyFields struct {
	UpdateID   int64
	Text       string
	ChatID     int64
	Entities   int
	PhotoWidth int64  // width of the replied-to photo's largest size
	Button     string // callback data of the replied-to message's first button
}

// want is what testdata/update.json holds.
var want = keyFields{
	UpdateID:   918273645,
	Text:       `@roastery_shop_bot is the Yirgacheffe still in stock in 1 kg? "Whole bean", see https://shop.example.com/c/yirg #order`,
	ChatID:     -1002233445566,
	Entities:   4,
	PhotoWidth: 1280,
	Button:     "cart:add:yirg250",
}

// framework is one peer's two decoding paths, each returning the key
// fields of what it decoded (of the first and last update for polling).
// poll is made once for a response body, and then called for each run.
type framework struct {
	name    string
	webhook func(body []byte) (keyFields, error)
	poll    func(body []byte) func() (first, last keyFields, n int, err error)
}

// frameworks is filled by the init functions of the per-framework files.
var frameworks []framework

func register(f framework) { frameworks = append(frameworks, f) }

// TestSameWork checks that every framework decodes the same key fields
// from the webhook body and from the getUpdates response.
func TestSameWork(t *testing.T) {
	body, poll := update(t), pollBody(t)
	if len(frameworks) != 5 {
		t.Fatalf("%d frameworks registered, want 5", len(frameworks))
	}
	wantLast := want
	wantLast.UpdateID += pollCount - 1
	for _, f := range frameworks {
		got, err := f.webhook(body)
		if err != nil || got != want {
			t.Errorf("%s webhook: %+v, %v; want %+v", f.name, got, err, want)
		}
		first, last, n, err := f.poll(poll)()
		if err != nil || n != pollCount || first != want || last != wantLast {
			t.Errorf("%s polling: %d updates, first %+v, last %+v, %v", f.name, n, first, last, err)
		}
	}
}

func BenchmarkWebhook(b *testing.B) {
	body := update(b)
	for _, f := range frameworks {
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := f.webhook(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPolling(b *testing.B) {
	body := pollBody(b)
	for _, f := range frameworks {
		b.Run(f.name, func(b *testing.B) {
			poll := f.poll(body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, _, n, err := poll(); err != nil || n != pollCount {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// reportCPU adds the metric cpu-ns/op: the CPU time of the whole process
// (garbage collection included) per operation. On a shared machine it
// varies less than the wall time, which counts the time others ran.
// Call the returned function when the loop is done.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// firstButton is the callback data of the first inline button, or "".
func firstButton[B any](rows [][]B, data func(*B) string) string {
	if len(rows) == 0 || len(rows[0]) == 0 {
		return ""
	}
	return data(&rows[0][0])
}

// firstLast returns the key fields of the first and last of ups.
func firstLast[U any](ups []U, fields func(*U) keyFields) (first, last keyFields, n int, err error) {
	if len(ups) == 0 {
		return first, last, 0, fmt.Errorf("no updates")
	}
	return fields(&ups[0]), fields(&ups[len(ups)-1]), len(ups), nil
}
