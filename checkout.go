package openflex

import "time"

// CheckoutStatus is where an online checkout stands.
type CheckoutStatus string

// Checkout statuses of API.md.
const (
	CheckoutOpen      CheckoutStatus = "open"
	CheckoutCompleted CheckoutStatus = "completed"
	CheckoutCancelled CheckoutStatus = "cancelled"
	CheckoutExpired   CheckoutStatus = "expired"
)

// CheckoutTTL is how long a checkout session stays open.
const CheckoutTTL = 60 * time.Minute

// CheckoutCustomer is what the merchant already knows about the shopper,
// used to prefill the application form. It is personal data: sealed at rest.
type CheckoutCustomer struct {
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	DateOfBirth string `json:"date_of_birth,omitempty"`
	Line1       string `json:"line1,omitempty"`
	Line2       string `json:"line2,omitempty"`
	City        string `json:"city,omitempty"`
	Province    string `json:"province,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
}

// Checkout is a hosted checkout session: the shopper signs in or applies,
// picks a plan and confirms; an authorization results.
type Checkout struct {
	ID              string
	MerchantID      string
	KeySetID        string
	StoreID         string
	Amount          int64
	Currency        Currency
	Reference       string
	Items           []LineItem
	Customer        CheckoutCustomer
	Flow            string // apply_or_buy, buy or apply
	AutoCapture     bool
	SuccessURL      string
	CancelURL       string
	Language        string
	Status          CheckoutStatus
	TokenHash       []byte
	AccountNumber   string
	ApplicationID   string
	VerificationID  string
	Verified        bool // the shopper proved they hold the account
	PlanID          string
	TermMonths      int
	AuthorizationID string
	ExpiresAt       time.Time
	Created         time.Time
	CompletedAt     time.Time
}
