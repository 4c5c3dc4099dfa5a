package sdk

import (
	"context"
	"time"
)

// KeySet is the key set the client authenticates with, as it may read
// itself: never its secrets.
type KeySet struct {
	ID          string      `json:"id"`
	Object      string      `json:"object"`
	Environment Environment `json:"environment"`
	Name        string      `json:"name"`
	ClientID    string      `json:"client_id"`
	// TrustURLs are the origins allowed as checkout success/cancel URLs,
	// webhook URLs and promotion pages.
	TrustURLs []string `json:"trust_urls"`
	// TrustIPs are the addresses or CIDR ranges allowed to call the API;
	// empty allows any (TRAINING only).
	TrustIPs []string  `json:"trust_ips"`
	Created  time.Time `json:"created"`
}

// TrustParams replace both Trust lists of the calling key set: send the
// whole lists (an empty slice empties one).
type TrustParams struct {
	TrustURLs []string `json:"trust_urls"`
	TrustIPs  []string `json:"trust_ips"`
	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

func (p *TrustParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

// KeySetService reads the calling key set and replaces its Trust URLs and
// IPs, so a deployment script can keep them in step with its servers.
type KeySetService struct{ c *Client }

// Get returns the calling key set (GET /v1/key_set).
func (s *KeySetService) Get(ctx context.Context) (*KeySet, error) {
	var out KeySet
	if err := s.c.get(ctx, "/v1/key_set", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplaceTrust replaces both Trust lists (POST /v1/key_set/trust). A Trust
// IP list that would refuse the caller's own address is refused
// (parameter_invalid on trust_ips).
func (s *KeySetService) ReplaceTrust(ctx context.Context, p *TrustParams) (*KeySet, error) {
	if p != nil {
		if p.TrustURLs == nil {
			p.TrustURLs = []string{}
		}
		if p.TrustIPs == nil {
			p.TrustIPs = []string{}
		}
	}
	var out KeySet
	if err := s.c.post(ctx, "/v1/key_set/trust", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
