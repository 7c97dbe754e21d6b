// Package health serves a program's liveness and readiness probes, as a
// Kubernetes probe or a load balancer asks for them: GET /healthz answers
// 200 while the process serves HTTP, and GET /readyz answers 200 only when
// every Check passes within its time, else 503. Both answer a small JSON
// object naming each check and, for a failed one, why.
//
// A bot gets its checks from herald.Bot.HealthHandler (its engine, its
// update journal, Telegram); the package itself knows nothing of bots.
package health
