package tg

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/go-json-experiment/json"
)

// BenchmarkDecodeUpdateBytes decodes the update of BenchmarkDecodeUpdate
// with DecodeUpdate, as the webhook does.
func BenchmarkDecodeUpdateBytes(b *testing.B) {
	data := benchUpdate(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeUpdate(data); err != nil {
			b.Fatal(err)
		}
	}
}

// pollResponse is a getUpdates response holding n copies of the update.
func pollResponse(b *testing.B, n int) []byte {
	one := bytes.TrimSpace(benchUpdate(b))
	var buf bytes.Buffer
	buf.WriteString(`{"ok":true,"result":[`)
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(bytes.Replace(one, []byte(`"update_id": 734120981`), []byte(`"update_id":`+strconv.Itoa(734120981+i)), 1))
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

// BenchmarkDecodeEnvelopeUpdates decodes a getUpdates response of 100
// updates as the client does (decodeEnvelope, reading as it goes).
func BenchmarkDecodeEnvelopeUpdates(b *testing.B) {
	data := pollResponse(b, 100)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var ups []Update
		if _, err := decodeEnvelope(bytes.NewReader(data), &ups); err != nil || len(ups) != 100 {
			b.Fatal(len(ups), err)
		}
	}
}

// BenchmarkDecodeUpdates decodes the same response's result, an array of
// 100 updates, with JSON v2 and with DecodeUpdates.
func BenchmarkDecodeUpdates(b *testing.B) {
	data := pollResponse(b, 100)
	data = data[len(`{"ok":true,"result":`) : len(data)-1]
	for _, d := range []struct {
		name   string
		decode func([]byte) ([]Update, error)
	}{
		{"v2", func(data []byte) (ups []Update, err error) { return ups, json.Unmarshal(data, &ups) }},
		{"bytes", DecodeUpdates},
	} {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if ups, err := d.decode(data); err != nil || len(ups) != 100 {
					b.Fatal(len(ups), err)
				}
			}
		})
	}
}
