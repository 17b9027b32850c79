package pulse

import (
	"crypto/hmac"
	"crypto/sha256"
)

// keyLabel names what the key derived from the operator's key is for, so
// it is never the same as the key that seals tokens (or any other use).
const keyLabel = "coach trust pulse: respondent hashes and button tags v1"

// Key is the trust pulse's own key, derived from the operator's key
// (COACH_TOKEN_KEY, decoded) by HMAC-SHA256 with a label. It keys the
// hashes that count each respondent once and the tags on their DM's
// buttons. The operator's key is kept outside the database and its
// backups, so a copy of the database alone cannot link a hash, or an
// answer, to a person.
func Key(operatorKey []byte) []byte {
	m := hmac.New(sha256.New, operatorKey)
	m.Write([]byte(keyLabel))
	return m.Sum(nil)
}
