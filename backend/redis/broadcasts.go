package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
)

// Broadcasts is the backend.BroadcastStore of a Store (Store.Broadcasts):
// campaigns and the state of each recipient, kept in Redis with no
// expiry, so that a campaign resumes after a crash or a restart in any
// process that shares the Redis. Every change of a recipient or of the
// runner lease is one Lua script, atomic across those processes.
//
// The campaigns belong to the Store's bot id: Stores of one prefix and bot
// id share them, others do not see them. Keys (see the package
// documentation) are two per bot, the id counter and the list of
// campaigns, and eight per campaign under a hash tag of its own,
// "{<bot>:bc:<id>}", so that a campaign's keys live in one Redis Cluster
// slot (its scripts need that) while the campaigns spread over the
// cluster:
//
//	herald:{42}:bc:ids               integer: the last campaign id (INCR)
//	herald:{42}:bc:list              sorted set: campaign ids, scored by id
//	herald:{42:bc:7}:meta            hash: name, msg (the Message as JSON), paid ("1"/"0"), created (Unix ns), total; lo, ls, ln = the lease's owner and until (Unix s, ns), absent when free
//	herald:{42:bc:7}:r               hash: chat id → "<seq>|<status>|<attempts>|<message id>|<updated, Unix ns or empty>|<error>"
//	herald:{42:bc:7}:s:<status>      sorted set per status (pending, sending, sent, blocked, failed, skipped): chat ids scored by seq
//
// A recipient is a field of one hash rather than a key of its own, which
// keeps a campaign of a hundred thousand chats at a few keys and lets
// every script name the keys it touches, as Redis Cluster requires;
// Recipients(status, after, n) is a ZRANGEBYSCORE on the status's set
// followed by an HMGET, in one script.
type Broadcasts struct {
	client goredis.UniversalClient
	base   string // "<prefix>:{<bot>}:bc:"
	tag    string // "<prefix>:{<bot>:bc:", followed by "<id>}:" for a campaign's keys
}

var _ backend.BroadcastStore = (*Broadcasts)(nil)

// recipientStatuses are the states in the order of a campaign's status
// keys (campaignKeys.status) and of the index table of updateScript.
var recipientStatuses = [...]backend.RecipientStatus{
	backend.RecipientPending, backend.RecipientSending, backend.RecipientSent,
	backend.RecipientBlocked, backend.RecipientFailed, backend.RecipientSkipped,
}

// statusIndex returns the index of st in recipientStatuses, or -1.
func statusIndex(st backend.RecipientStatus) int {
	for i, s := range recipientStatuses {
		if s == st {
			return i
		}
	}
	return -1
}

// campaignKeys are the keys of one campaign.
type campaignKeys struct {
	meta, r string
	status  [len(recipientStatuses)]string
}

func (b *Broadcasts) keys(id int64) campaignKeys {
	base := b.tag + strconv.FormatInt(id, 10) + "}:"
	k := campaignKeys{meta: base + "meta", r: base + "r"}
	for i, st := range recipientStatuses {
		k.status[i] = base + "s:" + string(st)
	}
	return k
}

// all returns meta, r and the status keys, in the order of updateScript's
// KEYS.
func (k campaignKeys) all() []string {
	return append([]string{k.meta, k.r}, k.status[:]...)
}

// createChunk is how many recipients one HSET and one ZADD of Create carry.
const createChunk = 1000

// Create implements backend.BroadcastStore. The recipients are written
// first, then the campaign's hash, then its id into the list, so that a
// Create cut short (Redis away, ctx done) leaves no campaign that
// Campaign or Campaigns would return, only recipient keys nothing points
// to.
func (b *Broadcasts) Create(ctx context.Context, c backend.Campaign, recipients []int64, now time.Time) (backend.Campaign, error) {
	if err := c.Message.Validate(); err != nil {
		return backend.Campaign{}, err
	}
	msg, err := json.Marshal(c.Message)
	if err != nil {
		return backend.Campaign{}, fmt.Errorf("backend/redis: broadcast create: %w", err)
	}
	chats := backend.UniqueRecipients(recipients)
	ids := b.base + "ids"
	id, err := b.client.Incr(ctx, ids).Result()
	if err != nil {
		return backend.Campaign{}, opError("broadcast create", ids, err)
	}
	k := b.keys(id)
	if len(chats) > 0 {
		pipe := b.client.Pipeline()
		for start := 0; start < len(chats); start += createChunk {
			end := min(start+createChunk, len(chats))
			fields := make([]any, 0, 2*(end-start))
			members := make([]goredis.Z, 0, end-start)
			for i := start; i < end; i++ {
				seq := int64(i + 1)
				chat := strconv.FormatInt(chats[i], 10)
				fields = append(fields, chat, encodeRecipient(seq, backend.RecipientPending, 0, 0, "", ""))
				members = append(members, goredis.Z{Score: float64(seq), Member: chat})
			}
			pipe.HSet(ctx, k.r, fields...)
			pipe.ZAdd(ctx, k.status[0], members...)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return backend.Campaign{}, opError("broadcast create", k.r, err)
		}
	}
	c.ID, c.Created, c.Total = id, time.Unix(0, now.UnixNano()), len(chats)
	paid := "0"
	if c.Paid {
		paid = "1"
	}
	if err := b.client.HSet(ctx, k.meta, "name", c.Name, "msg", msg, "paid", paid,
		"created", now.UnixNano(), "total", c.Total).Err(); err != nil {
		return backend.Campaign{}, opError("broadcast create", k.meta, err)
	}
	list := b.base + "list"
	if err := b.client.ZAdd(ctx, list, goredis.Z{Score: float64(id), Member: id}).Err(); err != nil {
		return backend.Campaign{}, opError("broadcast create", list, err)
	}
	return c, nil
}

// encodeRecipient is the value of a recipient's field in the r hash.
func encodeRecipient(seq int64, st backend.RecipientStatus, attempts int, messageID int64, updated, errText string) string {
	var sb strings.Builder
	sb.WriteString(strconv.FormatInt(seq, 10))
	sb.WriteByte('|')
	sb.WriteString(string(st))
	sb.WriteByte('|')
	sb.WriteString(strconv.Itoa(attempts))
	sb.WriteByte('|')
	sb.WriteString(strconv.FormatInt(messageID, 10))
	sb.WriteByte('|')
	sb.WriteString(updated)
	sb.WriteByte('|')
	sb.WriteString(errText)
	return sb.String()
}

// decodeRecipient reads a field of the r hash.
func decodeRecipient(chat, v string) (backend.Recipient, error) {
	parts := strings.SplitN(v, "|", 6)
	if len(parts) != 6 {
		return backend.Recipient{}, fmt.Errorf("%w: recipient %s: %q", backend.ErrCorrupt, chat, v)
	}
	r := backend.Recipient{Status: backend.RecipientStatus(parts[1]), Error: parts[5]}
	var errs [5]error
	r.Chat, errs[0] = strconv.ParseInt(chat, 10, 64)
	r.Seq, errs[1] = strconv.ParseInt(parts[0], 10, 64)
	r.Attempts, errs[2] = strconv.Atoi(parts[2])
	r.MessageID, errs[3] = strconv.ParseInt(parts[3], 10, 64)
	if parts[4] != "" {
		var ns int64
		ns, errs[4] = strconv.ParseInt(parts[4], 10, 64)
		r.Updated = time.Unix(0, ns)
	}
	if err := errors.Join(errs[:]...); err != nil || !r.Status.Valid() {
		return backend.Recipient{}, fmt.Errorf("%w: recipient %s: %q", backend.ErrCorrupt, chat, v)
	}
	return r, nil
}

// notFound is the error for an unknown campaign (or recipient).
func notFound(op, key string) error {
	return opError("broadcast "+op, key, backend.ErrCampaignNotFound)
}

// Campaign implements backend.BroadcastStore.
func (b *Broadcasts) Campaign(ctx context.Context, id int64) (backend.Campaign, error) {
	meta := b.keys(id).meta
	h, err := b.client.HGetAll(ctx, meta).Result()
	if err != nil {
		return backend.Campaign{}, opError("broadcast campaign", meta, err)
	}
	if len(h) == 0 {
		return backend.Campaign{}, notFound("campaign", meta)
	}
	return parseCampaign(id, meta, h)
}

// parseCampaign reads a campaign's meta hash.
func parseCampaign(id int64, meta string, h map[string]string) (backend.Campaign, error) {
	c := backend.Campaign{ID: id, Name: h["name"], Paid: h["paid"] == "1"}
	created, err1 := strconv.ParseInt(h["created"], 10, 64)
	total, err2 := strconv.Atoi(h["total"])
	err3 := json.Unmarshal([]byte(h["msg"]), &c.Message)
	if err := errors.Join(err1, err2, err3); err != nil {
		return backend.Campaign{}, opError("broadcast campaign", meta, fmt.Errorf("%w: %w", backend.ErrCorrupt, err))
	}
	c.Created, c.Total = time.Unix(0, created), total
	return c, nil
}

// Campaigns implements backend.BroadcastStore.
func (b *Broadcasts) Campaigns(ctx context.Context) ([]backend.Campaign, error) {
	list := b.base + "list"
	ids, err := b.client.ZRevRange(ctx, list, 0, -1).Result()
	if err != nil {
		return nil, opError("broadcast campaigns", list, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := b.client.Pipeline()
	cmds := make([]*goredis.MapStringStringCmd, len(ids))
	for i, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, opError("broadcast campaigns", list, fmt.Errorf("%w: campaign id %q", backend.ErrCorrupt, s))
		}
		cmds[i] = pipe.HGetAll(ctx, b.keys(id).meta)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, opError("broadcast campaigns", list, err)
	}
	out := make([]backend.Campaign, 0, len(ids))
	for i, cmd := range cmds {
		if len(cmd.Val()) == 0 {
			continue // listed but gone (deleted by hand)
		}
		id, _ := strconv.ParseInt(ids[i], 10, 64)
		c, err := parseCampaign(id, b.keys(id).meta, cmd.Val())
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// leaseScript is the compare-and-set of a campaign's runner lease.
//
//	KEYS[1]  meta hash
//	ARGV[1]  expect  ARGV[2]  owner ("" releases)
//	ARGV[3], ARGV[4]  until (Unix s, ns)  ARGV[5], ARGV[6]  now (Unix s, ns)
//
// Returns {-1} for an unknown campaign, else {set (1 or 0), owner, until
// s, until ns} of the lease in force afterwards. Times travel as seconds
// and nanoseconds because a Lua number holds Unix nanoseconds only to
// about 256 ns.
var leaseScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local cur = redis.call('HMGET', KEYS[1], 'lo', 'ls', 'ln')
local o, us, un = cur[1] or '', cur[2] or '0', cur[3] or '0'
local free = o == '' or o == ARGV[1]
if not free then
  local ns, nn = tonumber(ARGV[5]), tonumber(ARGV[6])
  local s, n = tonumber(us), tonumber(un)
  free = ns > s or (ns == s and nn >= n)
end
if not free then return {0, o, us, un} end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], 'lo', 'ls', 'ln')
  return {1, '', '0', '0'}
end
redis.call('HSET', KEYS[1], 'lo', ARGV[2], 'ls', ARGV[3], 'ln', ARGV[4])
return {1, ARGV[2], ARGV[3], ARGV[4]}
`)

// Lease implements backend.BroadcastStore: one script, so that of two
// runners in different processes only one gets a free lease.
func (b *Broadcasts) Lease(ctx context.Context, id int64, expect, owner string, until, now time.Time) (backend.CampaignLease, bool, error) {
	meta := b.keys(id).meta
	res, err := leaseScript.Run(ctx, b.client, []string{meta}, expect, owner,
		until.Unix(), until.Nanosecond(), now.Unix(), now.Nanosecond()).Slice()
	if err != nil {
		return backend.CampaignLease{}, false, opError("broadcast lease", meta, err)
	}
	if len(res) == 1 {
		return backend.CampaignLease{}, false, notFound("lease", meta)
	}
	set, _ := res[0].(int64)
	o, _ := res[1].(string)
	if len(res) != 4 || o == "" {
		return backend.CampaignLease{}, set == 1, nil
	}
	s, err1 := strconv.ParseInt(fmt.Sprint(res[2]), 10, 64)
	ns, err2 := strconv.ParseInt(fmt.Sprint(res[3]), 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return backend.CampaignLease{}, false, opError("broadcast lease", meta, fmt.Errorf("%w: lease until: %w", backend.ErrCorrupt, err))
	}
	return backend.CampaignLease{Owner: o, Until: time.Unix(s, ns)}, set == 1, nil
}

// recipientsScript reads a page of a status's recipients.
//
//	KEYS[1]  meta hash  KEYS[2]  the status's sorted set  KEYS[3]  r hash
//	ARGV[1]  after (seq)  ARGV[2]  at most this many
//
// Returns {-1} for an unknown campaign, else {1, chat, record, chat,
// record, …} in seq order.
var recipientsScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local chats = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf', 'LIMIT', 0, ARGV[2])
local out = {1}
if #chats == 0 then return out end
local recs = redis.call('HMGET', KEYS[3], unpack(chats))
for i = 1, #chats do
  out[2 * i] = chats[i]
  out[2 * i + 1] = recs[i] or ''
end
return out
`)

// recipientsPage bounds the chats one script returns (and unpacks).
const recipientsPage = 1000

// Recipients implements backend.BroadcastStore, in pages of at most 1000
// recipients, one script each.
func (b *Broadcasts) Recipients(ctx context.Context, id int64, st backend.RecipientStatus, after int64, n int) ([]backend.Recipient, error) {
	k := b.keys(id)
	i := statusIndex(st)
	if i < 0 || n <= 0 {
		// Nothing to list; still tell an unknown campaign.
		found, err := b.client.Exists(ctx, k.meta).Result()
		if err != nil {
			return nil, opError("broadcast recipients", k.meta, err)
		}
		if found == 0 {
			return nil, notFound("recipients", k.meta)
		}
		return nil, nil
	}
	var out []backend.Recipient
	for len(out) < n {
		page := min(n-len(out), recipientsPage)
		res, err := recipientsScript.Run(ctx, b.client, []string{k.meta, k.status[i], k.r}, after, page).Slice()
		if err != nil {
			return nil, opError("broadcast recipients", k.status[i], err)
		}
		if len(res) == 1 {
			if v, _ := res[0].(int64); v == -1 {
				return nil, notFound("recipients", k.meta)
			}
		}
		for j := 1; j+1 < len(res); j += 2 {
			chat, _ := res[j].(string)
			rec, _ := res[j+1].(string)
			r, err := decodeRecipient(chat, rec)
			if err != nil {
				return nil, opError("broadcast recipients", k.r, err)
			}
			out = append(out, r)
			after = r.Seq
		}
		if (len(res)-1)/2 < page {
			break
		}
	}
	return out, nil
}

// updateScript changes an open recipient (pending or sending); a final one
// is left alone.
//
//	KEYS[1]  meta hash  KEYS[2]  r hash  KEYS[3..8]  the status sets, in
//	         the order of recipientStatuses
//	ARGV[1]  chat  ARGV[2]  new status  ARGV[3]  updated (Unix ns)
//	ARGV[4]  "1": set attempts, message id and error from ARGV[5..7];
//	         "0": keep them (Begin)
//
// Returns 1 when changed, 0 when the recipient is final, -1 when the
// campaign or the recipient is unknown, -2 when its record is unreadable.
var updateScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local v = redis.call('HGET', KEYS[2], ARGV[1])
if not v then return -1 end
local seq, st, att, mid, _, err = string.match(v, '^(%d+)|(%a+)|(%-?%d*)|(%-?%d*)|(%-?%d*)|(.*)$')
if not seq then return -2 end
if st ~= 'pending' and st ~= 'sending' then return 0 end
if ARGV[4] == '1' then
  att, mid, err = ARGV[5], ARGV[6], ARGV[7]
end
redis.call('HSET', KEYS[2], ARGV[1], seq .. '|' .. ARGV[2] .. '|' .. att .. '|' .. mid .. '|' .. ARGV[3] .. '|' .. err)
if st ~= ARGV[2] then
  local idx = {pending = 3, sending = 4, sent = 5, blocked = 6, failed = 7, skipped = 8}
  redis.call('ZREM', KEYS[idx[st]], ARGV[1])
  redis.call('ZADD', KEYS[idx[ARGV[2]]], seq, ARGV[1])
end
return 1
`)

// Begin implements backend.BroadcastStore.
func (b *Broadcasts) Begin(ctx context.Context, id, chat int64, now time.Time) error {
	return b.update(ctx, "begin", id, chat, backend.RecipientSending, now, "0")
}

// Finish implements backend.BroadcastStore.
func (b *Broadcasts) Finish(ctx context.Context, id int64, r backend.Recipient, now time.Time) error {
	if !r.Status.Valid() {
		return opError("broadcast finish", b.keys(id).r, fmt.Errorf("chat %d: invalid status %q", r.Chat, r.Status))
	}
	return b.update(ctx, "finish", id, r.Chat, r.Status, now, "1", r.Attempts, r.MessageID, r.Error)
}

// update runs updateScript for chat of campaign id.
func (b *Broadcasts) update(ctx context.Context, op string, id, chat int64, st backend.RecipientStatus, now time.Time, outcome string, more ...any) error {
	k := b.keys(id)
	updated := ""
	if !now.IsZero() {
		updated = strconv.FormatInt(now.UnixNano(), 10)
	}
	args := append([]any{chat, string(st), updated, outcome}, more...)
	n, err := updateScript.Run(ctx, b.client, k.all(), args...).Int64()
	switch {
	case err != nil:
		return opError("broadcast "+op, k.r, err)
	case n == -1:
		return opError("broadcast "+op, k.r, fmt.Errorf("chat %d: %w", chat, backend.ErrCampaignNotFound))
	case n == -2:
		return opError("broadcast "+op, k.r, fmt.Errorf("%w: record of chat %d", backend.ErrCorrupt, chat))
	}
	return nil
}

// progressScript counts a campaign's recipients by state.
//
//	KEYS[1]  meta hash  KEYS[2..7]  the status sets
//
// Returns {-1} for an unknown campaign, else the six counts.
var progressScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local out = {}
for i = 2, #KEYS do
  out[i - 1] = redis.call('ZCARD', KEYS[i])
end
return out
`)

// Progress implements backend.BroadcastStore, in one script.
func (b *Broadcasts) Progress(ctx context.Context, id int64) (backend.CampaignProgress, error) {
	k := b.keys(id)
	counts, err := progressScript.Run(ctx, b.client, append([]string{k.meta}, k.status[:]...)).Int64Slice()
	if err != nil {
		return backend.CampaignProgress{}, opError("broadcast progress", k.meta, err)
	}
	if len(counts) != len(recipientStatuses) {
		return backend.CampaignProgress{}, notFound("progress", k.meta)
	}
	p := backend.CampaignProgress{
		Pending: int(counts[0]), Sending: int(counts[1]), Sent: int(counts[2]),
		Blocked: int(counts[3]), Failed: int(counts[4]), Skipped: int(counts[5]),
	}
	p.Total = p.Pending + p.Sending + p.Sent + p.Blocked + p.Failed + p.Skipped
	return p, nil
}
