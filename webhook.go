package openflex

import "time"

// EventTypes are the event types of API.md a webhook endpoint may ask for.
var EventTypes = []string{
	"application.approved", "application.declined", "application.pending", "application.updated",
	"authorization.created", "authorization.captured", "authorization.released", "authorization.expired",
	"return.created", "checkout.completed", "checkout.cancelled", "checkout.expired",
	"consent.granted", "consent.revoked",
	"settlement.created", "settlement.paid",
}

// WebhookEndpoint is where a merchant receives signed events of one
// environment. Secrets are held in memory in clear only to sign.
type WebhookEndpoint struct {
	ID           string
	MerchantID   string
	Environment  Environment
	KeySetID     string
	URL          string
	Events       []string // "*" for every type
	Secret       string
	OldSecret    string // a rolled secret that still signs until OldExpiresAt
	OldExpiresAt time.Time
	Created      time.Time
}

// Wants reports whether the endpoint subscribes to an event type.
func (w *WebhookEndpoint) Wants(eventType string) bool {
	for _, e := range w.Events {
		if e == "*" || e == eventType {
			return true
		}
	}
	return false
}

// Delivery is one event on its way to one endpoint.
type Delivery struct {
	ID            string
	EventID       string
	EndpointID    string
	MerchantID    string
	Status        string // pending, succeeded, failed
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int
	Created       time.Time
	Event         *Event // loaded with a claimed delivery
	// Lease is when a claimed delivery's lease ends; it also names the
	// claim, so only its holder can record the attempt.
	Lease time.Time
}

// ErrLeaseLost: a delivery's lease ended and another claim took it over, so
// the former holder's attempt is not recorded (the new holder's is).
var ErrLeaseLost = &Error{Code: CodeUnavailable, Message: "the delivery's lease passed to another claim"}

// DeliveryAttempt is one HTTP attempt of a delivery.
type DeliveryAttempt struct {
	ID         string
	DeliveryID string
	At         time.Time
	StatusCode int // 0 when no response came back
	Latency    time.Duration
	Excerpt    string
	Error      string
}
