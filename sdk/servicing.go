package sdk

import (
	"context"
	"time"
)

// InStorePaymentParams is a payment the customer makes at your till,
// verified by a code as for an in-store sale.
type InStorePaymentParams struct {
	// Amount is in cents; an account takes at most $10,000 of payments a
	// day (402 payment_limit_exceeded).
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// Channel is "in_store".
	Channel    string `json:"channel"`
	StoreID    string `json:"store_id"`
	RegisterID string `json:"register_id,omitempty"`
	EmployeeID string `json:"employee_id,omitempty"`
	Reference  string `json:"reference,omitempty"`
	// Verification is the code the customer passed at the till.
	Verification *VerificationCode `json:"verification"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

func (p *InStorePaymentParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

// PaymentAllocation is the part of a payment applied to one bucket of one
// segment.
type PaymentAllocation struct {
	// Segment is "revolving", a plan purchase's capture id, or "" for the
	// account's own credit or charged-off balance.
	Segment string `json:"segment"`
	// Bucket is fee, interest, principal, credit or charged_off.
	Bucket string `json:"bucket"`
	Amount int64  `json:"amount"`
}

// Payment is a payment towards an account: its receipt.
type Payment struct {
	ID            string      `json:"id"`
	Object        string      `json:"object"`
	Environment   Environment `json:"environment"`
	Created       time.Time   `json:"created"`
	AccountNumber string      `json:"account_number"`
	Amount        int64       `json:"amount"`
	Currency      string      `json:"currency"`
	// Channel is in_store, bank, cheque, debit or test_helper.
	Channel string `json:"channel"`
	// Status is succeeded or reversed.
	Status     string              `json:"status"`
	StoreID    *string             `json:"store_id"`
	RegisterID *string             `json:"register_id"`
	EmployeeID *string             `json:"employee_id"`
	Reference  *string             `json:"reference"`
	PostedOn   string              `json:"posted_on"`
	Allocation []PaymentAllocation `json:"allocation"`
	NSFFee     int64               `json:"nsf_fee"`
	ReversedAt *time.Time          `json:"reversed_at"`
	// AvailableCredit and Balance are the account's after the payment
	// (Balance negative: a credit balance).
	AvailableCredit int64 `json:"available_credit"`
	Balance         int64 `json:"balance"`
}

// StatementLine is one line of a statement: positive a charge, negative a
// payment or credit.
type StatementLine struct {
	Date        string `json:"date"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
	// Merchant and Store are a purchase's ids; MerchantName and StoreName
	// the names the customer reads, as they were at capture.
	Merchant     string `json:"merchant"`
	Store        string `json:"store"`
	MerchantName string `json:"merchant_name"`
	StoreName    string `json:"store_name"`
	Amount       int64  `json:"amount"`
}

// StatementPlan is one plan purchase as a statement shows it.
type StatementPlan struct {
	Segment          string  `json:"segment"`
	Kind             string  `json:"kind"`
	Description      string  `json:"description"`
	Merchant         string  `json:"merchant"`
	MerchantName     string  `json:"merchant_name"`
	Instalment       int64   `json:"instalment"`
	Remaining        int64   `json:"remaining"`
	EndDate          *string `json:"end_date"`
	InterestIfUnpaid int64   `json:"interest_if_unpaid"`
	InterestAtExpiry int64   `json:"interest_at_expiry"`
}

// Statement is a monthly statement, as the statement.created event carries
// it (in TRAINING, to the owner of the account's test clock).
type Statement struct {
	ID              string          `json:"id"`
	Object          string          `json:"object"`
	Environment     Environment     `json:"environment"`
	Created         time.Time       `json:"created"`
	AccountNumber   string          `json:"account_number"`
	Number          int             `json:"number"`
	Language        string          `json:"language"`
	PeriodStart     string          `json:"period_start"`
	PeriodEnd       string          `json:"period_end"`
	OpeningBalance  int64           `json:"opening_balance"`
	TotalDebits     int64           `json:"total_debits"`
	TotalCredits    int64           `json:"total_credits"`
	InterestCharged int64           `json:"interest_charged"`
	FeesCharged     int64           `json:"fees_charged"`
	ClosingBalance  int64           `json:"closing_balance"`
	CreditLimit     int64           `json:"credit_limit"`
	AvailableCredit int64           `json:"available_credit"`
	MinimumPayment  int64           `json:"minimum_payment"`
	PastDue         int64           `json:"past_due"`
	DueDate         string          `json:"due_date"`
	GraceAmount     int64           `json:"grace_amount"`
	Lines           []StatementLine `json:"lines"`
	Plans           []StatementPlan `json:"plans"`
	// Text is the statement as the customer reads it.
	Text string `json:"text"`
}

// AccountStatusChange is the account.status_changed event's object.
type AccountStatusChange struct {
	Object        string        `json:"object"`
	Environment   Environment   `json:"environment"`
	Created       time.Time     `json:"created"`
	AccountNumber string        `json:"account_number"`
	From          AccountStatus `json:"from"`
	To            AccountStatus `json:"to"`
}

// TestClock is a TRAINING clock: the accounts attached to it live at its
// frozen time.
type TestClock struct {
	ID          string      `json:"id"`
	Object      string      `json:"object"`
	Environment Environment `json:"environment"`
	Created     time.Time   `json:"created"`
	Name        string      `json:"name"`
	FrozenTime  time.Time   `json:"frozen_time"`
	// Status is ready, or advancing while an advance applies its days.
	Status string `json:"status"`
}

// TestClockParams creates a test clock.
type TestClockParams struct {
	FrozenTime time.Time `json:"frozen_time"`
	Name       string    `json:"name,omitempty"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// AdvanceTestClockParams moves a test clock forward.
type AdvanceTestClockParams struct {
	FrozenTime time.Time `json:"frozen_time"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

// AttachTestClockParams puts a fresh account on a test clock.
type AttachTestClockParams struct {
	AccountNumber string `json:"account_number"`

	// IdempotencyKey replaces the key the client makes up for this call.
	IdempotencyKey string `json:"-"`
}

func (p *TestClockParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

func (p *AdvanceTestClockParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

func (p *AttachTestClockParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}

// CreatePayment takes a payment at your till (POST
// /v1/accounts/{account_number}/payments): the receipt shows how it was
// allocated; the cash you took is netted from your next settlement.
func (s *AccountService) CreatePayment(ctx context.Context, accountNumber string, p *InStorePaymentParams) (*Payment, error) {
	var out Payment
	if err := s.c.post(ctx, "/v1/accounts/"+pathEscape(accountNumber)+"/payments", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateTestClock starts a TRAINING test clock (POST
// /v1/test_helpers/test_clocks).
func (s *TestHelperService) CreateTestClock(ctx context.Context, p *TestClockParams) (*TestClock, error) {
	var out TestClock
	if err := s.c.post(ctx, "/v1/test_helpers/test_clocks", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetTestClock reads a test clock (GET /v1/test_helpers/test_clocks/{id}).
func (s *TestHelperService) GetTestClock(ctx context.Context, id string) (*TestClock, error) {
	var out TestClock
	if err := s.c.get(ctx, "/v1/test_helpers/test_clocks/"+pathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AdvanceTestClock moves a clock forward; every day passed is applied to
// its accounts (statements, interest, due dates, standing) before it
// answers (POST /v1/test_helpers/test_clocks/{id}/advance).
func (s *TestHelperService) AdvanceTestClock(ctx context.Context, id string, p *AdvanceTestClockParams) (*TestClock, error) {
	var out TestClock
	if err := s.c.post(ctx, "/v1/test_helpers/test_clocks/"+pathEscape(id)+"/advance", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AttachTestClock puts an account with no purchase or payment yet on a
// clock (POST /v1/test_helpers/test_clocks/{id}/attach).
func (s *TestHelperService) AttachTestClock(ctx context.Context, id string, p *AttachTestClockParams) (*TestClock, error) {
	var out TestClock
	if err := s.c.post(ctx, "/v1/test_helpers/test_clocks/"+pathEscape(id)+"/attach", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
