package users

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules. The upper bound only stops absurd inputs: argon2id
// pre-hashes any length, but nobody types a kilobyte.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

// argon2id parameters: OWASP's recommended minimum (m=19 MiB, t=2, p=1).
// They are stored inside every hash, so raising them later keeps old
// hashes verifiable.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

func hashSlots() int { return max(2, runtime.GOMAXPROCS(0)) }

// PasswordProblem returns the i18n key of what is wrong with a new
// password, or "".
func PasswordProblem(pw, confirm string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return "err.password_short"
	case len(pw) > MaxPasswordLen:
		return "err.password_long"
	case pw != confirm:
		return "err.password_confirm"
	}
	return ""
}

// acquire waits for a hashing slot, or for ctx to end.
func (s *Service) acquire(ctx context.Context) (func(), error) {
	select {
	case s.hashing <- struct{}{}:
		return func() { <-s.hashing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// HashPassword returns the PHC-encoded argon2id hash of pw:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func (s *Service) HashPassword(ctx context.Context, pw string) (string, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches encoded, comparing in constant
// time. An unparseable hash never matches.
func (s *Service) CheckPassword(ctx context.Context, encoded, pw string) (bool, error) {
	ph, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	key := argon2.IDKey([]byte(pw), ph.salt, ph.time, ph.memory, ph.threads, uint32(len(ph.key)))
	return subtle.ConstantTimeCompare(key, ph.key) == 1, nil
}

// dummyHash is checked against when the email is unknown, so a log-in
// takes as long whether or not the account exists.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

type parsedHash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

var errBadHash = errors.New("users: malformed argon2id hash")

func parseHash(encoded string) (*parsedHash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return nil, errBadHash
	}
	var ph parsedHash
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &ph.memory, &ph.time, &ph.threads); err != nil {
		return nil, errBadHash
	}
	// Bounds keep a tampered row from making one log-in allocate gigabytes.
	if ph.memory < 8 || ph.memory > 1<<20 || ph.time < 1 || ph.time > 16 || ph.threads < 1 {
		return nil, errBadHash
	}
	var err error
	if ph.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(ph.salt) < 8 {
		return nil, errBadHash
	}
	if ph.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(ph.key) < 16 || len(ph.key) > 64 {
		return nil, errBadHash
	}
	return &ph, nil
}

// GeneratePassword returns a random password of 26 base32 characters
// (128 bits), for accounts created from the command line.
func GeneratePassword() string { return rand.Text() }
