package till

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"

	"github.com/openflex/openflex/internal/web"
)

// A look-up answers with a redirect (a reload must not post the search
// again), so the accounts it found travel in the day page's URL. They are
// sealed (AES-GCM) under a key drawn from the session's secret: the URL,
// in the browser's history or a log, shows no account number, works for
// this session alone, and for foundTTL.

// foundTTL is how long a look-up's result can be reloaded.
const foundTTL = 15 * time.Minute

func foundAEAD(pg *web.Page) (cipher.AEAD, bool) {
	s := pg.Session()
	if s == nil || len(s.CSRFSecret) == 0 {
		return nil, false
	}
	m := hmac.New(sha256.New, s.CSRFSecret)
	m.Write([]byte("openflex till look-up"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, false
	}
	aead, err := cipher.NewGCM(block)
	return aead, err == nil
}

// sealFound seals the account numbers a look-up found at now.
func sealFound(pg *web.Page, now time.Time, numbers []string) string {
	aead, ok := foundAEAD(pg)
	if !ok {
		return ""
	}
	plain := binary.BigEndian.AppendUint64(nil, uint64(now.Add(foundTTL).Unix()))
	plain = append(plain, strings.Join(numbers, ",")...)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, nil))
}

// openFound returns the account numbers sealed by sealFound for this
// session; ok is false for anything else or past its time.
func openFound(pg *web.Page, now time.Time, token string) (numbers []string, ok bool) {
	aead, ok := foundAEAD(pg)
	if !ok {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, false
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil || len(plain) < 8 || now.Unix() > int64(binary.BigEndian.Uint64(plain)) {
		return nil, false
	}
	if len(plain) == 8 {
		return []string{}, true
	}
	return strings.Split(string(plain[8:]), ","), true
}
