package sdk

import (
	"context"
	"time"
)

// ApplicationStatus is the decision on a credit application.
type ApplicationStatus string

// Application statuses of API.md.
const (
	ApplicationApproved ApplicationStatus = "approved"
	// ApplicationPending waits for lender staff; Get it again later.
	ApplicationPending  ApplicationStatus = "pending"
	ApplicationDeclined ApplicationStatus = "declined"
	// ApplicationRetry means the bureau could not answer: submit again.
	ApplicationRetry ApplicationStatus = "retry"
)

// RiskCategory is the lender's grading of an account.
type RiskCategory string

// Risk categories of API.md.
const (
	RiskPreferred RiskCategory = "preferred"
	RiskPremium   RiskCategory = "premium"
	RiskStandard  RiskCategory = "standard"
)

// Application is a credit application and its decision. A decline is an
// Application with Status declined, not an error.
type Application struct {
	ID          string            `json:"id"`
	Object      string            `json:"object"`
	Environment Environment       `json:"environment"`
	Created     time.Time         `json:"created"`
	Status      ApplicationStatus `json:"status"`
	// Reasons explain a decline, a pending review or a retry, in words
	// fit to show the shopper.
	Reasons []Reason `json:"reasons"`
	StoreID string   `json:"store_id"`
	// RequestedAmount is in cents; nil when none was requested.
	RequestedAmount *int64 `json:"requested_amount"`
	// CreditLimit (cents) and RiskCategory are set once approved.
	CreditLimit  *int64        `json:"credit_limit"`
	RiskCategory *RiskCategory `json:"risk_category"`
	// Account is the new account once approved.
	Account *Account `json:"account"`
}

// Reason is one reason of a decision.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ApplicationParams is a credit application (POST /v1/applications). The
// applicant must have consented to the credit check and the terms.
type ApplicationParams struct {
	StoreID   string    `json:"store_id"`
	Applicant Applicant `json:"applicant"`
	// RequestedAmount is in cents; 0 is none.
	RequestedAmount int64   `json:"requested_amount,omitempty"`
	Consent         Consent `json:"consent"`
	// Language is the customer's, "en" or "fr"; empty follows
	// WithLanguage.
	Language string `json:"language,omitempty"`

	// IdempotencyKey replaces the key the client makes up for this call
	// (see the package documentation).
	IdempotencyKey string `json:"-"`
}

// Applicant is the person applying.
type Applicant struct {
	FirstName string `json:"first_name"`
	// MiddleName is optional. In TRAINING it picks the simulated bureau's
	// answer: "A-RR_L" approves (low risk), "A-RR_H" approves (high risk),
	// "D-NO_HIT" and "D-FRAUD" decline, "P-CREDIT" is pending review,
	// "R-TIMEOUT" asks to retry.
	MiddleName string `json:"middle_name,omitempty"`
	LastName   string `json:"last_name"`
	// DateOfBirth is "YYYY-MM-DD"; the applicant must be of age in the
	// province.
	DateOfBirth string `json:"date_of_birth"`
	Email       string `json:"email"`
	// Phone is a North American number, such as "416-555-0199".
	Phone   string  `json:"phone"`
	Address Address `json:"address"`
	// AnnualIncome is the gross yearly income in cents; always sent (0 is
	// a declared income of zero).
	AnnualIncome int64 `json:"annual_income"`
	// EmploymentStatus is employed, self_employed, retired, student,
	// unemployed or other.
	EmploymentStatus string `json:"employment_status"`
	// HousingStatus is own, rent, live_with_family or other.
	HousingStatus string `json:"housing_status"`
	// MonthlyHousingCost is in cents; always sent.
	MonthlyHousingCost int64 `json:"monthly_housing_cost"`
	// SIN is the optional Social Insurance Number.
	SIN string `json:"sin,omitempty"`
}

// Address is a Canadian postal address.
type Address struct {
	Line1 string `json:"line1"`
	Line2 string `json:"line2,omitempty"`
	City  string `json:"city"`
	// Province is the two-letter code, such as "ON".
	Province string `json:"province"`
	// PostalCode must match the province, such as "M5V 2T6".
	PostalCode string `json:"postal_code"`
}

// Consent records the applicant's agreement; both must be true.
type Consent struct {
	CreditCheck   bool `json:"credit_check"`
	TermsAccepted bool `json:"terms_accepted"`
}

// ApplicationService submits and reads credit applications.
type ApplicationService struct{ c *Client }

// Create submits an application and returns the decision (POST
// /v1/applications). All field problems come at once in one 400 *Error
// (parameter_missing, parameter_invalid); in PRODUCTION a 503
// bureau_unavailable is retried by the client. The same person applying
// again within 30 days, or while holding an open account, gets the earlier
// decision: a repeat opens no account and gives this merchant no consent
// (purchases on the account then need the customer's verification or a
// checkout); a repeat of a pending application stays pending and takes its
// decision.
func (s *ApplicationService) Create(ctx context.Context, p *ApplicationParams) (*Application, error) {
	var out Application
	if err := s.c.post(ctx, "/v1/applications", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns an application the merchant submitted (GET
// /v1/applications/{id}), with its account once approved.
func (s *ApplicationService) Get(ctx context.Context, id string) (*Application, error) {
	var out Application
	if err := s.c.get(ctx, "/v1/applications/"+pathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (p *ApplicationParams) idempotencyKey() string {
	if p == nil {
		return ""
	}
	return p.IdempotencyKey
}
