package memory

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/heraldbot/herald/backend"
)

const (
	shardBits = 6
	numShards = 1 << shardBits
)

// shard holds the records, claims and locks whose key or name
// hashes to it, under one mutex.
type shard struct {
	mu      sync.Mutex
	records map[backend.Key]record
	claims  map[string]claim
	locks   map[string]*lock

	// peakRecords and peakClaims are the largest sizes since
	// the maps were last rebuilt: Go maps never shrink, so the sweep
	// rebuilds a map that has become much smaller than its peak.
	peakRecords, peakClaims int
	// nextExpiry is a lower bound of the expiries of the shard's entries
	// (0: none expires): no entry has expired before then.
	nextExpiry int64

	_ [64]byte // keeps the mutexes of neighbouring shards off one cache line
}

// record is a stored conversation, kept by value in its shard's map. The
// state and the data share one string (see packRecord), which keeps the
// map slot at 64 bytes (key 32, record 32) and costs one allocation per
// write: an idle conversation with a small state and data costs 150 to
// 200 bytes, depending on how full the map's tables happen to be.
type record struct {
	packed  string // uvarint(len(state)) + state + data
	version int64
	expires int64 // store time in ns; 0: never
}

// packRecord builds the packed string of a record; the data is copied.
func packRecord(state string, data []byte) string {
	var n [binary.MaxVarintLen64]byte
	w := binary.PutUvarint(n[:], uint64(len(state)))
	var b strings.Builder
	b.Grow(w + len(state) + len(data))
	b.Write(n[:w])
	b.WriteString(state)
	b.Write(data)
	return b.String()
}

// unpack returns the state (sharing the record's memory) and a fresh copy
// of the data (nil when empty).
func (r *record) unpack() (state string, data []byte) {
	n, w := binary.Uvarint([]byte(r.packed[:min(len(r.packed), binary.MaxVarintLen64)]))
	rest := r.packed[w:]
	state, rest = rest[:n], rest[n:]
	if rest != "" {
		data = []byte(rest)
	}
	return state, data
}

func (sh *shard) init() {
	sh.records = make(map[backend.Key]record)
	sh.claims = make(map[string]claim)
	sh.locks = make(map[string]*lock)
}

// expired reports whether an entry with the given expiry is dead at now.
func expired(expires, now int64) bool { return expires != 0 && expires <= now }

// expiry returns the expiry of an entry written at now with ttl (0: none).
// A ttl too long to add to now saturates instead of wrapping into the past.
func expiry(now int64, ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	if now > 0 && int64(ttl) > math.MaxInt64-now {
		return math.MaxInt64
	}
	return now + int64(ttl)
}

// noteExpiry lowers sh.nextExpiry to expires if that is earlier (sh.mu held).
func (sh *shard) noteExpiry(expires int64) {
	if expires != 0 && (sh.nextExpiry == 0 || expires < sh.nextExpiry) {
		sh.nextExpiry = expires
	}
}

// keyShard returns the shard of a conversation key.
func (s *Store) keyShard(k backend.Key) *shard {
	// A multiply-xorshift mix of the four ids; chat and user ids are
	// sequential-ish, so every field must reach the top bits.
	h := uint64(k.BotID)
	for _, v := range [...]int64{k.ChatID, k.UserID, k.ThreadID} {
		h = (h ^ uint64(v)) * 0x9E3779B97F4A7C15
		h ^= h >> 29
	}
	if k.BusinessConnectionID != "" {
		h ^= maphash.String(s.seed, k.BusinessConnectionID)
	}
	h *= 0xBF58476D1CE4E5B9
	return &s.shards[h>>(64-shardBits)]
}

// nameShard returns the shard of a lock or claim name.
func (s *Store) nameShard(name string) *shard {
	return &s.shards[maphash.String(s.seed, name)&(numShards-1)]
}
