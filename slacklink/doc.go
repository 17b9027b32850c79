// Package slacklink is coach's Socket Mode client: the WebSocket link over
// which Slack delivers events, slash commands and interactions, and over
// which coach acknowledges them.
//
// It owns the link and nothing behind it: apps.connections.open with the
// app-level token, the hello frame, WebSocket pings and pongs (answering
// Slack's and sending its own, so a dead link is noticed), disconnect
// frames, and reconnecting with bounded, jittered backoff. Slack's pings
// and disconnect frames are read by the link's reader, in order with its
// envelopes: while the consumer is behind (Envelopes full) the reader
// waits for it and they go unread. The link is not judged silent for
// that; ConsumerWait says how long the reader has waited, so that the
// consumer's readiness can fail when it is stuck. On a refresh
// ("warning", "refresh_requested") it opens the new link first and closes
// the old one only once the new one has said hello and the old one's
// envelopes are acked, as Slack allows several links per app; envelopes from
// every link arrive on one channel.
//
// Each frame is read once (Parse): its envelope fields are taken out and its
// payload is handed on as the bytes Slack sent, for the consumer's own
// decoder. A frame that is not valid JSON still yields its envelope_id when
// one can be found, as a Bad envelope, so it can be acked and skipped.
//
// Acks go back on the link their envelope came on (any open link when that
// one is gone), one JSON object per WebSocket message as Slack expects, and
// a writer per link puts every ack queued at the time into one socket write.
//
// It never decodes payloads, never decides what an envelope means, and
// never logs a payload, a token or a link URL (which carries a ticket).
package slacklink
