// Package connect owns Connect: a manager's consent for coach to read their
// DMs and group DMs with their reports, given through Slack's OAuth with a
// user token, and the keeping of that token.
//
// The flow: Link makes the address coach posts to a manager who asked
// (ephemeral, in Slack). It points at StartPath on connect.public_url with
// a state that is HMAC-signed, bound to that Slack user and workspace,
// valid for StateTTL and single-use. The start path sends the browser to
// Slack's oauth/v2/authorize, on the host of slack.api_url, asking for
// UserScopes only (no bot scope). Slack sends the browser back to
// CallbackPath with a code and the state; the callback checks the state
// (its nonce is spent in the Store, so a callback URL works once, across
// restarts too), trades the code at oauth.v2.access, refuses a token that
// is not that user's in that workspace (and revokes it), seals the token
// (AES-256-GCM, see Sealer) and stores it, shows a small plain page and
// calls Config.OnConnected.
//
// The endpoint serves plain HTTP on connect.listen (TLS is the operator's
// proxy's job) and nothing but those two paths. Its pages load nothing
// from elsewhere, are never cached, and carry a CSP that allows only their
// one inline style. Every refusal is a page in plain words, and nothing is
// stored for it.
//
// Keys: COACH_TOKEN_KEY (32 bytes) is never used as is. HKDF-SHA256 gives
// one subkey to sign states and another to seal tokens, so neither use can
// be turned against the other.
//
// After connecting, Token opens a manager's token for calls made on their
// behalf (refreshing a rotating token before it expires), and Disconnect
// revokes it at Slack (auth.revoke) and deletes it.
//
// What it never does: log or show a token, a code, the client secret or
// the key; store a token in clear; read any conversation (that is the
// bot's, with the token Token returns); decide who is a manager
// (Config.IsManager does).
package connect
