package storetest

import (
	"time"

	"github.com/openflex/openflex/internal/keys"
)

func sqlTok(keySetID string, now time.Time) keys.Token {
	return keys.Token{Hash: []byte("token-hash-" + keySetID), KeySetID: keySetID, SecretID: "sec_1", Created: now, ExpiresAt: now.Add(20 * time.Minute)}
}
