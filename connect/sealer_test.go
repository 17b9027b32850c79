package connect

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpen(t *testing.T) {
	s, err := NewSealer(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"access":"xoxp-1-secret"}`)
	a, err := s.Seal("UMIA", plain)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Seal("UMIA", plain)
	if bytes.Equal(a, b) {
		t.Error("two seals of the same value are equal: the nonce is not fresh")
	}
	if bytes.Contains(a, []byte("xoxp-")) || bytes.Contains(a, plain[2:12]) {
		t.Errorf("the sealed value shows the plain text: %q", a)
	}
	if a[0] != sealVersion {
		t.Errorf("first byte %d, want the version %d", a[0], sealVersion)
	}
	got, err := s.Open("UMIA", a)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v; want %q", got, err, plain)
	}

	if _, err := s.Open("UBEN", a); err == nil {
		t.Error("a value sealed for UMIA opened as UBEN's")
	}
	bad := bytes.Clone(a)
	bad[len(bad)-1] ^= 1
	if _, err := s.Open("UMIA", bad); err == nil {
		t.Error("a changed value opened")
	}
	if _, err := s.Open("UMIA", a[:10]); err == nil {
		t.Error("a cut value opened")
	}
	other, _ := NewSealer(testKey(2))
	if _, err := other.Open("UMIA", a); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Open under another key: %v, want ErrWrongKey", err)
	}
}

func TestSubkeysDiffer(t *testing.T) {
	key := testKey(7)
	seal, _ := subkey(key, infoSeal)
	state, _ := subkey(key, infoState)
	if bytes.Equal(seal, state) || bytes.Equal(seal, key) || bytes.Equal(state, key) {
		t.Fatal("the sealing key, the state key and COACH_TOKEN_KEY are not all different")
	}
}

func TestKeys(t *testing.T) {
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ParseKey(k)
	if err != nil || len(raw) != KeySize {
		t.Fatalf("ParseKey(NewKey()) = %d bytes, %v", len(raw), err)
	}
	if k2, _ := NewKey(); k2 == k {
		t.Error("NewKey returned the same key twice")
	}
	url := base64.RawURLEncoding.EncodeToString(raw)
	if got, err := ParseKey(" " + url + "\n"); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("ParseKey(url base64 with spaces) = %v, %v", got, err)
	}
	for _, c := range []struct{ in, want string }{
		{"", "not set"},
		{"c2hvcnQ=", "decodes to 5 bytes"},
		{"not base64 at all!", "not base64"},
	} {
		_, err := ParseKey(c.in)
		if !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "COACH_TOKEN_KEY") {
			t.Errorf("ParseKey(%q) = %v, want ErrKey saying %q", c.in, err, c.want)
		}
	}
	if _, err := NewSealer(make([]byte, 16)); !errors.Is(err, ErrKey) {
		t.Errorf("NewSealer(16 bytes) = %v, want ErrKey", err)
	}
}
