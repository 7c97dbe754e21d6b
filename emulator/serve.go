package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Serve serves Handler on ln until ctx ends, then ends long polls and
// event streams, stops webhook deliveries, and shuts the server down
// gracefully (at most 5 s). It returns nil after a clean shutdown.
func (e *Emulator) Serve(ctx context.Context, ln net.Listener) error {
	return e.ServeHandler(ctx, ln, e.Handler())
}

// ServeHandler is Serve with h answering the requests: a handler that
// serves a few paths of its own (a program's health probes, say) and
// passes the others to Handler.
func (e *Emulator) ServeHandler(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          nil,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		_ = e.Close()
		return err
	case <-ctx.Done():
	}
	_ = e.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
