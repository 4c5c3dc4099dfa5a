package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/webhook"
)

type webhookEndpointJSON struct {
	ID          string   `json:"id"`
	Object      string   `json:"object"`
	Environment string   `json:"environment"`
	Created     string   `json:"created"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	// Secret is present only in the reply that creates or rolls it.
	Secret string `json:"secret,omitempty"`
}

func endpointOut(w *openflex.WebhookEndpoint, withSecret bool) webhookEndpointJSON {
	out := webhookEndpointJSON{ID: w.ID, Object: "webhook_endpoint", Environment: string(w.Environment), Created: rfc3339(w.Created),
		URL: w.URL, Events: w.Events}
	if withSecret {
		out.Secret = w.Secret
	}
	return out
}

func (s *Server) createWebhookEndpoint(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	var in struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	if in.Events != nil && len(in.Events) == 0 {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "events", Message: "events must list at least one event type"}
	}
	ep, err := webhook.NewEndpoint(r.Context(), s.cfg.Destinations, p.KeySet, in.URL, in.Events, s.cfg.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return err
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		if err := s.cfg.Webhooks.CreateWebhookEndpoint(ctx, ep); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, endpointOut(ep, true), nil
	}})
}

func (s *Server) listWebhookEndpoints(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	eps, err := s.cfg.Webhooks.WebhookEndpoints(r.Context(), p.MerchantID, p.Env)
	if err != nil {
		return err
	}
	out := make([]webhookEndpointJSON, len(eps))
	for i, ep := range eps {
		out[i] = endpointOut(ep, false)
	}
	writeJSON(w, http.StatusOK, list(out, false))
	return nil
}

func (s *Server) getWebhookEndpoint(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	ep, err := s.cfg.Webhooks.WebhookEndpoint(r.Context(), p.MerchantID, p.Env, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, endpointOut(ep, false))
	return nil
}

func (s *Server) deleteWebhookEndpoint(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	id := r.PathValue("id")
	if err := s.cfg.Webhooks.DeleteWebhookEndpoint(r.Context(), p.MerchantID, p.Env, id, s.cfg.Now()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "object": "webhook_endpoint", "deleted": true})
	return nil
}

// rollWebhookSecret issues a new signing secret; the old one keeps signing
// (a second v1= in the header) for 24 hours so receivers can switch over.
func (s *Server) rollWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	var in struct{}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		ep, err := s.cfg.Webhooks.WebhookEndpoint(ctx, p.MerchantID, p.Env, r.PathValue("id"))
		if err != nil {
			return 0, nil, err
		}
		secret := webhook.NewSecret()
		if err := s.cfg.Webhooks.RollWebhookSecret(ctx, ep.ID, ep.Secret, secret, s.cfg.Now().Add(webhook.SecretGrace)); err != nil {
			return 0, nil, err
		}
		ep.Secret = secret
		return http.StatusOK, endpointOut(ep, true), nil
	}})
}

type attemptJSON struct {
	At         string `json:"at"`
	StatusCode int    `json:"status_code"`
	LatencyMS  int64  `json:"latency_ms"`
	Excerpt    string `json:"response_excerpt"`
	Error      string `json:"error,omitempty"`
}

type deliveryJSON struct {
	ID            string        `json:"id"`
	Object        string        `json:"object"`
	Environment   string        `json:"environment"`
	Created       string        `json:"created"`
	EventID       string        `json:"event_id"`
	EndpointID    string        `json:"endpoint_id"`
	Status        string        `json:"status"`
	AttemptCount  int           `json:"attempt_count"`
	NextAttemptAt *string       `json:"next_attempt_at"`
	Attempts      []attemptJSON `json:"attempts"`
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	lp, err := listParams(r)
	if err != nil {
		return err
	}
	ep, err := s.cfg.Webhooks.WebhookEndpoint(r.Context(), p.MerchantID, p.Env, r.PathValue("id"))
	if err != nil {
		return err
	}
	dels, more, err := p.Data.Deliveries(r.Context(), p.MerchantID, ep.ID, lp)
	if err != nil {
		return err
	}
	out := make([]deliveryJSON, 0, len(dels))
	for _, d := range dels {
		atts, err := p.Data.Attempts(r.Context(), d.ID)
		if err != nil {
			return err
		}
		dj := deliveryJSON{ID: d.ID, Object: "webhook_delivery", Environment: string(p.Env), Created: rfc3339(d.Created),
			EventID: d.EventID, EndpointID: d.EndpointID, Status: d.Status, AttemptCount: d.Attempts, Attempts: []attemptJSON{}}
		if d.Status == "pending" {
			next := rfc3339(d.NextAttemptAt)
			dj.NextAttemptAt = &next
		}
		for _, a := range atts {
			dj.Attempts = append(dj.Attempts, attemptJSON{At: rfc3339(a.At), StatusCode: a.StatusCode, LatencyMS: a.Latency.Milliseconds(), Excerpt: a.Excerpt, Error: a.Error})
		}
		out = append(out, dj)
	}
	writeJSON(w, http.StatusOK, list(out, more))
	return nil
}

// redeliverEvent queues an event again for one endpoint (manual re-send).
func (s *Server) redeliverEvent(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	var in struct {
		EndpointID string `json:"endpoint_id"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	if in.EndpointID == "" {
		return &openflex.Error{Code: openflex.CodeParameterMissing, Param: "endpoint_id", Message: "endpoint_id is required"}
	}
	if !strings.HasPrefix(in.EndpointID, openflex.PrefixWebhook+"_") {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "endpoint_id", Message: "endpoint_id must be a webhook endpoint id (we_…)"}
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		e, err := p.Data.Event(ctx, p.MerchantID, r.PathValue("id"))
		if err != nil {
			return 0, nil, err
		}
		d, err := s.cfg.Planes[p.Env].Webhooks.Redeliver(ctx, e, in.EndpointID)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, deliveryJSON{ID: d.ID, Object: "webhook_delivery", Environment: string(p.Env), Created: rfc3339(d.Created),
			EventID: d.EventID, EndpointID: d.EndpointID, Status: d.Status, Attempts: []attemptJSON{}}, nil
	}})
}
