package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// WebhookEndpoint is a URL of the merchant's that receives signed events
// of the client's environment.
type WebhookEndpoint struct {
	ID          string      `json:"id"`
	Object      string      `json:"object"`
	Environment Environment `json:"environment"`
	Created     time.Time   `json:"created"`
	URL         string      `json:"url"`
	// Events are the event types delivered, or "*" for all.
	Events []string `json:"events"`
	// Secret signs the deliveries (see VerifyWebhook). It is set only in
	// the replies of Create and RollSecret: store it then.
	Secret string `json:"secret"`
}

// WebhookEndpointParams creates a webhook endpoint.
type WebhookEndpointParams struct {
	// URL must match one of the key set's Trust URLs and resolve to public
	// internet addresses only (else destination_not_allowed); in
	// PRODUCTION it must be https.
	URL string `json:"url"`
	// Events are Event… constants, or "*" for all.
	Events []string `json:"events"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// RollWebhookSecretParams are the options of WebhookEndpointService.RollSecret.
type RollWebhookSecretParams struct {
	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// DeletedWebhookEndpoint is the reply of WebhookEndpointService.Delete.
type DeletedWebhookEndpoint struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

// Statuses of a WebhookDelivery.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one event on its way to one endpoint, with its
// attempts.
type WebhookDelivery struct {
	ID          string      `json:"id"`
	Object      string      `json:"object"`
	Environment Environment `json:"environment"`
	Created     time.Time   `json:"created"`
	EventID     string      `json:"event_id"`
	EndpointID  string      `json:"endpoint_id"`
	// Status is DeliveryPending, DeliverySucceeded or DeliveryFailed.
	Status       string `json:"status"`
	AttemptCount int    `json:"attempt_count"`
	// NextAttemptAt is set while the delivery is pending.
	NextAttemptAt *time.Time       `json:"next_attempt_at"`
	Attempts      []WebhookAttempt `json:"attempts"`
}

// WebhookAttempt is one HTTP attempt of a delivery.
type WebhookAttempt struct {
	At time.Time `json:"at"`
	// StatusCode is the endpoint's answer; 0 when none came back.
	StatusCode      int    `json:"status_code"`
	LatencyMS       int64  `json:"latency_ms"`
	ResponseExcerpt string `json:"response_excerpt"`
	Error           string `json:"error"`
}

// WebhookDeliveryListParams filters WebhookEndpointService.Deliveries.
type WebhookDeliveryListParams struct {
	ListParams
}

// RedeliverParams sends an event again to one endpoint.
type RedeliverParams struct {
	EndpointID string `json:"endpoint_id"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// WebhookEndpointService manages the merchant's webhook endpoints.
type WebhookEndpointService struct{ c *Client }

// Create registers an endpoint (POST /v1/webhook_endpoints) and returns it
// with its signing secret, shown this once. Errors: 400 url_not_trusted,
// destination_not_allowed (the URL does not reach a public internet
// address), parameter_invalid.
func (s *WebhookEndpointService) Create(ctx context.Context, p *WebhookEndpointParams) (*WebhookEndpoint, error) {
	var out WebhookEndpoint
	if err := s.c.post(ctx, "/v1/webhook_endpoints", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// List returns the endpoints of the client's environment (GET
// /v1/webhook_endpoints; never paged), without their secrets.
func (s *WebhookEndpointService) List(ctx context.Context) (*List[WebhookEndpoint], error) {
	var out List[WebhookEndpoint]
	if err := s.c.get(ctx, "/v1/webhook_endpoints", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns an endpoint without its secret (GET
// /v1/webhook_endpoints/{id}).
func (s *WebhookEndpointService) Get(ctx context.Context, id string) (*WebhookEndpoint, error) {
	var out WebhookEndpoint
	if err := s.c.get(ctx, "/v1/webhook_endpoints/"+pathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete removes an endpoint (DELETE /v1/webhook_endpoints/{id}); its
// pending deliveries fail. If a retry follows a dropped connection, the
// endpoint may already be gone: that retry answers 404 resource_missing.
func (s *WebhookEndpointService) Delete(ctx context.Context, id string) (*DeletedWebhookEndpoint, error) {
	var out DeletedWebhookEndpoint
	if err := s.c.call(ctx, http.MethodDelete, "/v1/webhook_endpoints/"+pathEscape(id), nil, nil, "", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RollSecret issues a new signing secret (POST
// /v1/webhook_endpoints/{id}/roll_secret) and returns the endpoint with
// it. For 24 hours deliveries carry a v1 signature under each secret:
// deploy the new one to the receiver within that time. p may be nil.
func (s *WebhookEndpointService) RollSecret(ctx context.Context, id string, p *RollWebhookSecretParams) (*WebhookEndpoint, error) {
	var out WebhookEndpoint
	if err := s.c.post(ctx, "/v1/webhook_endpoints/"+pathEscape(id)+"/roll_secret", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Deliveries returns one page of an endpoint's deliveries, newest first,
// with every attempt (GET /v1/webhook_endpoints/{id}/deliveries).
func (s *WebhookEndpointService) Deliveries(ctx context.Context, id string, p *WebhookDeliveryListParams) (*List[WebhookDelivery], error) {
	return listPage[WebhookDelivery](ctx, s.c, "/v1/webhook_endpoints/"+pathEscape(id)+"/deliveries", p.values())
}

// AllDeliveries yields every delivery of an endpoint, following the cursor.
func (s *WebhookEndpointService) AllDeliveries(ctx context.Context, id string, p *WebhookDeliveryListParams) iter.Seq2[*WebhookDelivery, error] {
	return listAll(ctx, s.c, "/v1/webhook_endpoints/"+pathEscape(id)+"/deliveries", p.values(),
		func(v *WebhookDelivery) string { return v.ID })
}

func (p *WebhookDeliveryListParams) values() url.Values {
	if p == nil {
		return url.Values{}
	}
	return p.ListParams.values()
}

func (p *WebhookEndpointParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

func (p *RollWebhookSecretParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

func (p *RedeliverParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}
