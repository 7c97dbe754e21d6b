// Package inprocess serves HTTP between a client and a handler of one
// process over net.Pipe connections: real HTTP stacks on both ends, no
// socket, so that it runs in a testing/synctest bubble. emutest exports
// it as InProcess; the emulator's own tests, which cannot import emutest,
// use it directly.
package inprocess

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// Transport is an http.RoundTripper that serves every request with an
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
// bubble, so a test using a Transport can run in one: its time advances
// when every goroutine waits, including those of the HTTP stacks. Create
// the Transport inside the bubble that uses it, and Close it before the
// bubble ends (t.Cleanup does, inside the bubble).
type Transport struct {
	srv  *http.Server
	tr   *http.Transport
	ln   *pipeListener
	done chan struct{} // closed when Serve returned
}

// New serves h until Close.
func New(h http.Handler) *Transport {
	p := &Transport{
		srv:  &http.Server{Handler: h},
		ln:   &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})},
		done: make(chan struct{}),
	}
	p.tr = &http.Transport{
		DialContext:         p.DialContext,
		MaxIdleConnsPerHost: 64,
		DisableCompression:  true,
	}
	go func() {
		defer close(p.done)
		_ = p.srv.Serve(p.ln)
	}()
	return p
}

// RoundTrip implements http.RoundTripper. The request's URL may name any
// host (emutest.InProcessURL, say) but must be http.
func (p *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	return p.tr.RoundTrip(r)
}

// Client returns an http.Client on p, for tg.WithHTTPClient.
func (p *Transport) Client() *http.Client {
	return &http.Client{Transport: p}
}

// DialContext opens a new connection to the handler, whatever network
// and address: for an http.Transport of one's own (one that wraps the
// connections, say). Close does not close its idle connections.
func (p *Transport) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case p.ln.conns <- server:
		return client, nil
	case <-p.ln.closed:
		err := net.ErrClosed
		_ = client.Close()
		_ = server.Close()
		return nil, &net.OpError{Op: "dial", Net: "pipe", Err: err}
	case <-ctx.Done():
		_ = client.Close()
		_ = server.Close()
		return nil, &net.OpError{Op: "dial", Net: "pipe", Err: ctx.Err()}
	}
}

// Close closes the idle connections of p's transport, stops the server
// and closes the connections it serves (not the hijacked ones), and waits
// for its accept loop to end. Requests still in progress fail.
func (p *Transport) Close() error {
	p.tr.CloseIdleConnections()
	err := p.srv.Close()
	<-p.done
	return err
}

// pipeListener hands the server end of each dialled pipe to the server.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "in-process" }
