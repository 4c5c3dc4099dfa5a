package main

import (
	"context"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// runResult is how the load went, beside the recorded samples.
type runResult struct {
	mode string
	// from and to bound the measured window (after the warm-up).
	from, to time.Time
	// due is the number of requests due in the window: scheduled (open
	// loop) or started (closed loop). sent of them were sent; the rest were
	// still waiting for a free slot when the drain time ran out.
	due, sent    int
	maxInflight  int64
	drainSeconds float64
	interrupted  bool
}

// drive runs the load and returns when it and its stragglers are done.
// Requests run on their own context, so an interrupt stops new requests
// but lets the ones in flight answer until the drain time is up; then
// abandon is called and what is still out is canceled.
func (w *workload) drive(ctx context.Context, o *options, abandon func()) runResult {
	reqCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var res runResult
	var wg sync.WaitGroup
	if o.Rate > 0 {
		res = w.openLoop(ctx, reqCtx, o, &wg)
	} else {
		res = w.closedLoop(ctx, reqCtx, o, &wg)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	drainStart := time.Now()
	select {
	case <-done:
	case <-time.After(time.Until(res.to.Add(o.Drain))):
		abandon()
		cancel() // what is still out is recorded as canceled
		<-done
	}
	res.drainSeconds = time.Since(drainStart).Seconds()
	res.interrupted = ctx.Err() != nil
	if w.measured != nil {
		<-w.measured // interrupted in the warm-up: the window opens empty
	}
	return res
}

// openWindow runs w.measure at from, when the measured window opens.
func (w *workload) openWindow(from time.Time) {
	if w.measure == nil {
		return
	}
	w.measured = make(chan struct{})
	time.AfterFunc(time.Until(from), func() {
		w.measure()
		close(w.measured)
	})
}

// inflight counts requests out and remembers the most at once.
type inflight struct{ n, peak atomic.Int64 }

func (f *inflight) inc() {
	n := f.n.Add(1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (f *inflight) dec() { f.n.Add(-1) }

// openLoop starts request i at start + i/rate whatever happened to the
// earlier ones. When the server falls behind, requests queue for a slot
// (at most --max-inflight out at once) and are sent late, but each is
// timed from when it was due, so the queueing shows in the latency
// (no coordinated omission).
func (w *workload) openLoop(ctx, reqCtx context.Context, o *options, wg *sync.WaitGroup) runResult {
	rng := mrand.New(mrand.NewPCG(o.Seed, 0x6f70656e))
	start := time.Now().Add(20 * time.Millisecond)
	res := runResult{mode: "open", from: start.Add(o.Warmup)}
	res.to = res.from.Add(o.Duration)
	w.rec.window(res.from, res.to)
	w.openWindow(res.from)
	due := func(i int) time.Time { return start.Add(time.Duration(float64(i) * float64(time.Second) / o.Rate)) }
	hardStop := res.to.Add(o.Drain)
	slots := make(chan struct{}, o.MaxInflight)
	var out inflight
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	hard := time.After(time.Until(hardStop))
	i := 0
schedule:
	for ; ; i++ {
		intended := due(i)
		if !intended.Before(res.to) {
			break
		}
		if d := time.Until(intended); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				break schedule
			}
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			break schedule
		case <-hard:
			break schedule
		}
		if !intended.Before(res.from) {
			res.sent++
		}
		kind, seed := o.Mix.pick(rng), rng.Uint64()
		out.inc()
		wg.Go(func() {
			defer func() { <-slots; out.dec() }()
			w.one(reqCtx, kind, seed, intended)
		})
	}
	if ctx.Err() != nil {
		res.to = earlier(res.to, time.Now()) // interrupted: the window ends here
	}
	for ; due(i).Before(res.to); i++ {
		if !due(i).Before(res.from) {
			res.due++
		}
	}
	res.due += res.sent
	res.maxInflight = out.peak.Load()
	return res
}

// closedLoop runs --concurrency workers, each sending its next request as
// soon as the last one answered, until the window ends.
func (w *workload) closedLoop(ctx, reqCtx context.Context, o *options, wg *sync.WaitGroup) runResult {
	start := time.Now()
	res := runResult{mode: "closed", from: start.Add(o.Warmup)}
	res.to = res.from.Add(o.Duration)
	w.rec.window(res.from, res.to)
	w.openWindow(res.from)
	var sent atomic.Int64
	var out inflight
	for k := range o.Concurrency {
		rng := mrand.New(mrand.NewPCG(o.Seed, uint64(k)))
		wg.Go(func() {
			for ctx.Err() == nil {
				now := time.Now()
				if !now.Before(res.to) {
					return
				}
				if !now.Before(res.from) {
					sent.Add(1)
				}
				out.inc()
				w.one(reqCtx, o.Mix.pick(rng), rng.Uint64(), now)
				out.dec()
			}
		})
	}
	<-waitOrDone(ctx, res.to)
	if ctx.Err() != nil {
		res.to = earlier(res.to, time.Now())
	}
	// The workers stop by themselves at the end of the window, once their
	// last request answers (or times out).
	wg.Wait()
	res.sent = int(sent.Load())
	res.due = res.sent
	res.maxInflight = out.peak.Load()
	return res
}

// waitOrDone is closed at t or when ctx ends, whichever is first.
func waitOrDone(ctx context.Context, t time.Time) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		select {
		case <-time.After(time.Until(t)):
		case <-ctx.Done():
		}
	}()
	return ch
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
