// Package slackfake is an in-process fake of the parts of Slack that coach talks to.
//
// A Server listens on 127.0.0.1 (a random port) and serves two things, so that the real
// slack-go client works against it unmodified:
//
//   - the Web API methods the bot calls, under APIURL(): auth.test, apps.connections.open,
//     users.list, users.info, conversations.open/info/members/history, chat.postMessage,
//     chat.postEphemeral, chat.update, chat.delete, reactions.add/remove,
//     views.publish/open/update, and the current file upload flow
//     (files.getUploadURLExternal, a POST of the bytes, files.completeUploadExternal);
//     and oauth.v2.access and auth.revoke, with the OAuth authorize page a browser opens
//     at AuthorizeURL() (oauth.go); and, for a user token, users.conversations and
//     conversations.info/members/history/replies of the conversations that user is in,
//     with history between people seeded by a test (AddDM, AddGroupDM, SeedHistory:
//     threads, broadcast replies, reactions) and per-method rate limits that answer 429
//     with Retry-After on the fake's clock (SetRateLimit, Tier3, EarlyRetries; history.go);
//   - the Socket Mode WebSocket link that apps.connections.open hands out: a hello frame
//     on connect, envelopes (events_api, slash_commands, interactive) delivered in order,
//     acks recorded, unacked envelopes redelivered first on the next connection with
//     retry_attempt incremented (as Slack does), disconnect frames, abrupt drops, a
//     link that goes quiet without closing (StallLink), server WebSocket pings so
//     slack-go's dead-man timer stays quiet, and several connections open at once
//     (Options.MaxLinks), with what a test checks of them: PeakLinks, LinkGaps, and
//     the pings and pongs clients sent.
//
// Everything the bot sends is recorded for assertions (Calls, Messages, Ephemerals,
// Reactions, HomeView, Files, Acks), and faults can be injected per method (FailNext),
// including HTTP 429 with a Retry-After header. A Server is safe for concurrent use.
//
// Every Block Kit payload is checked against the limits Slack documents (blockkit.go):
// blocks of chat.postMessage, chat.postEphemeral and chat.update, and views of
// views.publish/open/update, are refused with invalid_blocks (and Slack's json-pointer
// messages) when they break one; a missing fallback text beside blocks, or a block_id
// that chat.update keeps while changing the block, is accepted with a warning, as
// Slack's docs only ask for those. Ack payloads and response_url bodies are checked
// too, though they cannot be refused. BlockChecks returns every check.
//
// What it deliberately does not do:
//
//   - no request signing or signature checks: a call is authorised when it carries the
//     configured bot or app token, or a user token the OAuth side (oauth.go) issued, nothing
//     more. That side is small: an authorize page (a form with Allow and Cancel) acting for
//     the user set with SignIn, oauth.v2.access (code or refresh token, with the client id
//     and secret of SetOAuthApp as form fields), auth.revoke, and token rotation when
//     enabled; an expired user token is simply invalid_auth;
//   - no rate limiting beyond the faults a test injects and the limits it sets;
//   - no permission model for the bot (a user token reads only its user's
//     conversations): the bot is a member of every conversation and may post
//     anywhere; posting to an unknown channel ID creates it, and posting to a user ID
//     opens (or reuses) the DM with that user;
//   - no events of its own: posting a message does not echo a message event over the
//     socket; tests send the events they want with SendEvent;
//   - no search, pins, scheduled messages or legacy files.upload: any method it does not
//     know answers unknown_method;
//   - the user directory holds only the users added with AddUser (not the bot itself).
//
// The fake never logs message text; with Options.Logf set it logs method names, IDs and
// connection events only.
package slackfake
