package main

import (
	"context"
	"errors"
	"math"
	"net"
	"slices"
	"sync"
	"time"
)

// recorder keeps every measured request's latency, per operation: exact
// percentiles come from sorting them (a million requests is 16 MB).
type recorder struct {
	mu       sync.Mutex
	from, to time.Time
	ops      map[string]*opSamples
	errs     map[errKey]*errSample
	// seconds counts completions per second of the window.
	seconds []secondCount
	// inWindow counts responses (of any status) that arrived inside the
	// window: the achieved rate.
	inWindow, okInWindow int
	// lag is how late each request was sent after it was due: the load
	// generator's own scheduling error plus any wait for a free slot.
	lag []time.Duration
}

type opSamples struct {
	// latency is measured from when the request was due, service from
	// when it was sent; they differ when requests queue on the client.
	latency, service []time.Duration
	ok, failed       int
}

type errKey struct {
	op     string
	status int
	code   string
}

type errSample struct {
	count   int
	example string
}

type secondCount struct{ completed, errors int }

func newRecorder() *recorder {
	return &recorder{ops: map[string]*opSamples{}, errs: map[errKey]*errSample{}}
}

func (r *recorder) window(from, to time.Time) {
	r.mu.Lock()
	r.from, r.to = from, to
	r.mu.Unlock()
}

// add records o, due at intended; requests due before the window (the
// warm-up) are not measured.
func (r *recorder) add(o outcome, intended time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.from.IsZero() || intended.Before(r.from) {
		return
	}
	s := r.ops[o.op]
	if s == nil {
		s = &opSamples{}
		r.ops[o.op] = s
	}
	s.latency = append(s.latency, o.end.Sub(intended))
	s.service = append(s.service, o.end.Sub(o.start))
	r.lag = append(r.lag, o.start.Sub(intended))
	failed := o.err != nil || !o.reply.ok()
	if failed {
		s.failed++
		k := errKey{op: o.op, status: o.reply.status, code: o.reply.code}
		example := ""
		if o.err != nil {
			k.status, k.code, example = 0, transportErrorCode(o.err), o.err.Error()
		}
		e := r.errs[k]
		if e == nil {
			e = &errSample{example: example}
			r.errs[k] = e
		}
		e.count++
	} else {
		s.ok++
	}
	if !o.end.Before(r.from) && o.end.Before(r.to) {
		r.inWindow++
		if !failed {
			r.okInWindow++
		}
	}
	if sec := int(o.end.Sub(r.from) / time.Second); sec >= 0 && sec < 24*3600 {
		for len(r.seconds) <= sec {
			r.seconds = append(r.seconds, secondCount{})
		}
		r.seconds[sec].completed++
		if failed {
			r.seconds[sec].errors++
		}
	}
}

// transportErrorCode names a request that got no HTTP answer.
func transportErrorCode(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "transport_error"
}

// percentiles of a set of durations, in milliseconds.
type percentiles struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// summarize sorts d in place and returns its nearest-rank percentiles.
func summarize(d []time.Duration) percentiles {
	if len(d) == 0 {
		return percentiles{}
	}
	slices.Sort(d)
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return percentiles{P50: ms(rank(d, 0.50)), P90: ms(rank(d, 0.90)), P99: ms(rank(d, 0.99)), P999: ms(rank(d, 0.999)),
		Max: ms(d[len(d)-1]), Mean: ms(sum / time.Duration(len(d)))}
}

// rank is the nearest-rank q-quantile of sorted d: the smallest value with
// at least q of the values at or below it.
func rank(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
