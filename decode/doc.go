// Package decode turns Slack Events API payloads (an event_callback's JSON,
// as a Socket Mode envelope or a replayed export carries it) into coach's
// derived records: a Decoded with a signals.Event — a message, a deletion, a
// reaction or a person — or the reason it was skipped, and what else the
// payload asks of coach (an App Home opened, a DM to coach, revoked tokens,
// a DM whose members are still to learn).
//
// No message text leaves this package. A message's text is read only to be
// classified (signals.Lexicon: question, recognition, status chase …) and
// for its mentions, then dropped: neither Decoded nor an error or skip
// reason holds a word of it, so logs and metrics can carry them. Errors
// name offsets, fields, types and sizes, never a value (FuzzDecode checks
// that against the words of the code).
//
// Decoder.Decode reads a payload in one pass with a Plain jsonscan.Scanner
// (the fast path, decode_fast.go). The fast path takes only plain JSON — the
// fields coach reads of the types it expects, lower-case ASCII keys, each
// once, shallow nesting — and gives up on anything else; the payload is then
// decoded with encoding/json (the reference, decodeJSON), whose results and
// errors decide. Both paths
// give the same answer for every input (TestDecodeFastMatchesJSON,
// FuzzDecodeFast). What either path reads is then checked (validate.go):
// ids, ts and sizes coach could not store are refused as malformed.
package decode
