package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/url"
	"time"
)

// Event types of API.md.
const (
	EventApplicationApproved   = "application.approved"
	EventApplicationDeclined   = "application.declined"
	EventApplicationPending    = "application.pending"
	EventApplicationUpdated    = "application.updated"
	EventAuthorizationCreated  = "authorization.created"
	EventAuthorizationCaptured = "authorization.captured"
	EventAuthorizationReleased = "authorization.released"
	EventAuthorizationExpired  = "authorization.expired"
	EventReturnCreated         = "return.created"
	EventCheckoutCompleted     = "checkout.completed"
	EventCheckoutCancelled     = "checkout.cancelled"
	EventCheckoutExpired       = "checkout.expired"
	EventConsentGranted        = "consent.granted"
	EventConsentRevoked        = "consent.revoked"

	// A business day's settlement closed (its object is a Settlement), and
	// was paid.
	EventSettlementCreated = "settlement.created"
	EventSettlementPaid    = "settlement.paid"
)

// Event is something that happened to one of the merchant's objects. The
// same events are delivered to webhook endpoints (see VerifyWebhook), at
// least once: deduplicate on ID.
type Event struct {
	ID          string      `json:"id"`
	Object      string      `json:"object"`
	Environment Environment `json:"environment"`
	Created     time.Time   `json:"created"`
	// Type is one of the Event… constants, such as "authorization.created".
	Type string    `json:"type"`
	Data EventData `json:"data"`
}

// EventData holds the object an event is about, as it was then.
type EventData struct {
	// Object is the object's JSON: an Authorization for authorization.*
	// events, a Return for return.created. Decode it with DecodeObject.
	Object json.RawMessage `json:"object"`
}

// DecodeObject decodes the event's object into v, such as an
// *Authorization.
func (e *Event) DecodeObject(v any) error {
	if len(e.Data.Object) == 0 {
		return errors.New("openflex: event has no data.object")
	}
	return json.Unmarshal(e.Data.Object, v)
}

// EventListParams filters EventService.List.
type EventListParams struct {
	ListParams
	// Type keeps only events of this type.
	Type string
}

// EventService lists the merchant's events of the last 30 days, for pull
// reconciliation.
type EventService struct{ c *Client }

// List returns one page of events, newest first (GET /v1/events).
func (s *EventService) List(ctx context.Context, p *EventListParams) (*List[Event], error) {
	return listPage[Event](ctx, s.c, "/v1/events", p.values())
}

// All yields every event matching p, following the cursor.
func (s *EventService) All(ctx context.Context, p *EventListParams) iter.Seq2[*Event, error] {
	return listAll(ctx, s.c, "/v1/events", p.values(), func(v *Event) string { return v.ID })
}

// Redeliver queues an event again for one endpoint (POST
// /v1/events/{id}/redeliver), say after fixing the receiver, and returns
// the new delivery.
func (s *EventService) Redeliver(ctx context.Context, id string, p *RedeliverParams) (*WebhookDelivery, error) {
	var out WebhookDelivery
	if err := s.c.post(ctx, "/v1/events/"+pathEscape(id)+"/redeliver", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (p *EventListParams) values() url.Values {
	if p == nil {
		return url.Values{}
	}
	q := p.ListParams.values()
	setNonEmpty(q, "type", p.Type)
	return q
}
