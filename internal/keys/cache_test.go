package keys_test

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
)

// countingStore is the real control plane, counting the reads that
// authentication makes. failVersion makes the auth version unreadable, as
// when the database cannot be reached from the watcher.
type countingStore struct {
	keys.Store
	reads       atomic.Int64
	failVersion atomic.Bool
}

func (c *countingStore) KeySet(ctx context.Context, id string) (*openflex.KeySet, error) {
	c.reads.Add(1)
	return c.Store.KeySet(ctx, id)
}

func (c *countingStore) KeySetByClientID(ctx context.Context, id string) (*openflex.KeySet, error) {
	c.reads.Add(1)
	return c.Store.KeySetByClientID(ctx, id)
}

func (c *countingStore) TokenByHash(ctx context.Context, h []byte) (*keys.Token, error) {
	c.reads.Add(1)
	return c.Store.TokenByHash(ctx, h)
}

func (c *countingStore) AuthVersion(ctx context.Context) (int64, error) {
	if c.failVersion.Load() {
		return 0, errors.New("dial tcp: connection refused")
	}
	return c.Store.AuthVersion(ctx)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var (
	testHasher = keys.NewHasher(bytes.Repeat([]byte{7}, 32))
	by         = keys.Actor{Name: "test"}
	clientAddr = netip.MustParseAddr("203.0.113.9")
)

// node is one server's key service, with its own stores and its running
// watcher. Its cache lives an hour, so only the auth version can make it
// see another node's change.
type node struct {
	svc       *keys.Service
	store     *countingStore
	control   sqlstore.Control
	stopWatch func()
}

// twoNodes opens the same database twice (on SQLite a second Stores on the
// same files, as the CLI does; on PostgreSQL the same schemas) and runs a
// key service on each.
func twoNodes(t *testing.T, e storetest.Engine) (a, b *node) {
	t.Helper()
	cfg := e.Config(t)
	open := func() *node {
		s, err := sqlstore.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		n := &node{store: &countingStore{Store: s.Control}, control: s.Control}
		n.svc = &keys.Service{Store: n.store, Hasher: testHasher, Now: time.Now, CacheTTL: time.Hour}
		n.stopWatch = n.svc.StartWatch()
		t.Cleanup(n.stopWatch) // stopping twice is harmless
		return n
	}
	a, b = open(), open()
	return a, b
}

// credentials makes a TRAINING key set on n and a token of its secret.
func credentials(t *testing.T, n *node, merchantID string) (*openflex.KeySet, string, string) {
	t.Helper()
	ctx := context.Background()
	ks, secret, err := n.svc.Create(ctx, keys.NewKeySet{MerchantID: merchantID, Environment: openflex.Training}, by)
	if err != nil {
		t.Fatal(err)
	}
	k, sec, err := n.svc.AuthenticateFrom(ctx, ks.ClientID, secret, clientAddr)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := n.svc.IssueToken(ctx, k, sec)
	if err != nil {
		t.Fatal(err)
	}
	return ks, secret, tok
}

// inStep waits until n's cache agrees with the control plane's current
// auth version and answers.
func inStep(t *testing.T, n *node) {
	t.Helper()
	want, err := n.control.AuthVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the watcher reads the current auth version", func() bool {
		v, live := n.svc.CacheVersion()
		return live && v >= want
	})
}

// cachedOn checks that the secret and the token authenticate on n, the
// second time from memory (n's watcher must be in step, or nothing may
// change meanwhile).
func cachedOn(t *testing.T, n *node, ks *openflex.KeySet, secret, tok string) {
	t.Helper()
	ctx := context.Background()
	for i := range 2 {
		before := n.store.reads.Load()
		if _, _, err := n.svc.AuthenticateFrom(ctx, ks.ClientID, secret, clientAddr); err != nil {
			t.Fatal(err)
		}
		if _, err := n.svc.CheckToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if reads := n.store.reads.Load() - before; i == 1 && reads != 0 {
			t.Fatalf("%d control-plane reads for cached credentials", reads)
		}
	}
}

// TestAuthCacheServesFromMemory: while nothing changes, a node answers
// authentication without reading the control plane.
func TestAuthCacheServesFromMemory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		a, b := twoNodes(t, e)
		m, _ := storetest.Merchant(t, &sqlstore.Stores{Control: a.control}, "ON")
		ks, secret, tok := credentials(t, a, m.ID)
		inStep(t, b)
		cachedOn(t, b, ks, secret, tok)
		before := b.store.reads.Load()
		for range 50 {
			if _, err := b.svc.CheckToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			if _, _, err := b.svc.AuthenticateFrom(ctx, ks.ClientID, secret, clientAddr); err != nil {
				t.Fatal(err)
			}
		}
		if n := b.store.reads.Load() - before; n != 0 {
			t.Fatalf("%d control-plane reads for 100 cached authentications", n)
		}
		wrong := []byte(secret)
		wrong[len(wrong)-1] ^= 1
		if _, _, err := b.svc.AuthenticateFrom(ctx, ks.ClientID, string(wrong), clientAddr); openflex.ErrorCode(err) != openflex.CodeInvalidClient {
			t.Fatalf("wrong secret with a cached key set: %v", err)
		}
	})
}

// TestAuthCacheFollowsOtherNodes: a change made on node A reaches node B,
// whose cache would otherwise answer for an hour: revocation, rolls, Trust
// changes and a new key set whose Client ID B had cached as unknown.
func TestAuthCacheFollowsOtherNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		a, b := twoNodes(t, e)
		m, _ := storetest.Merchant(t, &sqlstore.Stores{Control: a.control}, "ON")
		token := func(tok string) func() error {
			return func() error { _, err := b.svc.CheckToken(ctx, tok); return err }
		}
		secretOf := func(ks *openflex.KeySet, secret string) func() error {
			return func() error { _, _, err := b.svc.AuthenticateFrom(ctx, ks.ClientID, secret, clientAddr); return err }
		}
		type after struct {
			what  string
			check func() error
			code  openflex.Code // "" for success
		}
		for _, tc := range []struct {
			name   string
			change func(t *testing.T, ks *openflex.KeySet, secret, tok string) []after
		}{
			{"revoked", func(t *testing.T, ks *openflex.KeySet, secret, tok string) []after {
				if err := a.svc.Revoke(ctx, ks.ID, by); err != nil {
					t.Fatal(err)
				}
				return []after{{"the token", token(tok), openflex.CodeInvalidToken}, {"the secret", secretOf(ks, secret), openflex.CodeInvalidClient}}
			}},
			{"rolled, the old secret retired at once", func(t *testing.T, ks *openflex.KeySet, secret, tok string) []after {
				fresh, err := a.svc.Roll(ctx, ks.ID, keys.Immediately, by)
				if err != nil {
					t.Fatal(err)
				}
				return []after{{"the old secret's token", token(tok), openflex.CodeInvalidToken},
					{"the old secret", secretOf(ks, secret), openflex.CodeInvalidClient}, {"the new secret", secretOf(ks, fresh), ""}}
			}},
			{"rolled with a grace", func(t *testing.T, ks *openflex.KeySet, secret, tok string) []after {
				fresh, err := a.svc.Roll(ctx, ks.ID, time.Hour, by)
				if err != nil {
					t.Fatal(err)
				}
				return []after{{"the new secret", secretOf(ks, fresh), ""}, {"the old secret", secretOf(ks, secret), ""}, {"the token", token(tok), ""}}
			}},
			{"Trust IPs changed", func(t *testing.T, ks *openflex.KeySet, secret, tok string) []after {
				if _, err := a.svc.SetTrust(ctx, ks.ID, nil, []string{"198.51.100.0/24"}, by); err != nil {
					t.Fatal(err)
				}
				trustedOnB := func() error {
					k, err := b.svc.CheckToken(ctx, tok)
					if err == nil && !slices.Equal(k.TrustIPs, []string{"198.51.100.0/24"}) {
						err = openflex.Errorf(openflex.CodeIPNotTrusted, "token's key set still trusts %v", k.TrustIPs)
					}
					return err
				}
				return []after{{"the secret from an address no longer trusted", secretOf(ks, secret), openflex.CodeIPNotTrusted},
					{"the token's key set's Trust IPs", trustedOnB, ""}}
			}},
			{"a key set created for a Client ID cached as unknown", func(t *testing.T, _ *openflex.KeySet, _, _ string) []after {
				env := openflex.Training
				secret := keys.NewSecret(env)
				ks := &openflex.KeySet{ID: openflex.NewID(openflex.PrefixKeySet), MerchantID: m.ID, Environment: env,
					ClientID: keys.NewClientID(env), Created: time.Now(),
					Secrets: []openflex.Secret{{ID: openflex.NewID("sec"), Hash: testHasher.Hash("secret", secret), Last4: secret[len(secret)-4:], Created: time.Now()}}}
				for range 2 {
					if err := secretOf(ks, secret)(); openflex.ErrorCode(err) != openflex.CodeInvalidClient {
						t.Fatalf("unknown Client ID on B: %v", err)
					}
				}
				if err := a.control.CreateKeySet(ctx, ks); err != nil {
					t.Fatal(err)
				}
				return []after{{"the new key set's secret", secretOf(ks, secret), ""}}
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ks, secret, tok := credentials(t, a, m.ID)
				inStep(t, b)
				cachedOn(t, b, ks, secret, tok)
				changed := time.Now()
				for _, want := range tc.change(t, ks, secret, tok) {
					var err error
					waitFor(t, 5*time.Second, "node B: "+want.what+" answers "+string(want.code)+" (last: "+errText(&err)+")", func() bool {
						err = want.check()
						return openflex.ErrorCode(err) == want.code
					})
				}
				// Not a timed assertion: the log shows how late B followed.
				t.Logf("node B followed node A after %v", time.Since(changed).Round(time.Millisecond))
			})
		}
	})
}

func errText(err *error) string {
	if *err == nil {
		return "success"
	}
	return (*err).Error()
}

// TestAuthCacheBypassedWithoutWatcher: a node whose watcher is stopped, or
// cannot read the auth version, authenticates from the control plane, so
// another node's revocation takes effect there on the next request.
func TestAuthCacheBypassedWithoutWatcher(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		a, b := twoNodes(t, e)
		m, _ := storetest.Merchant(t, &sqlstore.Stores{Control: a.control}, "ON")
		for _, tc := range []struct {
			name   string
			breaks func()
		}{
			{"version unreadable", func() {
				b.store.failVersion.Store(true)
				waitFor(t, 5*time.Second, "node B's cache is bypassed", func() bool { _, live := b.svc.CacheVersion(); return !live })
			}},
			{"watcher stopped", func() { b.stopWatch() }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ks, secret, tok := credentials(t, a, m.ID)
				inStep(t, b)
				cachedOn(t, b, ks, secret, tok)
				tc.breaks()
				before := b.store.reads.Load()
				if _, err := b.svc.CheckToken(ctx, tok); err != nil {
					t.Fatal(err)
				}
				if b.store.reads.Load() == before {
					t.Fatal("a bypassed cache answered from memory")
				}
				if err := a.svc.Revoke(ctx, ks.ID, by); err != nil {
					t.Fatal(err)
				}
				if _, err := b.svc.CheckToken(ctx, tok); openflex.ErrorCode(err) != openflex.CodeInvalidToken {
					t.Fatalf("token of a key set revoked on A, on B at once: %v", err)
				}
				if _, _, err := b.svc.AuthenticateFrom(ctx, ks.ClientID, secret, clientAddr); openflex.ErrorCode(err) != openflex.CodeInvalidClient {
					t.Fatalf("secret of a key set revoked on A, on B at once: %v", err)
				}
				if b.store.failVersion.Swap(false) {
					// Readable again: the cache answers again.
					ks, secret, tok := credentials(t, a, m.ID)
					inStep(t, b)
					cachedOn(t, b, ks, secret, tok)
				}
			})
		}
	})
}

// TestAuthCacheOwnChanges: the node that makes a change sees it on its
// next request, before its watcher reads the new version.
func TestAuthCacheOwnChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		_, n := twoNodes(t, e)
		n.stopWatch()
		// The watcher reads the version once, at its start, and trusts it
		// for an hour: only the node's own invalidation is left.
		n.svc.WatchEvery, n.svc.StaleAfter = time.Hour, time.Hour
		n.stopWatch = n.svc.StartWatch()
		t.Cleanup(n.stopWatch)
		inStep(t, n) // that one read has happened (the watcher starts asynchronously)
		m, _ := storetest.Merchant(t, &sqlstore.Stores{Control: n.control}, "ON")
		ks, secret, tok := credentials(t, n, m.ID)
		cachedOn(t, n, ks, secret, tok)
		if _, err := n.svc.SetTrust(ctx, ks.ID, nil, []string{"198.51.100.0/24"}, by); err != nil {
			t.Fatal(err)
		}
		if _, _, err := n.svc.AuthenticateFrom(ctx, ks.ClientID, secret, clientAddr); openflex.ErrorCode(err) != openflex.CodeIPNotTrusted {
			t.Fatalf("after SetTrust: %v", err)
		}
		if _, err := n.svc.Roll(ctx, ks.ID, keys.Immediately, by); err != nil {
			t.Fatal(err)
		}
		if _, err := n.svc.CheckToken(ctx, tok); openflex.ErrorCode(err) != openflex.CodeInvalidToken {
			t.Fatalf("token of a rolled secret: %v", err)
		}
	})
}
