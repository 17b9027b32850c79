package connect

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StateTTL is how long a Connect link (and the state it carries through
// Slack) stays valid.
const StateTTL = 10 * time.Minute

// stateVersion starts every state payload.
const stateVersion = "c1"

// Reasons a state is refused. The callback shows each in plain words.
var (
	errStateMissing = errors.New("the link has no state")
	errStateForged  = errors.New("the link's state is not one coach signed")
	errStateExpired = errors.New("the link has expired")
)

// state is what a Connect link vouches for: who asked, in which workspace,
// until when, and a nonce that makes it single-use.
type state struct {
	User    string
	Team    string
	Expires time.Time
	Nonce   string
}

// stateSigner signs and checks states with HMAC-SHA256 under a subkey of
// COACH_TOKEN_KEY.
type stateSigner struct {
	key []byte
}

func newStateSigner(key []byte) (stateSigner, error) {
	k, err := subkey(key, infoState)
	if err != nil {
		return stateSigner{}, fmt.Errorf("connect: derive state key: %w", err)
	}
	return stateSigner{key: k}, nil
}

// issue makes a fresh state for user in team, valid for StateTTL from now,
// and returns its signed form.
func (s stateSigner) issue(user, team string, now time.Time) (string, error) {
	if !validID(user) || !validID(team) {
		return "", fmt.Errorf("connect: state for user %q in team %q: not Slack ids", user, team)
	}
	n := make([]byte, 16)
	if _, err := rand.Read(n); err != nil {
		return "", fmt.Errorf("connect: state nonce: %w", err)
	}
	st := state{User: user, Team: team, Expires: now.Add(StateTTL).Truncate(time.Second), Nonce: hex.EncodeToString(n)}
	return s.sign(st), nil
}

// sign returns base64url(payload) "." base64url(HMAC(payload)), where the
// payload is "c1|user|team|expiry unix seconds|nonce".
func (s stateSigner) sign(st state) string {
	payload := strings.Join([]string{stateVersion, st.User, st.Team, strconv.FormatInt(st.Expires.Unix(), 10), st.Nonce}, "|")
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(s.mac(payload))
}

func (s stateSigner) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// verify checks signed's signature and expiry (not its single use: the
// store remembers used nonces) and returns the state.
func (s stateSigner) verify(signed string, now time.Time) (state, error) {
	if signed == "" {
		return state{}, errStateMissing
	}
	if len(signed) > 512 {
		return state{}, errStateForged
	}
	p64, m64, found := strings.Cut(signed, ".")
	if !found {
		return state{}, errStateForged
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p64)
	mac, err2 := enc.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(string(payload))) {
		return state{}, errStateForged
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 5 || f[0] != stateVersion {
		return state{}, errStateForged
	}
	exp, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil || !validID(f[1]) || !validID(f[2]) || len(f[4]) != 32 {
		return state{}, errStateForged
	}
	st := state{User: f[1], Team: f[2], Expires: time.Unix(exp, 0), Nonce: f[4]}
	if !now.Before(st.Expires) {
		return st, errStateExpired
	}
	return st, nil
}

// validID reports whether s looks like a Slack user or team id: upper-case
// letters and digits, at most 32 of them.
func validID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
