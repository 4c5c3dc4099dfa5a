// Package jobs runs OpenFlex's background work on a schedule: authorization
// expiry, retention clean-up (idempotency keys, tokens, events) and the
// TRAINING scrub. Every job is safe to run on several nodes at once: each
// step is idempotent (an authorization expires once; deleting what is
// already gone deletes nothing). With a Lock, nodes sharing a database also
// take turns, so a cluster does the work once instead of once per node.
// Webhook deliveries need no lock: each delivery is leased by the node that
// attempts it.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/openflex/openflex"
)

// Retention periods of API.md.
const (
	IdempotencyRetention = 48 * time.Hour // at least the promised 24 h
	EventRetention       = 30 * 24 * time.Hour
)

// Expirer ends what is past its expiry (authorization holds, checkouts).
type Expirer interface {
	ExpireDue(ctx context.Context) (int, error)
}

// Plane is the clean-up one data plane needs.
type Plane interface {
	PurgeIdempotencyKeys(ctx context.Context, olderThan time.Time) (int64, error)
	PurgeEvents(ctx context.Context, olderThan time.Time) (int64, error)
	Scrub(ctx context.Context, cutoff time.Time) (int64, error)
}

// Deliverer fans events out to webhook endpoints and delivers them from its
// own worker pool, passing every `every`, until ctx ends.
type Deliverer interface {
	Run(ctx context.Context, every time.Duration)
}

// Settler cuts merchants' days into settlements; TRAINING's settler also
// pays them on its simulated schedule.
type Settler interface {
	CutDue(ctx context.Context) (int, error)
	PayTraining(ctx context.Context) (int, error)
}

// Servicer applies accounts' servicing days that have ended (interest,
// statements, due dates, standing), each (account, day) once.
type Servicer interface {
	RunDue(ctx context.Context) (int, error)
}

// Tokens forgets expired access tokens.
type Tokens interface {
	PurgeTokens(ctx context.Context, t time.Time) (int64, error)
}

// Runner schedules the jobs.
type Runner struct {
	Expirers map[openflex.Environment][]Expirer
	Planes   map[openflex.Environment]Plane
	Tokens   Tokens
	// Settlers run with expiry: each merchant's day is cut once its
	// midnight has passed in every store (idempotent per merchant and day,
	// so every node may run it).
	Settlers map[openflex.Environment]Settler
	// Servicers run the servicing day on their own loop, every Every: a
	// long statement run does not hold up expiry or settlements.
	Servicers map[openflex.Environment]Servicer
	// Cleanups run with the retention clean-up (expired portal sessions…).
	Cleanups []func(ctx context.Context) (int64, error)
	// Deliverers run every DeliverEvery (default 250 ms).
	Deliverers   map[openflex.Environment]Deliverer
	DeliverEvery time.Duration
	Logger       *slog.Logger
	Now          func() time.Time
	// Every is the period of expiry and clean-up (default one minute).
	Every time.Duration
	// ScrubAt is the UTC time of day of the TRAINING scrub (default 03:00);
	// ScrubOlderThan keeps the most recent data (default 24 h).
	ScrubAt        time.Duration
	ScrubOlderThan time.Duration
	// NoScrub turns the scheduled TRAINING scrub off.
	NoScrub bool
	// Lock, when set, takes a named lock shared by every node (a
	// PostgreSQL advisory lock): a job whose lock another node holds is
	// skipped this turn.
	Lock func(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// exclusive runs fn unless another node holds the job's lock.
func (r *Runner) exclusive(ctx context.Context, name string, fn func(ctx context.Context)) {
	if r.Lock == nil {
		fn(ctx)
		return
	}
	unlock, ok, err := r.Lock(ctx, name)
	if err != nil {
		if ctx.Err() == nil {
			r.Logger.Warn("job skipped: its lock is out of reach", "job", name, "err", err)
		}
		return
	}
	if !ok {
		r.Logger.Debug("job skipped: another node runs it", "job", name)
		return
	}
	defer unlock()
	fn(ctx)
}

// Run works until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	every := r.Every
	if every <= 0 {
		every = time.Minute
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.deliver(ctx)
	}()
	defer func() { <-done }()
	if len(r.Servicers) > 0 {
		serviced := make(chan struct{})
		go func() {
			defer close(serviced)
			r.serviceLoop(ctx, every)
		}()
		defer func() { <-serviced }()
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	lastScrub := r.Now().UTC()
	for {
		r.exclusive(ctx, "jobs.expiry-retention", r.Once)
		if !r.NoScrub {
			if next := nextScrub(lastScrub, r.ScrubAt); !r.Now().Before(next) {
				// Every node passes the hour; the lock lets one scrub.
				lastScrub = r.Now().UTC()
				r.exclusive(ctx, "jobs.training-scrub", r.ScrubTraining)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// serviceLoop runs the servicing day every period until ctx ends.
func (r *Runner) serviceLoop(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		r.exclusive(ctx, "jobs.servicing", r.ServiceOnce)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// ServiceOnce applies every environment's ended servicing days once.
func (r *Runner) ServiceOnce(ctx context.Context) {
	for env, s := range r.Servicers {
		n, err := s.RunDue(ctx)
		if err != nil && ctx.Err() == nil {
			r.Logger.Error("servicing day failed", "environment", env, "err", err)
		}
		if n > 0 {
			r.Logger.Info("servicing days applied", "environment", env, "accounts", n)
		}
	}
}

// nextScrub is the first scrub time of day after last.
func nextScrub(last time.Time, at time.Duration) time.Time {
	if at <= 0 {
		at = 3 * time.Hour
	}
	day := last.Truncate(24 * time.Hour)
	t := day.Add(at)
	if !t.After(last) {
		t = t.Add(24 * time.Hour)
	}
	return t
}

// Once runs expiry and retention clean-up one time.
func (r *Runner) Once(ctx context.Context) {
	now := r.Now()
	for env, es := range r.Expirers {
		for _, e := range es {
			if n, err := e.ExpireDue(ctx); err != nil {
				r.Logger.Error("expiry failed", "environment", env, "err", err)
			} else if n > 0 {
				r.Logger.Info("expired", "environment", env, "count", n)
			}
		}
	}
	for env, s := range r.Settlers {
		if n, err := s.CutDue(ctx); err != nil {
			r.Logger.Error("settlement cut failed", "environment", env, "err", err)
		} else if n > 0 {
			r.Logger.Info("settlements closed", "environment", env, "count", n)
		}
		if env == openflex.Training {
			if _, err := s.PayTraining(ctx); err != nil {
				r.Logger.Error("TRAINING payouts failed", "environment", env, "err", err)
			}
		}
	}
	for env, p := range r.Planes {
		if _, err := p.PurgeIdempotencyKeys(ctx, now.Add(-IdempotencyRetention)); err != nil {
			r.Logger.Error("idempotency clean-up failed", "environment", env, "err", err)
		}
		if _, err := p.PurgeEvents(ctx, now.Add(-EventRetention)); err != nil {
			r.Logger.Error("event clean-up failed", "environment", env, "err", err)
		}
	}
	for _, c := range r.Cleanups {
		if _, err := c(ctx); err != nil {
			r.Logger.Error("clean-up failed", "err", err)
		}
	}
	if r.Tokens != nil {
		if _, err := r.Tokens.PurgeTokens(ctx, now.Add(-time.Hour)); err != nil {
			r.Logger.Error("token clean-up failed", "err", err)
		}
	}
}

// ScrubTraining deletes TRAINING data older than ScrubOlderThan. PRODUCTION
// is never scrubbed: this only ever touches the TRAINING plane.
func (r *Runner) ScrubTraining(ctx context.Context) {
	p, ok := r.Planes[openflex.Training]
	if !ok {
		return
	}
	older := r.ScrubOlderThan
	if older <= 0 {
		older = 24 * time.Hour
	}
	n, err := p.Scrub(ctx, r.Now().Add(-older))
	if err != nil {
		r.Logger.Error("TRAINING scrub failed", "err", err)
		return
	}
	r.Logger.Info("TRAINING scrubbed", "rows", n)
}

// deliver runs webhook fan-out and delivery until ctx ends, each
// environment on its own (a TRAINING receiver that never answers must not
// hold up PRODUCTION deliveries).
func (r *Runner) deliver(ctx context.Context) {
	every := r.DeliverEvery
	if every <= 0 {
		// A quarter second: an event waits at most that long for its
		// fan-out, so under load the outbox stays well under one second
		// of events behind; idle, a pass is two indexed reads per plane.
		every = 250 * time.Millisecond
	}
	var wg sync.WaitGroup
	for _, d := range r.Deliverers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.Run(ctx, every)
		}()
	}
	wg.Wait()
}
