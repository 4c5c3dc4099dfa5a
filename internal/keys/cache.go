package keys

import (
	"context"
	"sync"
	"time"

	"github.com/openflex/openflex"
)

// DefaultCacheTTL is how long a node answers authentication from memory.
// It bounds how late a revocation, a roll or a Trust IP change made on
// ANOTHER node (or by the CLI on the same database) takes effect here; on
// the node that made the change it takes effect at once. Expiry (of a
// token, or of a rolled secret's grace) is always checked against the clock.
const DefaultCacheTTL = 5 * time.Second

// maxCached bounds each map; past it the map starts afresh, so a flood of
// random credentials cannot grow memory.
const maxCached = 20_000

// authCache holds what authentication reads from the control plane: token
// records by hash, key sets by id and by Client ID (an unknown Client ID
// too, so its probes cost the same as a known one's). Values are shared
// and never modified after they are cached.
type authCache struct {
	mu       sync.Mutex
	tokens   map[string]cached[*Token]
	byID     map[string]cached[*openflex.KeySet]
	byClient map[string]cached[*openflex.KeySet] // nil value: no such key set
	touched  map[string]time.Time                // last use this node recorded
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

// invalidate drops every cached key set: called on this node's own
// changes, so they take effect on its next request.
func (s *Service) invalidate() {
	s.cache.mu.Lock()
	s.cache.byID, s.cache.byClient = nil, nil
	s.cache.mu.Unlock()
}

func (s *Service) tokenByHash(ctx context.Context, hash []byte) (*Token, error) {
	if s.CacheTTL <= 0 {
		return s.Store.TokenByHash(ctx, hash)
	}
	now := time.Now()
	s.cache.mu.Lock()
	t, ok := get(s.cache.tokens, string(hash), now, s.CacheTTL)
	s.cache.mu.Unlock()
	if ok {
		return t, nil
	}
	t, err := s.Store.TokenByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	put(&s.cache.tokens, string(hash), t, now)
	s.cache.mu.Unlock()
	return t, nil
}

func (s *Service) keySet(ctx context.Context, id string) (*openflex.KeySet, error) {
	if s.CacheTTL <= 0 {
		return s.Store.KeySet(ctx, id)
	}
	now := time.Now()
	s.cache.mu.Lock()
	ks, ok := get(s.cache.byID, id, now, s.CacheTTL)
	s.cache.mu.Unlock()
	if ok {
		return ks, nil
	}
	ks, err := s.Store.KeySet(ctx, id)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	put(&s.cache.byID, id, ks, now)
	s.cache.mu.Unlock()
	return ks, nil
}

// keySetByClientID returns nil, nil for an unknown Client ID.
func (s *Service) keySetByClientID(ctx context.Context, clientID string) (*openflex.KeySet, error) {
	if s.CacheTTL > 0 {
		s.cache.mu.Lock()
		ks, ok := get(s.cache.byClient, clientID, time.Now(), s.CacheTTL)
		s.cache.mu.Unlock()
		if ok {
			return ks, nil
		}
	}
	now := time.Now()
	ks, err := s.Store.KeySetByClientID(ctx, clientID)
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		ks, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if s.CacheTTL > 0 {
		s.cache.mu.Lock()
		put(&s.cache.byClient, clientID, ks, now)
		s.cache.mu.Unlock()
	}
	return ks, nil
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
