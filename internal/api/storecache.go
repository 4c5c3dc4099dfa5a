package api

import (
	"context"
	"sync"
	"time"

	"github.com/openflex/openflex"
)

// storeCacheTTL bounds how long a store read is reused. Stores are never
// deleted nor moved to another merchant, and what purchases read of one
// (that it exists, its province) does not change, so the bound only
// matters for memory; unknown stores are never cached, so a store created
// a moment ago is found at once.
const storeCacheTTL = time.Minute

// maxCachedStores bounds the cache; past it, it starts afresh.
const maxCachedStores = 20_000

type storeCache struct {
	mu sync.Mutex
	m  map[[2]string]cachedStore
}

type cachedStore struct {
	st *openflex.Store
	at time.Time
}

// store returns merchantID's store id, from memory when it was read in the
// last storeCacheTTL: the authorization path reads it on every request.
// The returned store is shared and must not be modified.
func (s *Server) store(ctx context.Context, merchantID, id string) (*openflex.Store, error) {
	k := [2]string{merchantID, id}
	now := time.Now()
	s.stores.mu.Lock()
	c, ok := s.stores.m[k]
	s.stores.mu.Unlock()
	if ok && now.Sub(c.at) < storeCacheTTL && !now.Before(c.at) {
		return c.st, nil
	}
	st, err := s.cfg.Control.Store(ctx, merchantID, id)
	if err != nil {
		return nil, err
	}
	s.stores.mu.Lock()
	if s.stores.m == nil || len(s.stores.m) >= maxCachedStores {
		s.stores.m = map[[2]string]cachedStore{}
	}
	s.stores.m[k] = cachedStore{st, now}
	s.stores.mu.Unlock()
	return st, nil
}
