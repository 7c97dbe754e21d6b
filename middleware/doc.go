// Package middleware holds Herald's standard middleware: panic recovery,
// logging, per-user anti-flood throttling, admin-only access and handler
// timeouts. Each is a herald.Handler that calls c.Next(); register it with
// Router.Use (outer: every update) or Router.UseInner (around the chosen
// handler), or conditionally with UseIf/UseInnerIf.
package middleware
