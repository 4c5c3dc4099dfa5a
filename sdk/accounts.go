package sdk

import (
	"context"
	"net/url"
	"time"
)

// AccountStatus is where a customer's account stands.
type AccountStatus string

// Account statuses of API.md. Only normal accounts may be authorized.
const (
	AccountNormal         AccountStatus = "normal"
	AccountAuthProhibited AccountStatus = "auth_prohibited"
	AccountFrozen         AccountStatus = "frozen"
	AccountChargedOff     AccountStatus = "charged_off"
	AccountClosed         AccountStatus = "closed"
)

// Account is the merchant's view of a customer's credit account: never
// the date of birth, address, SIN or bureau data.
type Account struct {
	// AccountNumber is 14 digits with a Luhn check digit.
	AccountNumber string        `json:"account_number"`
	Object        string        `json:"object"`
	Environment   Environment   `json:"environment"`
	Created       time.Time     `json:"created"`
	Status        AccountStatus `json:"status"`
	FirstName     string        `json:"first_name"`
	LastInitial   string        `json:"last_initial"`
	// CreditLimit and AvailableCredit are in cents.
	CreditLimit     int64        `json:"credit_limit"`
	AvailableCredit int64        `json:"available_credit"`
	Currency        string       `json:"currency"`
	Province        string       `json:"province"`
	Language        string       `json:"language"`
	RiskCategory    RiskCategory `json:"risk_category"`
}

// AccountWithConsent is an account with the calling merchant's own
// consent on it (GET /v1/accounts/{account_number}).
type AccountWithConsent struct {
	Account
	// Consent is nil when the merchant holds none: online purchases then
	// need a checkout or a verification.
	Consent *AccountConsent `json:"consent"`
}

// AccountConsent is a customer's standing permission for one merchant to post
// online purchases on their account without a new code (a card on file).
type AccountConsent struct {
	ID            string      `json:"id"`
	Object        string      `json:"object"`
	Environment   Environment `json:"environment"`
	Created       time.Time   `json:"created"`
	AccountNumber string      `json:"account_number"`
	// Status is "active" or "revoked".
	Status string `json:"status"`
	// Source is how it was given: "checkout", "verification" or "application".
	Source         string     `json:"source"`
	CheckoutID     *string    `json:"checkout_id"`
	VerificationID *string    `json:"verification_id"`
	ApplicationID  *string    `json:"application_id"`
	RevokedAt      *time.Time `json:"revoked_at"`
	// RevokedBy is "customer", "merchant" or "staff".
	RevokedBy    *string `json:"revoked_by"`
	RevokeReason *string `json:"revoke_reason"`
}

// ConsentRevokeParams ends the merchant's consent on an account. With
// Verification (a code the customer passed) it is the customer's
// revocation; without, the merchant gives up its own consent.
type ConsentRevokeParams struct {
	Verification *VerificationCode `json:"verification,omitempty"`
	Reason       string            `json:"reason,omitempty"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

func (p *ConsentRevokeParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

// AccountSearchParams finds accounts by exact match of all four fields.
type AccountSearchParams struct {
	FirstName string
	LastName  string
	// DateOfBirth is "YYYY-MM-DD".
	DateOfBirth string
	PostalCode  string
}

// VerificationParams asks for a verification code to be sent.
type VerificationParams struct {
	// Channel is "sms" or "email".
	Channel string `json:"channel"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// Verification is a code sent to the customer, which an in-store
// authorization quotes back (AuthorizationParams.Verification). Codes live
// 10 minutes; 5 wrong tries lock it. In TRAINING the code 222222 passes.
type Verification struct {
	ID            string      `json:"id"`
	Object        string      `json:"object"`
	Environment   Environment `json:"environment"`
	Created       time.Time   `json:"created"`
	AccountNumber string      `json:"account_number"`
	Channel       string      `json:"channel"`
	// SentTo is the masked phone number or email address.
	SentTo    string    `json:"sent_to"`
	ExpiresAt time.Time `json:"expires_at"`
}

// QuoteParams asks what a purchase would cost on each plan.
type QuoteParams struct {
	// Amount is the purchase, in cents.
	Amount  int64  `json:"amount"`
	StoreID string `json:"store_id"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// Quote lists every plan and term the customer may use at the store for
// the amount, with their cost of borrowing.
type Quote struct {
	// ID (quo_…) names this answer in logs and support requests; quotes
	// are not stored.
	ID              string        `json:"id"`
	Object          string        `json:"object"`
	Environment     Environment   `json:"environment"`
	Created         time.Time     `json:"created"`
	AccountNumber   string        `json:"account_number"`
	Amount          int64         `json:"amount"`
	Currency        string        `json:"currency"`
	StoreID         string        `json:"store_id"`
	AvailableCredit int64         `json:"available_credit"`
	Options         []QuoteOption `json:"options"`
}

// QuoteOption is one plan and term for a quoted purchase. Amounts are in
// cents; rates are exact decimal strings in percent, such as "29.99".
type QuoteOption struct {
	PlanID             string       `json:"plan_id"`
	PlanName           string       `json:"plan_name"`
	Category           PlanCategory `json:"category"`
	TermMonths         int          `json:"term_months"`
	MonthlyPayment     int64        `json:"monthly_payment"`
	NumberOfPayments   int          `json:"number_of_payments"`
	AnnualInterestRate string       `json:"annual_interest_rate"`
	// APR is computed per Canada's Cost of Borrowing rules.
	APR                  string `json:"apr"`
	AdminFee             int64  `json:"admin_fee"`
	TotalCostOfBorrowing int64  `json:"total_cost_of_borrowing"`
	TotalToPay           int64  `json:"total_to_pay"`
	// Disclosure is the cost-of-borrowing text to show the customer.
	Disclosure string `json:"disclosure"`
}

// AccountService looks up customers' accounts.
type AccountService struct{ c *Client }

// Get returns an account with this merchant's consent on it (GET
// /v1/accounts/{account_number}); resource_missing when there is none in
// the client's environment.
func (s *AccountService) Get(ctx context.Context, accountNumber string) (*AccountWithConsent, error) {
	var out AccountWithConsent
	if err := s.c.get(ctx, "/v1/accounts/"+pathEscape(accountNumber), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Search finds accounts by first and last name, date of birth and postal
// code, all matched exactly (GET /v1/customers/search). The list is never
// paged.
func (s *AccountService) Search(ctx context.Context, p *AccountSearchParams) (*List[Account], error) {
	q := url.Values{}
	if p != nil {
		setNonEmpty(q, "first_name", p.FirstName)
		setNonEmpty(q, "last_name", p.LastName)
		setNonEmpty(q, "date_of_birth", p.DateOfBirth)
		setNonEmpty(q, "postal_code", p.PostalCode)
	}
	var out List[Account]
	if err := s.c.get(ctx, "/v1/customers/search", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateVerification sends the customer a 6-digit code (POST
// /v1/accounts/{account_number}/verifications).
func (s *AccountService) CreateVerification(ctx context.Context, accountNumber string, p *VerificationParams) (*Verification, error) {
	var out Verification
	if err := s.c.post(ctx, "/v1/accounts/"+pathEscape(accountNumber)+"/verifications", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RevokeConsent ends this merchant's consent on an account (POST
// /v1/accounts/{account_number}/consent/revoke); resource_missing when it
// holds none.
func (s *AccountService) RevokeConsent(ctx context.Context, accountNumber string, p *ConsentRevokeParams) (*AccountConsent, error) {
	var out AccountConsent
	if err := s.c.post(ctx, "/v1/accounts/"+pathEscape(accountNumber)+"/consent/revoke", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Quote returns every plan and term the customer may use at a store for
// an amount (POST /v1/accounts/{account_number}/quotes). It moves no money.
func (s *AccountService) Quote(ctx context.Context, accountNumber string, p *QuoteParams) (*Quote, error) {
	var out Quote
	if err := s.c.post(ctx, "/v1/accounts/"+pathEscape(accountNumber)+"/quotes", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ValidAccountNumber reports whether s is 14 digits with a valid Luhn
// check digit, so a mistyped number is caught before any request.
func ValidAccountNumber(s string) bool {
	if len(s) != 14 {
		return false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func (p *VerificationParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

func (p *QuoteParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}
