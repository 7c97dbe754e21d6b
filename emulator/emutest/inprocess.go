package emutest

import (
	"net/http"

	"github.com/heraldbot/herald/emulator/internal/inprocess"
)

// InProcessURL is a Bot API base URL for a client whose transport is an
// InProcess (tg.WithBaseURL): its host is never resolved.
const InProcessURL = "http://emulator.invalid"

// InProcess is an http.RoundTripper that serves every request with an
// http.Handler (the emulator's Handler) in this process, without a
// network: an http.Transport and an http.Server speak HTTP/1.1 to each
// other over net.Pipe connections. The request and the answer pass
// through both real HTTP stacks, so the client sees what it would over
// TCP: httptrace hooks fire (GotConn when a connection is handed to a
// request), connections are kept alive and reused, and a handler may
// hijack and close its connection (the client then gets a network
// error).
//
// Unlike a loopback socket, a pipe blocks durably in a testing/synctest
// bubble, so a test using InProcess can run in one: its time advances
// when every goroutine waits, including those of the HTTP stacks. Create
// the InProcess inside the bubble that uses it, and Close it before the
// bubble ends (t.Cleanup does, inside the bubble).
//
// Its methods: RoundTrip (the URL may name any host, InProcessURL say,
// but must be http); Client, an http.Client on it for tg.WithHTTPClient;
// DialContext, a new connection to the handler for an http.Transport of
// one's own; Close, which stops the server, closes its connections and
// the idle ones of the transport (requests in progress fail).
type InProcess = inprocess.Transport

// NewInProcess serves h until Close.
func NewInProcess(h http.Handler) *InProcess { return inprocess.New(h) }
