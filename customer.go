package openflex

import "time"

// Address is a Canadian postal address.
type Address struct {
	Line1      string
	Line2      string
	City       string
	Province   Province
	PostalCode string // canonical "A1A 1A1"
}

// Applicant is the person applying for credit, as submitted.
type Applicant struct {
	FirstName          string
	MiddleName         string
	LastName           string
	DateOfBirth        string // YYYY-MM-DD
	Email              string
	Phone              string // canonical E.164, +1XXXXXXXXXX
	Address            Address
	AnnualIncome       int64 // cents
	EmploymentStatus   string
	HousingStatus      string
	MonthlyHousingCost int64  // cents
	SIN                string // optional; 9 digits
}

// Consent is the applicant's consent to a credit check, as recorded with
// every bureau inquiry.
type Consent struct {
	CreditCheck   bool
	TermsAccepted bool
	At            time.Time
	IP            string
	TermsVersion  string
}

// Customer is a person known to the lender in one environment. Personal
// data (date of birth, SIN, address, contact details) is encrypted at rest
// by the store.
type Customer struct {
	ID        string
	Applicant Applicant
	Language  string // "en" or "fr"
	Created   time.Time
}

// RiskCategory is the lender's pricing tier of an account.
type RiskCategory string

// Risk categories, best first.
const (
	RiskPreferred RiskCategory = "preferred"
	RiskPremium   RiskCategory = "premium"
	RiskStandard  RiskCategory = "standard"
)

// ApplicationStatus is a credit decision.
type ApplicationStatus string

// Application statuses of API.md.
const (
	ApplicationApproved ApplicationStatus = "approved"
	ApplicationPending  ApplicationStatus = "pending"
	ApplicationDeclined ApplicationStatus = "declined"
	ApplicationRetry    ApplicationStatus = "retry"
)

// Reason explains a decision (decline or pending review) with a stable code.
type Reason struct {
	Code    string
	Message string
}

// Application is one credit application and its decision.
type Application struct {
	ID              string
	MerchantID      string
	StoreID         string
	CustomerID      string
	Status          ApplicationStatus
	Reasons         []Reason
	RequestedAmount int64
	CreditLimit     int64 // when approved
	RiskCategory    RiskCategory
	AccountNumber   string // when approved
	Score           int    // bureau score; never shown to merchants
	Language        string
	Consent         Consent
	// RepeatOf is the application this one repeats (same person, another
	// merchant): it follows that application's decision, never its own.
	RepeatOf string
	// IdentityKey is the keyed hash of name + date of birth, for duplicate
	// detection; set by the store.
	Created   time.Time
	DecidedAt time.Time
}

// AccountStatus is the standing of a credit account.
type AccountStatus string

// Account statuses of API.md. Only normal accounts may take purchases.
const (
	AccountNormal         AccountStatus = "normal"
	AccountAuthProhibited AccountStatus = "auth_prohibited"
	AccountFrozen         AccountStatus = "frozen"
	AccountChargedOff     AccountStatus = "charged_off"
	AccountClosed         AccountStatus = "closed"
)

// Account is a revolving credit line. Balances are kept by the ledger:
// available credit = limit − posted balance − charges − held, never below
// zero.
type Account struct {
	Number        string // 14 digits, Luhn check digit
	CustomerID    string
	Status        AccountStatus
	CreditLimit   int64
	PostedBalance int64
	// Charges are the interest and fees owed, kept apart from the posted
	// balance so that a charge posts even on an account at its limit.
	Charges      int64
	Held         int64
	Currency     Currency
	RiskCategory RiskCategory
	Province     Province
	Language     string
	FirstName    string
	LastName     string
	Created      time.Time
	// ClockTime is the time on the account's TRAINING test clock, as the
	// account's read found it; zero for an account on the wall clock.
	ClockTime time.Time
}

// Owed is what the customer owes: the posted balance and the charges
// (negative: a credit balance).
func (a *Account) Owed() int64 { return a.PostedBalance + a.Charges }

// Available is the credit the account can still draw.
func (a *Account) Available() int64 {
	if v := a.CreditLimit - a.PostedBalance - a.Charges - a.Held; v > 0 {
		return v
	}
	return 0
}

// LuhnValid reports whether a digit string ends in a correct Luhn check digit.
func LuhnValid(digits string) bool {
	if len(digits) < 2 {
		return false
	}
	sum := 0
	for i := 0; i < len(digits); i++ {
		c := digits[len(digits)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// LuhnCheckDigit returns the digit that makes payload + digit Luhn-valid.
func LuhnCheckDigit(payload string) byte {
	for d := byte('0'); d <= '9'; d++ {
		if LuhnValid(payload + string(d)) {
			return d
		}
	}
	return '0'
}

// ValidAccountNumber reports whether s is 14 digits with a valid check digit.
func ValidAccountNumber(s string) bool { return len(s) == 14 && LuhnValid(s) }
