package openflex

import "time"

// VerificationStatus is where a customer verification stands.
type VerificationStatus string

// Verification statuses: a code is pending until it passes (and is then
// consumed by one purchase) or is locked by wrong tries or expires.
const (
	VerificationPending  VerificationStatus = "pending"
	VerificationPassed   VerificationStatus = "passed"
	VerificationConsumed VerificationStatus = "consumed"
	VerificationLocked   VerificationStatus = "locked"
)

// Verification is a one-time code sent to an account holder to prove they
// are present at the till.
type Verification struct {
	ID            string
	AccountNumber string
	MerchantID    string
	// BudgetKey is the caller budget the code counts against: the key
	// set that asked for it, or "till:" and the merchant for its clerk
	// screens.
	BudgetKey string
	Channel   string // sms or email
	CodeHash  []byte
	SentTo    string // masked
	Attempts  int
	Status    VerificationStatus
	ExpiresAt time.Time
	Created   time.Time
	UsedAt    time.Time
}

// Message is a notification OpenFlex sent, or in TRAINING would have sent.
type Message struct {
	ID         string
	MerchantID string
	Channel    string
	Recipient  string
	Subject    string
	Body       string
	Created    time.Time
}

// Inquiry is the record of one credit bureau inquiry and its consent.
type Inquiry struct {
	ID            string
	ApplicationID string
	CustomerID    string
	Bureau        string
	Outcome       string // hit, no_hit, fraud, timeout, error
	Score         int
	Reference     string
	Consent       Consent
	Created       time.Time
}
