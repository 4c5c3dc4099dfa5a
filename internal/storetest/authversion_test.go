package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/openflex/openflex"
)

// TestAuthVersion: every change that can make a cached authentication
// answer wrong moves the auth version, in its own transaction (a change
// rolled back leaves it); using a key set or minting a token does not.
func TestAuthVersion(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, _ := Merchant(t, s, "ON")
		now := time.Now().UTC().Truncate(time.Microsecond)
		version := func() int64 {
			t.Helper()
			v, err := s.Control.AuthVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		ks := &openflex.KeySet{ID: openflex.NewID(openflex.PrefixKeySet), MerchantID: m.ID, Environment: openflex.Training,
			ClientID: "ofk_train_version", Created: now,
			Secrets: []openflex.Secret{{ID: "sec_1", Hash: []byte("hash-one"), Last4: "abcd", Created: now}}}
		for _, tc := range []struct {
			name  string
			moves bool
			write func() error
		}{
			{"key set created", true, func() error { return s.Control.CreateKeySet(ctx, ks) }},
			{"secret added", true, func() error {
				return s.Control.AddSecret(ctx, ks.ID, openflex.Secret{ID: "sec_2", Hash: []byte("hash-two"), Last4: "wxyz", Created: now})
			}},
			{"secrets expired", true, func() error { return s.Control.ExpireSecrets(ctx, ks.ID, now) }},
			{"Trust lists set", true, func() error { return s.Control.SetTrust(ctx, ks.ID, nil, []string{"10.0.0.0/8"}) }},
			{"token minted", false, func() error { return s.Control.CreateToken(ctx, sqlTok(ks.ID, now)) }},
			{"key set used", false, func() error { return s.Control.TouchKeySet(ctx, ks.ID, now) }},
			{"revocation rolled back", false, func() error {
				boom := errors.New("boom")
				err := s.Control.Write(ctx, func(ctx context.Context) error {
					if err := s.Control.RevokeKeySet(ctx, ks.ID, now); err != nil {
						return err
					}
					return boom
				})
				if errors.Is(err, boom) {
					return nil
				}
				return err
			}},
			{"key set revoked", true, func() error { return s.Control.RevokeKeySet(ctx, ks.ID, now) }},
		} {
			before := version()
			if err := tc.write(); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if moved := version() != before; moved != tc.moves {
				t.Fatalf("%s: auth version moved %v, want %v", tc.name, moved, tc.moves)
			}
		}
	})
}
