// Package jsonscan reads JSON in one pass and never quotes it. It is how
// coach reads what Slack sends before encoding/json would: slacklink's
// Parse takes a Socket Mode frame apart with a Scanner, and the decoder's
// fast path (package decode) an Events API payload.
//
// A Scanner validates the whole document as it goes, reading the values its
// caller asks for and passing over the rest. Options give the two
// contracts its callers need:
//
//   - Without Plain it decides on its own, as encoding/json would decode
//     into the caller's fields: a syntax error stops it, a null reads as the
//     zero value, a value of the wrong type is noted (TypeErr) and the scan
//     goes on, keys are unescaped and match exactly (slacklink.Parse, whose
//     FuzzParse holds it to an encoding/json reference).
//   - With Plain it reads only plain JSON of the expected types and gives up
//     (ErrNotPlain) on anything else — a null, another type, a key that is
//     escaped, not ASCII or has an upper-case letter — for a caller that then
//     decodes with encoding/json, whose answer stays the reference (the
//     decoder's fast path, whose FuzzDecodeFast holds it to encoding/json).
//
// Errors name byte offsets, keys and types, never a value: Redact does the
// same for the errors of encoding/json, so that either can be logged.
package jsonscan
