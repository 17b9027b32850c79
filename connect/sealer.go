package connect

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of COACH_TOKEN_KEY once decoded: 32 bytes.
const KeySize = 32

// sealVersion is the first byte of every sealed value: the format below.
const sealVersion = 1

// keyIDSize is how many bytes of the key's fingerprint follow the version
// byte, so a value sealed under another key is told apart from a corrupt one.
const keyIDSize = 4

// HKDF info strings: each use of the install's key gets its own subkey, so
// the key that signs state never seals a token and neither is the raw key.
const (
	infoSeal  = "coach connect: token sealing v1"
	infoState = "coach connect: state signing v1"
	infoKeyID = "coach connect: key id v1"
)

// ErrKey means COACH_TOKEN_KEY is missing or not 32 bytes of base64.
var ErrKey = errors.New("COACH_TOKEN_KEY must be 32 random bytes in base64 (make one with `coach connect-key`)")

// ErrWrongKey means a sealed value was made under another key than the
// one configured now.
var ErrWrongKey = errors.New("sealed under another COACH_TOKEN_KEY (was the key changed? the manager must connect again)")

// NewKey returns a fresh random key in the base64 form COACH_TOKEN_KEY takes.
func NewKey() (string, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return "", fmt.Errorf("connect: new key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(k), nil
}

// ParseKey decodes COACH_TOKEN_KEY (standard or URL base64, padded or not)
// and checks its length.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("connect: COACH_TOKEN_KEY is not set: %w", ErrKey)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("connect: COACH_TOKEN_KEY decodes to %d bytes, want %d: %w", len(k), KeySize, ErrKey)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("connect: COACH_TOKEN_KEY is not base64: %w", ErrKey)
}

// subkey derives a 32-byte key for one purpose from the install's key.
func subkey(key []byte, info string) ([]byte, error) {
	return hkdf.Key(sha256.New, key, nil, info, 32)
}

// Sealer encrypts tokens with AES-256-GCM under a subkey of COACH_TOKEN_KEY.
// A sealed value is
//
//	version (1 byte) | key id (4 bytes) | nonce (12 bytes) | ciphertext and tag
//
// with a fresh random nonce each time, and the owner's Slack user id as
// additional data, so a value moved to another user's record fails to open.
type Sealer struct {
	aead  cipher.AEAD
	keyID [keyIDSize]byte
}

// NewSealer makes a Sealer from the 32-byte key (see ParseKey).
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("connect: token key is %d bytes, want %d: %w", len(key), KeySize, ErrKey)
	}
	sk, err := subkey(key, infoSeal)
	if err != nil {
		return nil, fmt.Errorf("connect: derive sealing key: %w", err)
	}
	block, err := aes.NewCipher(sk)
	if err != nil {
		return nil, fmt.Errorf("connect: sealing cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("connect: sealing cipher: %w", err)
	}
	id, err := subkey(key, infoKeyID)
	if err != nil {
		return nil, fmt.Errorf("connect: derive key id: %w", err)
	}
	s := &Sealer{aead: aead}
	copy(s.keyID[:], id)
	return s, nil
}

// Seal encrypts plain for user.
func (s *Sealer) Seal(user string, plain []byte) ([]byte, error) {
	head := 1 + keyIDSize
	out := make([]byte, head+s.aead.NonceSize(), head+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	copy(out[1:head], s.keyID[:])
	nonce := out[head:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("connect: seal: nonce: %w", err)
	}
	return s.aead.Seal(out, nonce, plain, []byte(user)), nil
}

// Open decrypts a value Seal made for user. It returns ErrWrongKey when the
// value was sealed under another key.
func (s *Sealer) Open(user string, sealed []byte) ([]byte, error) {
	head := 1 + keyIDSize
	if len(sealed) < head+s.aead.NonceSize()+s.aead.Overhead() {
		return nil, errors.New("connect: open: sealed value too short")
	}
	if sealed[0] != sealVersion {
		return nil, fmt.Errorf("connect: open: unknown sealed format %d", sealed[0])
	}
	if [keyIDSize]byte(sealed[1:head]) != s.keyID {
		return nil, fmt.Errorf("connect: open: %w", ErrWrongKey)
	}
	nonce := sealed[head : head+s.aead.NonceSize()]
	plain, err := s.aead.Open(nil, nonce, sealed[head+s.aead.NonceSize():], []byte(user))
	if err != nil {
		return nil, fmt.Errorf("connect: open: sealed value does not verify (damaged, or not %s's)", user)
	}
	return plain, nil
}
