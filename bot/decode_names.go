package bot

import (
	"coach/decode"
	"coach/internal/jsonscan"
)

// The decoder's names as this package used them before it moved to package
// decode; the files that still say them switch to decode's, and this file
// goes.
type (
	Decoder   = decode.Decoder
	Decoded   = decode.Decoded
	DMToCoach = decode.DMToCoach
)

func jsonError(err error) error { return jsonscan.Redact(err) }
