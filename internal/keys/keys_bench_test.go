package keys_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/storetest"
)

// benchKeys is a key service on a real control plane with one TRAINING
// key set, its secret and a token.
type benchKeys struct {
	svc    *keys.Service
	ks     *openflex.KeySet
	secret string
	token  string
}

func newBenchKeys(b *testing.B, e storetest.Engine) *benchKeys {
	b.Helper()
	ctx := context.Background()
	s := e.Open(b)
	m, _ := storetest.Merchant(b, s, "ON")
	bk := &benchKeys{svc: &keys.Service{Store: s.Control, Hasher: keys.NewHasher(bytes.Repeat([]byte{7}, 32)), Now: time.Now}}
	var err error
	bk.ks, bk.secret, err = bk.svc.Create(ctx, keys.NewKeySet{MerchantID: m.ID, Environment: openflex.Training}, keys.Actor{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	ks, sec, err := bk.svc.Authenticate(ctx, bk.ks.ClientID, bk.secret)
	if err != nil {
		b.Fatal(err)
	}
	if bk.token, _, err = bk.svc.IssueToken(ctx, ks, sec); err != nil {
		b.Fatal(err)
	}
	return bk
}

func eachEngine(b *testing.B, fn func(b *testing.B, bk *benchKeys)) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			bk := newBenchKeys(b, e)
			b.ReportAllocs()
			fn(b, bk)
		})
	}
}

// BenchmarkCheckToken is the authentication of every bearer /v1 request:
// hash the token, read it, read its key set and secrets (three reads of the
// control plane; last use is written at most once a minute).
func BenchmarkCheckToken(b *testing.B) {
	ctx := context.Background()
	eachEngine(b, func(b *testing.B, bk *benchKeys) {
		for b.Loop() {
			if _, err := bk.svc.CheckToken(ctx, bk.token); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkIssueToken is POST /oauth/token's work: check the client secret
// and store a new token (a write to the control plane, synchronous=FULL on
// SQLite).
func BenchmarkIssueToken(b *testing.B) {
	ctx := context.Background()
	eachEngine(b, func(b *testing.B, bk *benchKeys) {
		for b.Loop() {
			ks, sec, err := bk.svc.Authenticate(ctx, bk.ks.ClientID, bk.secret)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := bk.svc.IssueToken(ctx, ks, sec); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCheckTokenCached is CheckToken as a node runs it
// (keys.DefaultCacheTTL, its watcher running): the token and key set come
// from memory.
func BenchmarkCheckTokenCached(b *testing.B) {
	ctx := context.Background()
	eachEngine(b, func(b *testing.B, bk *benchKeys) {
		bk.svc.CacheTTL = keys.DefaultCacheTTL
		b.Cleanup(bk.svc.StartWatch())
		for deadline := time.Now().Add(5 * time.Second); ; {
			if _, live := bk.svc.CacheVersion(); live {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("the watcher never read the auth version")
			}
			time.Sleep(time.Millisecond)
		}
		for b.Loop() {
			if _, err := bk.svc.CheckToken(ctx, bk.token); err != nil {
				b.Fatal(err)
			}
		}
	})
}
