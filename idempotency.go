package openflex

import (
	"crypto/sha256"
	"time"
)

// IdempotencyKeyTTL is how long a key's first response is kept for replay.
const IdempotencyKeyTTL = 24 * time.Hour

// IdempotencyLease is how long an in-flight request holds its key before a
// retry may take it over (the first one crashed or was cut off mid-way).
const IdempotencyLease = 60 * time.Second

// IdempotentRequest identifies one retry-safe write. Keys are scoped to the
// merchant within the environment's data plane.
type IdempotentRequest struct {
	MerchantID string
	Key        string
	Method     string
	Path       string
	// Hash fingerprints method, path and body: the same key with another
	// request is refused.
	Hash [32]byte
}

// FingerprintRequest hashes what makes two requests "the same".
func FingerprintRequest(method, path string, body []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// StoredResponse is the first response to an idempotent request, replayed
// byte for byte to its retries.
type StoredResponse struct {
	Status int
	Body   []byte
}

// ValidIdempotencyKey reports whether k is 1–255 printable ASCII characters.
func ValidIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}
