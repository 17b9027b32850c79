// Package ops is what an operator sees of coach: Prometheus metrics, the
// /healthz and /readyz checks, an online database backup, and the token
// check of `coach check`. Metrics never carry a message's text or a
// person's id: their labels are event types, signal kinds, button actions,
// Web API methods and error codes.
package ops
