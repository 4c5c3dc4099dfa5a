// Package keys holds merchant key sets: Client ID and Client Secret
// generation and hashing, access tokens, and the Trust URL and Trust IP rules
// that bind a key set's requests, redirects and webhooks.
package keys

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"hash/crc32"
	"strings"

	"github.com/openflex/openflex"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomBase62 returns n characters from crypto/rand, each uniform over 62
// symbols (rejection sampling keeps it unbiased).
func randomBase62(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("keys: crypto/rand failed: " + err.Error())
		}
		for _, b := range buf {
			if b < 248 { // 248 = 4×62: values above would bias the first symbols
				out = append(out, base62[b%62])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

func encode62(v uint64, width int) string {
	out := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		out[i] = base62[v%62]
		v /= 62
	}
	return string(out)
}

// Lengths: 43 base62 characters carry 256 bits (62^43 > 2^256).
const (
	secretRandomLen = 43
	checksumLen     = 6
	clientIDLen     = 24
	tokenRandomLen  = 43
)

// NewClientID returns a public Client ID: ofk_train_… or ofk_prod_….
func NewClientID(env openflex.Environment) string {
	return "ofk_" + env.Short() + "_" + randomBase62(clientIDLen)
}

// NewSecret returns a Client Secret: ofs_<env>_, 256 random bits in base62,
// and a 6-character CRC32 checksum so secret scanners can recognise a leaked
// secret without a database lookup.
func NewSecret(env openflex.Environment) string {
	body := "ofs_" + env.Short() + "_" + randomBase62(secretRandomLen)
	return body + encode62(uint64(crc32.ChecksumIEEE([]byte(body))), checksumLen)
}

// SecretEnvironment returns the environment a well-formed secret belongs to;
// ok is false when the prefix, length or checksum is wrong (a typo or a
// truncated paste), which is answered without touching the database.
func SecretEnvironment(secret string) (env openflex.Environment, ok bool) {
	rest, found := strings.CutPrefix(secret, "ofs_")
	if !found {
		return "", false
	}
	short, random, found := strings.Cut(rest, "_")
	if !found || len(random) != secretRandomLen+checksumLen {
		return "", false
	}
	env, ok = openflex.ParseEnvironment(short)
	if !ok || short != env.Short() {
		return "", false
	}
	body := secret[:len(secret)-checksumLen]
	if encode62(uint64(crc32.ChecksumIEEE([]byte(body))), checksumLen) != secret[len(secret)-checksumLen:] {
		return "", false
	}
	return env, true
}

// ClientIDEnvironment returns the environment named by a Client ID.
func ClientIDEnvironment(clientID string) (openflex.Environment, bool) {
	rest, found := strings.CutPrefix(clientID, "ofk_")
	if !found {
		return "", false
	}
	short, random, found := strings.Cut(rest, "_")
	if !found || len(random) != clientIDLen {
		return "", false
	}
	env, ok := openflex.ParseEnvironment(short)
	return env, ok && short == env.Short()
}

// NewToken returns an opaque access token: oft_<env>_ and 256 random bits.
func NewToken(env openflex.Environment) string {
	return "oft_" + env.Short() + "_" + randomBase62(tokenRandomLen)
}

// Hasher computes the keyed hashes under which secrets and tokens are
// stored: HMAC-SHA256 with a server key that is not in the database, so a
// stolen database alone cannot even test guesses.
type Hasher struct{ key []byte }

// NewHasher returns a Hasher keyed with key (at least 32 bytes).
func NewHasher(key []byte) *Hasher {
	if len(key) < 32 {
		panic("keys: hashing key shorter than 32 bytes")
	}
	return &Hasher{key: append([]byte(nil), key...)}
}

// Hash returns HMAC-SHA256(key, purpose || 0 || value).
func (h *Hasher) Hash(purpose, value string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// Equal compares two hashes in constant time.
func Equal(a, b []byte) bool { return hmac.Equal(a, b) }
