// Package pii protects personal data at rest: AES-256-GCM sealing for the
// fields nobody searches on (date of birth, SIN, address, contact details),
// and a keyed hash (HMAC-SHA256) for the ones the lender must find people by
// (name + date of birth) without storing them in clear.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Vault seals and indexes personal data with keys derived from one server key.
type Vault struct {
	aead  cipher.AEAD
	index []byte
}

// NewVault derives the sealing and indexing keys from key (≥ 32 bytes), so
// one server secret serves both without the two uses sharing a key.
func NewVault(key []byte) (*Vault, error) {
	if len(key) < 32 {
		return nil, errors.New("pii: key shorter than 32 bytes")
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("openflex pii " + label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("seal"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Vault{aead: aead, index: derive("index")}, nil
}

// Seal encrypts plaintext bound to aad (the owning row's id, so a sealed
// value copied onto another row does not open).
func (v *Vault) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, v.aead.NonceSize(), v.aead.NonceSize()+len(plaintext)+v.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("pii: crypto/rand failed: " + err.Error())
	}
	return v.aead.Seal(nonce, nonce, plaintext, aad)
}

// Open decrypts what Seal produced for the same aad.
func (v *Vault) Open(sealed, aad []byte) ([]byte, error) {
	n := v.aead.NonceSize()
	if len(sealed) < n+v.aead.Overhead() {
		return nil, errors.New("pii: sealed value too short")
	}
	return v.aead.Open(nil, sealed[:n], sealed[n:], aad)
}

// Index returns the keyed hash of the normalised parts: case, accents of
// the common Latin letters and extra spaces do not matter, so "Zoë  Tremblay"
// finds "zoe tremblay".
func (v *Vault) Index(parts ...string) []byte {
	m := hmac.New(sha256.New, v.index)
	for _, p := range parts {
		m.Write([]byte(Normalize(p)))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// Normalize lower-cases, removes accents (any precomposed or combining
// form: "Zoë", "Zoe\u0308" and "ZOE" are one name) and collapses whitespace.
func Normalize(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.FieldsFunc(b.String(), unicode.IsSpace), " ")
}

// MaskEmail shows enough of an address for a customer to recognise it:
// "j•••@example.com".
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "•••"
	}
	return local[:1] + "•••@" + domain
}

// MaskPhone keeps the last four digits: "•••-•••-0199".
func MaskPhone(phone string) string {
	if len(phone) < 4 {
		return "•••"
	}
	return "•••-•••-" + phone[len(phone)-4:]
}
