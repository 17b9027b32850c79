package connect

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStateSignVerify(t *testing.T) {
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	s, err := newStateSigner(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := s.issue("UMIA", "T0ACME", now)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.verify(signed, now.Add(9*time.Minute))
	if err != nil {
		t.Fatalf("verify within 10 minutes: %v", err)
	}
	if st.User != "UMIA" || st.Team != "T0ACME" || !st.Expires.Equal(now.Add(StateTTL)) || len(st.Nonce) != 32 {
		t.Errorf("state = %+v", st)
	}
	again, _ := s.issue("UMIA", "T0ACME", now)
	if st2, _ := s.verify(again, now); st2.Nonce == st.Nonce {
		t.Error("two states share a nonce")
	}
	if _, err := s.verify(signed, now.Add(StateTTL)); !errors.Is(err, errStateExpired) {
		t.Errorf("verify at expiry: %v, want errStateExpired", err)
	}

	payload, mac, _ := strings.Cut(signed, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	forgedUser := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "UMIA", "UBEN", 1))) + "." + mac
	otherKey, _ := newStateSigner(testKey(2))
	byOther, _ := otherKey.issue("UMIA", "T0ACME", now)
	for name, bad := range map[string]string{
		"user changed":    forgedUser,
		"mac cut":         signed[:len(signed)-2],
		"no mac":          payload,
		"other key":       byOther,
		"not base64":      "!!!.???",
		"too long":        strings.Repeat("a", 600) + "." + mac,
		"empty payload":   "." + mac,
		"wrong structure": base64.RawURLEncoding.EncodeToString([]byte("c1|UMIA")) + "." + base64.RawURLEncoding.EncodeToString(s.mac("c1|UMIA")),
	} {
		if _, err := s.verify(bad, now); !errors.Is(err, errStateForged) {
			t.Errorf("%s: verify = %v, want errStateForged", name, err)
		}
	}
	if _, err := s.verify("", now); !errors.Is(err, errStateMissing) {
		t.Errorf("empty: %v, want errStateMissing", err)
	}
	if _, err := s.issue("U|MIA", "T0ACME", now); err == nil {
		t.Error("issued a state for an id that is not a Slack id")
	}
}
