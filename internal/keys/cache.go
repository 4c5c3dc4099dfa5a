package keys

import (
	"context"
	"sync"
	"time"

	"github.com/openflex/openflex"
)

// DefaultCacheTTL is the longest a cached authentication answer is reused
// even when nothing changed. It no longer bounds how late a change takes
// effect (the auth version does, see Watch); it only bounds a change that
// bypassed the version, such as a hand-made UPDATE in the database.
const DefaultCacheTTL = 5 * time.Second

// DefaultWatchEvery is how often Watch reads the auth version, and
// DefaultStaleAfter how long after its last successful read the cache is
// still trusted. Together they bound how late a revocation, a roll or a
// Trust change made on another node (or by the CLI) takes effect here:
// about DefaultWatchEvery plus one read, never more than DefaultStaleAfter.
const (
	DefaultWatchEvery = 200 * time.Millisecond
	DefaultStaleAfter = time.Second
)

// maxCached bounds each map; past it the map starts afresh, so a flood of
// random credentials cannot grow memory.
const maxCached = 20_000

// authCache holds what authentication reads from the control plane: token
// records by hash, key sets by id and by Client ID (an unknown Client ID
// too, so its probes cost the same as a known one's). Values are shared
// and never modified after they are cached.
//
// The cache answers only while Watch knows the control plane's current
// auth version: every change that can make an answer wrong moves that
// version in its own transaction, and Watch drops the cache when it sees
// it move. gen moves on every drop, so a read that began before a drop
// (and may have seen the old rows) is not cached after it.
type authCache struct {
	mu       sync.Mutex
	tokens   map[string]cached[*Token]
	byID     map[string]cached[*openflex.KeySet]
	byClient map[string]cached[*openflex.KeySet] // nil value: no such key set
	touched  map[string]time.Time                // last use this node recorded

	watchers int       // running Watch calls
	known    bool      // version is the control plane's as of checked
	version  int64     // the auth version the cached answers agree with
	checked  time.Time // when the last successful read of the version began
	gen      uint64
}

type cached[T any] struct {
	v  T
	at time.Time
}

func get[T any](m map[string]cached[T], k string, now time.Time, ttl time.Duration) (T, bool) {
	e, ok := m[k]
	if !ok || now.Sub(e.at) >= ttl || now.Before(e.at) {
		var zero T
		return zero, false
	}
	return e.v, true
}

func put[T any](m *map[string]cached[T], k string, v T, now time.Time) {
	if *m == nil || len(*m) >= maxCached {
		*m = map[string]cached[T]{}
	}
	(*m)[k] = cached[T]{v, now}
}

// flush drops every cached answer; s.cache.mu is held.
func (c *authCache) flush() {
	c.tokens, c.byID, c.byClient = nil, nil, nil
	c.gen++
}

// invalidate drops the cache after this node's own changes, so they take
// effect on its next request without waiting for Watch to see them.
func (s *Service) invalidate() {
	s.cache.mu.Lock()
	s.cache.flush()
	s.cache.mu.Unlock()
}

func (s *Service) watchEvery() time.Duration {
	if s.WatchEvery > 0 {
		return s.WatchEvery
	}
	return DefaultWatchEvery
}

func (s *Service) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return DefaultStaleAfter
}

// usable tells whether the cache may answer at now, and the generation a
// control-plane read begun now must still match for its answer to be
// cached. s.cache.mu is held.
func (s *Service) usable(now time.Time) (uint64, bool) {
	c := &s.cache
	return c.gen, s.CacheTTL > 0 && c.watchers > 0 && c.known && now.Sub(c.checked) < s.staleAfter()
}

// Watch keeps this node's cache in step with the control plane until ctx
// ends. It reads the auth version every WatchEvery and drops the cache
// when it moved. The cache answers only while the last successful read
// began less than StaleAfter ago and no read failed since: a node that
// cannot read the version (database unreachable, failing over)
// authenticates from the control plane as it would without a cache, and
// after a failed read the next answer drops the cache whatever it says
// (a promoted standby may have a different history). Without a running
// Watch the cache is never used. Run one per Service, for the life of the
// server; when it returns the cache is dropped and bypassed.
func (s *Service) Watch(ctx context.Context) {
	s.cache.mu.Lock()
	s.cache.watchers++
	s.cache.known = false
	s.cache.mu.Unlock()
	defer func() {
		s.cache.mu.Lock()
		s.cache.watchers--
		s.cache.known = false
		s.cache.flush()
		s.cache.mu.Unlock()
	}()
	t := time.NewTicker(s.watchEvery())
	defer t.Stop()
	failing := false
	for {
		if err := s.readVersion(ctx); err != nil && ctx.Err() == nil {
			if !failing && s.Logger != nil {
				s.Logger.Warn("authentication cache bypassed: cannot read the auth version", "err", err)
			}
			failing = true
		} else if err == nil && failing {
			if s.Logger != nil {
				s.Logger.Info("authentication cache in use again: the auth version is readable")
			}
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CacheVersion tells the auth version the cache agrees with and whether
// the cache answers now (Watch runs, and read that version less than
// StaleAfter ago with no failed read since).
func (s *Service) CacheVersion() (version int64, live bool) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	_, live = s.usable(time.Now())
	return s.cache.version, live
}

// StartWatch runs Watch in a goroutine of its own; stop ends it and
// returns once it has.
func (s *Service) StartWatch() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Watch(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// readVersion reads the auth version once and brings the cache in step.
func (s *Service) readVersion(ctx context.Context) error {
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, s.staleAfter())
	v, err := s.Store.AuthVersion(rctx)
	cancel()
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if err != nil {
		s.cache.known = false
		return err
	}
	if !s.cache.known || v != s.cache.version {
		s.cache.flush()
		s.cache.version, s.cache.known = v, true
	}
	s.cache.checked = start
	return nil
}

// cachedRead answers k from the map m picks while the cache is usable,
// and otherwise reads it and caches the answer unless the cache was
// dropped meanwhile.
func cachedRead[T any](s *Service, m func(*authCache) *map[string]cached[T], k string, read func() (T, error)) (T, error) {
	if s.CacheTTL <= 0 {
		return read()
	}
	now := time.Now()
	s.cache.mu.Lock()
	gen, ok := s.usable(now)
	if ok {
		if v, hit := get(*m(&s.cache), k, now, s.CacheTTL); hit {
			s.cache.mu.Unlock()
			return v, nil
		}
	}
	s.cache.mu.Unlock()
	v, err := read()
	if err != nil || !ok {
		return v, err
	}
	s.cache.mu.Lock()
	if s.cache.gen == gen {
		put(m(&s.cache), k, v, now)
	}
	s.cache.mu.Unlock()
	return v, nil
}

func (s *Service) tokenByHash(ctx context.Context, hash []byte) (*Token, error) {
	return cachedRead(s, func(c *authCache) *map[string]cached[*Token] { return &c.tokens }, string(hash),
		func() (*Token, error) { return s.Store.TokenByHash(ctx, hash) })
}

func (s *Service) keySet(ctx context.Context, id string) (*openflex.KeySet, error) {
	return cachedRead(s, func(c *authCache) *map[string]cached[*openflex.KeySet] { return &c.byID }, id,
		func() (*openflex.KeySet, error) { return s.Store.KeySet(ctx, id) })
}

// keySetByClientID returns nil, nil for an unknown Client ID.
func (s *Service) keySetByClientID(ctx context.Context, clientID string) (*openflex.KeySet, error) {
	return cachedRead(s, func(c *authCache) *map[string]cached[*openflex.KeySet] { return &c.byClient }, clientID,
		func() (*openflex.KeySet, error) {
			ks, err := s.Store.KeySetByClientID(ctx, clientID)
			if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
				return nil, nil
			}
			return ks, err
		})
}

// touch records last use at most once a minute per key set, deciding from
// the row read and from what this node last recorded, so a busy key set
// does not turn every request into a write (nor does a cached row).
func (s *Service) touch(ctx context.Context, ks *openflex.KeySet, now time.Time) {
	s.cache.mu.Lock()
	last := ks.LastUsedAt
	if t := s.cache.touched[ks.ID]; t.After(last) {
		last = t
	}
	due := now.Sub(last) >= time.Minute
	if due {
		if s.cache.touched == nil || len(s.cache.touched) >= maxCached {
			s.cache.touched = map[string]time.Time{}
		}
		s.cache.touched[ks.ID] = now
	}
	s.cache.mu.Unlock()
	if due {
		s.Store.TouchKeySet(ctx, ks.ID, now)
	}
}
