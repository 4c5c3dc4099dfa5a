package openflex

import "time"

// Merchant is a business that takes OpenFlex financing. Merchants live in
// the control plane: they exist in both environments.
type Merchant struct {
	ID    string
	Name  string
	Email string
	// LiveApproved reports whether the lender approved go-live, which is
	// what allows PRODUCTION key sets.
	LiveApproved bool
	ApprovedAt   time.Time
	Created      time.Time
}

// StoreStatus is whether a store may take purchases.
type StoreStatus string

// Store statuses.
const (
	StoreActive   StoreStatus = "active"
	StoreInactive StoreStatus = "inactive"
)

// Store is a merchant's physical or online location.
type Store struct {
	ID                 string
	MerchantID         string
	Name               string
	ExternalLocationID string
	Province           Province
	TimeZone           string
	Status             StoreStatus
	Created            time.Time
}

// KeySet is one Client ID + Client Secret of one environment, with the
// Trust URLs and IPs its requests, redirects and webhooks are bound to.
type KeySet struct {
	ID          string
	MerchantID  string
	Environment Environment
	Name        string
	ClientID    string
	TrustURLs   []string
	TrustIPs    []string
	Created     time.Time
	RevokedAt   time.Time
	LastUsedAt  time.Time
	// Secrets holds the current secret and any rolled one still in grace.
	Secrets []Secret
}

// Active reports whether the key set can still authenticate.
func (k *KeySet) Active() bool { return k.RevokedAt.IsZero() }

// Secret is the stored form of a client secret: never the secret itself.
type Secret struct {
	ID        string
	Hash      []byte
	Last4     string
	Created   time.Time
	ExpiresAt time.Time // zero: no expiry (the current secret)
}

// ValidAt reports whether the secret may authenticate at t.
func (s Secret) ValidAt(t time.Time) bool { return s.ExpiresAt.IsZero() || t.Before(s.ExpiresAt) }

// AuditEntry is one line of the control plane's audit log: who did what to
// which object, when, and from where.
type AuditEntry struct {
	ID         string
	At         time.Time
	Actor      string
	Action     string
	MerchantID string
	ObjectID   string
	Detail     string
	RemoteAddr string
}

// AccountNote is a lender staff member's note on an account (the account
// desk). Notes are never edited or deleted: a correction is a new note.
type AccountNote struct {
	ID            string
	AccountNumber string
	Author        string // the staff member, "admin:usr_…" or "agent:usr_…"
	Body          string
	Created       time.Time
}
