package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/netguard"
)

// Endpoints is the control-plane storage of webhook endpoints.
type Endpoints interface {
	WebhookEndpoints(ctx context.Context, merchantID string, env openflex.Environment) ([]*openflex.WebhookEndpoint, error)
	WebhookEndpoint(ctx context.Context, merchantID string, env openflex.Environment, id string) (*openflex.WebhookEndpoint, error)
}

// Plane is the data-plane storage of events and deliveries.
type Plane interface {
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	UndispatchedEvents(ctx context.Context, limit int) ([]*openflex.Event, error)
	MarkDispatched(ctx context.Context, eventIDs []string) (map[string]bool, error)
	CreateDelivery(ctx context.Context, d *openflex.Delivery) error
	ClaimDueDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int, skip []string) ([]*openflex.Delivery, error)
	ReleaseDelivery(ctx context.Context, d *openflex.Delivery) error
	RecordAttempt(ctx context.Context, d *openflex.Delivery, a *openflex.DeliveryAttempt) error
}

// Timeout is how long one delivery attempt may take (API.md: 10 s).
const Timeout = 10 * time.Second

// Lease is how long a claimed delivery belongs to the node that claimed it.
// An attempt is cut off (attemptBudget) well before its lease ends, so no
// other node re-claims and re-sends a delivery whose first attempt is
// still under way; only the holder of the lease can record the attempt.
const Lease = 60 * time.Second

// attemptBudget bounds a whole attempt: the endpoint's lookup, the request
// (Timeout) and recording it, leaving the rest of the lease as margin.
const attemptBudget = Lease - 20*time.Second

// Pool defaults: how many attempts one environment runs at once on a node,
// and how many of them one endpoint may hold, so a receiver that never
// answers ties up PerEndpoint workers, never the pool.
const (
	DefaultWorkers     = 8
	DefaultPerEndpoint = 2
)

// Retry horizons: how long a failing delivery keeps being retried.
var Horizon = map[openflex.Environment]time.Duration{
	openflex.Production: 3 * 24 * time.Hour,
	openflex.Training:   6 * time.Hour,
}

// Dispatcher fans events out to endpoints and delivers them.
type Dispatcher struct {
	Env       openflex.Environment
	Endpoints Endpoints
	Plane     Plane
	// Destinations is the address policy every delivery connects through
	// (nil: public addresses only, the system resolver).
	Destinations *netguard.Policy
	// Client sends the deliveries (nil: NewClient(Destinations)); a client
	// given here must bring its own address policy.
	Client *http.Client
	Logger *slog.Logger
	Now    func() time.Time
	// Backoff returns the wait after the n-th failed attempt (default
	// Backoff function: exponential with jitter).
	Backoff func(n int) time.Duration
	// Workers and PerEndpoint size the delivery pool (defaults
	// DefaultWorkers, DefaultPerEndpoint).
	Workers, PerEndpoint int

	clientOnce sync.Once
	client     *http.Client

	mu       sync.Mutex
	inFlight int
	busy     map[string]int // endpoint id → attempts in flight
	running  sync.WaitGroup
	freed    chan struct{} // a worker finished (buffered, one pending signal)
}

// httpClient is the delivery client, built once so connections to a
// receiver are reused between attempts.
func (d *Dispatcher) httpClient() *http.Client {
	d.clientOnce.Do(func() {
		d.client = d.Client
		if d.client == nil {
			d.client = NewClient(d.Destinations)
		}
	})
	return d.client
}

// Backoff is 30 s × 2^(n−1) capped at 6 h, with ±20 % jitter, so failing
// receivers are not hit in lock-step.
func Backoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 6*time.Hour)
	jitter := time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5
	return d + jitter
}

func (d *Dispatcher) now() time.Time { return d.Now().UTC().Truncate(time.Microsecond) }

// fanOutBatch is how many events one pass of FanOut reads.
const fanOutBatch = 200

// FanOut creates a delivery for every endpoint that wants each new event,
// and marks the events dispatched, one transaction per batch of events (a
// commit per event fell behind any sustained write rate). It works until
// the backlog is empty, so the outbox keeps up with the write rate.
func (d *Dispatcher) FanOut(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more, err := d.fanOutOnce(ctx)
		total += n
		if err != nil || !more || ctx.Err() != nil {
			return total, err
		}
	}
}

func (d *Dispatcher) fanOutOnce(ctx context.Context) (int, bool, error) {
	events, err := d.Plane.UndispatchedEvents(ctx, fanOutBatch)
	if err != nil || len(events) == 0 {
		return 0, false, err
	}
	// Endpoints are read once per merchant of the batch, before the write
	// transaction, so it holds no control-plane reads.
	eps := map[string][]*openflex.WebhookEndpoint{}
	for _, e := range events {
		if _, ok := eps[e.MerchantID]; ok {
			continue
		}
		list, err := d.Endpoints.WebhookEndpoints(ctx, e.MerchantID, d.Env)
		if err != nil {
			return 0, false, err
		}
		eps[e.MerchantID] = list
	}
	n := 0
	err = d.Plane.Write(ctx, func(ctx context.Context) error {
		n = 0
		now := d.now()
		ids := make([]string, len(events))
		for i, e := range events {
			ids[i] = e.ID
		}
		marked, err := d.Plane.MarkDispatched(ctx, ids)
		if err != nil {
			return err
		}
		for _, e := range events {
			if !marked[e.ID] {
				continue // another node fanned it out
			}
			for _, ep := range eps[e.MerchantID] {
				if !ep.Wants(e.Type) {
					continue
				}
				if err := d.Plane.CreateDelivery(ctx, &openflex.Delivery{ID: openflex.NewID("whd"), EventID: e.ID, EndpointID: ep.ID,
					MerchantID: e.MerchantID, Status: "pending", NextAttemptAt: now, Created: now}); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return n, len(events) == fanOutBatch, nil
}

// Redeliver queues an event again for one endpoint (the portal's re-send).
func (d *Dispatcher) Redeliver(ctx context.Context, e *openflex.Event, endpointID string) (*openflex.Delivery, error) {
	if _, err := d.Endpoints.WebhookEndpoint(ctx, e.MerchantID, d.Env, endpointID); err != nil {
		return nil, err
	}
	del := &openflex.Delivery{ID: openflex.NewID("whd"), EventID: e.ID, EndpointID: endpointID, MerchantID: e.MerchantID,
		Status: "pending", NextAttemptAt: d.now(), Created: d.now()}
	return del, d.Plane.CreateDelivery(ctx, del)
}

// Run fans out events and keeps the delivery pool busy until ctx ends,
// then waits for the attempts in flight (they end with ctx). It passes
// every `every`, and as soon as a worker frees up.
func (d *Dispatcher) Run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	defer d.running.Wait()
	for {
		if _, err := d.FanOut(ctx); err != nil && ctx.Err() == nil {
			d.Logger.Error("webhook fan-out failed", "environment", d.Env, "err", err)
		}
		if _, err := d.Dispatch(ctx); err != nil && ctx.Err() == nil {
			d.Logger.Error("webhook delivery failed", "environment", d.Env, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-d.freedChan():
		}
	}
}

// DeliverDue attempts the due deliveries the pool has room for and waits
// for every attempt in flight; it returns how many it started.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	n, err := d.Dispatch(ctx)
	d.running.Wait()
	return n, err
}

func (d *Dispatcher) freedChan() chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.freed == nil {
		d.freed = make(chan struct{}, 1)
	}
	return d.freed
}

func (d *Dispatcher) limits() (workers, perEndpoint int) {
	workers, perEndpoint = d.Workers, d.PerEndpoint
	if workers <= 0 {
		workers = DefaultWorkers
	}
	if perEndpoint <= 0 {
		perEndpoint = DefaultPerEndpoint
	}
	return workers, perEndpoint
}

// Dispatch claims as many due deliveries as the pool has free workers,
// leaving out endpoints already at their cap, and starts attempting them
// without waiting. Claiming only what can start at once keeps a claimed
// delivery from waiting in a queue while its lease runs out.
func (d *Dispatcher) Dispatch(ctx context.Context) (int, error) {
	workers, perEndpoint := d.limits()
	d.mu.Lock()
	free := workers - d.inFlight
	var skip []string
	for id, n := range d.busy {
		if n >= perEndpoint {
			skip = append(skip, id)
		}
	}
	d.mu.Unlock()
	if free <= 0 {
		return 0, nil
	}
	dels, err := d.Plane.ClaimDueDeliveries(ctx, d.now(), Lease, free, skip)
	if err != nil {
		return 0, err
	}
	started := 0
	var giveBack []*openflex.Delivery
	for _, del := range dels {
		d.mu.Lock()
		if d.busy == nil {
			d.busy = map[string]int{}
		}
		if d.busy[del.EndpointID] >= perEndpoint {
			d.mu.Unlock()
			giveBack = append(giveBack, del)
			continue
		}
		d.busy[del.EndpointID]++
		d.inFlight++
		d.running.Add(1)
		d.mu.Unlock()
		started++
		go d.work(ctx, del)
	}
	for _, del := range giveBack {
		// Over the endpoint's cap: due again at once for whoever has room
		// (this node skips the endpoint until one of its attempts ends).
		if err := d.Plane.ReleaseDelivery(ctx, del); err != nil {
			return started, err
		}
	}
	return started, nil
}

// work runs one attempt on a pool worker.
func (d *Dispatcher) work(ctx context.Context, del *openflex.Delivery) {
	defer func() {
		d.mu.Lock()
		d.inFlight--
		if d.busy[del.EndpointID]--; d.busy[del.EndpointID] <= 0 {
			delete(d.busy, del.EndpointID)
		}
		d.mu.Unlock()
		select {
		case d.freedChan() <- struct{}{}:
		default:
		}
		d.running.Done()
	}()
	actx, cancel := context.WithTimeout(ctx, attemptBudget)
	defer cancel()
	err := d.attempt(actx, del)
	switch {
	case err == nil, ctx.Err() != nil:
	case errors.Is(err, openflex.ErrLeaseLost):
		d.Logger.Warn("webhook attempt not recorded: its lease passed to another claim", "environment", d.Env, "delivery", del.ID)
	default:
		d.Logger.Error("webhook delivery failed", "environment", d.Env, "delivery", del.ID, "err", err)
	}
}

// Body is the JSON posted for an event (API.md).
func Body(env openflex.Environment, e *openflex.Event) []byte {
	b, _ := json.Marshal(struct {
		ID          string          `json:"id"`
		Object      string          `json:"object"`
		Type        string          `json:"type"`
		Environment string          `json:"environment"`
		Created     string          `json:"created"`
		Data        json.RawMessage `json:"data"`
	}{e.ID, "event", e.Type, string(env), e.Created.UTC().Format(time.RFC3339),
		json.RawMessage(`{"object":` + string(e.Object) + `}`)})
	return b
}

func (d *Dispatcher) attempt(ctx context.Context, del *openflex.Delivery) error {
	ep, err := d.Endpoints.WebhookEndpoint(ctx, del.MerchantID, d.Env, del.EndpointID)
	now := d.now()
	a := &openflex.DeliveryAttempt{ID: openflex.NewID("wha"), DeliveryID: del.ID, At: now}
	del.Attempts++
	switch {
	case openflex.ErrorCode(err) == openflex.CodeResourceMissing:
		del.Status, a.Error = "failed", "the endpoint was deleted"
		return d.Plane.RecordAttempt(ctx, del, a)
	case err != nil:
		return err
	}
	body := Body(d.Env, del.Event)
	secrets := []string{ep.Secret}
	if ep.OldSecret != "" && now.Before(ep.OldExpiresAt) {
		secrets = append(secrets, ep.OldSecret)
	}
	actx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "OpenFlex-Webhooks/1")
	req.Header.Set(Header, Sign(body, now, secrets...))
	start := time.Now()
	res, err := d.httpClient().Do(req)
	a.Latency = time.Since(start)
	var cause any // for the operator's log: the whole error, addresses included
	if err != nil {
		cause = err
		// The merchant sees what kind of failure it was, never the Go error:
		// it names the addresses a host resolved to.
		a.Error = FailureText(err)
	} else {
		// Only a destination the address policy let through answers at
		// all, so the excerpt comes from a receiver the merchant may read.
		excerpt, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		res.Body.Close()
		a.StatusCode, a.Excerpt = res.StatusCode, strings.ToValidUTF8(string(excerpt), "")
		if !utf8.ValidString(a.Excerpt) {
			a.Excerpt = ""
		}
		del.LastStatus = res.StatusCode
	}
	switch {
	case err == nil && res.StatusCode >= 200 && res.StatusCode < 300:
		del.Status = "succeeded"
	case now.Sub(del.Created) >= Horizon[d.Env]:
		del.Status = "failed"
	default:
		backoff := d.Backoff
		if backoff == nil {
			backoff = Backoff
		}
		del.NextAttemptAt = now.Add(backoff(del.Attempts))
	}
	if del.Status != "succeeded" {
		d.Logger.Warn("webhook delivery failed", "environment", d.Env, "delivery", del.ID, "endpoint", ep.ID,
			"attempt", del.Attempts, "status", a.StatusCode, "err", cause, "next", del.NextAttemptAt)
	}
	return d.Plane.RecordAttempt(ctx, del, a)
}

// NewClient is the delivery HTTP client: every connection goes through the
// address policy (checked on the resolved addresses and again on the socket,
// so a DNS answer that changes after registration cannot reach inside), no
// proxy from the environment (the policy would judge the proxy, not the
// receiver), and redirects are not followed (a receiver could send the
// request anywhere, and a 3xx is not a 2xx).
func NewClient(dest *netguard.Policy) *http.Client {
	t := &http.Transport{Proxy: nil, DialContext: dest.DialContext, TLSHandshakeTimeout: 5 * time.Second,
		ResponseHeaderTimeout: Timeout, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second}
	return &http.Client{Transport: t, Timeout: Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// FailureText says what went wrong with a delivery attempt in words a
// merchant can act on, without the addresses Go's errors carry.
func FailureText(err error) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var invalidErr x509.CertificateInvalidError
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	var netErr net.Error
	switch {
	case errors.Is(err, netguard.ErrNotAllowed):
		return "destination not allowed: the host does not resolve to a public internet address"
	case errors.Is(err, netguard.ErrUnresolved), errors.As(err, &dnsErr):
		return "host name not resolved"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.As(err, &hostErr):
		return "TLS certificate does not match the host name"
	case errors.As(err, &authErr):
		return "TLS certificate not issued by a trusted authority"
	case errors.As(err, &invalidErr), errors.As(err, &certErr):
		return "TLS certificate not valid"
	case errors.As(err, &recErr), errors.As(err, &alert):
		return "TLS handshake failed"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed without a response"
	}
	return "request failed"
}
