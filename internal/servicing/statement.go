package servicing

import (
	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

// Statement is one billing cycle's statement: everything the provincial
// lists require (New Brunswick C-28.3 s.42, Ontario O. Reg. 17/05, Quebec
// CPA s.126). It is data; [Render] writes it out.
type Statement struct {
	Number   int // 1 for the account's first statement
	Account  string
	Province openflex.Province
	Language string

	PeriodStart, PeriodEnd Date
	OpeningBalance         int64
	Lines                  []Line
	TotalDebits            int64 // charges, interest and fees (positive)
	TotalCredits           int64 // payments and credits (positive)
	InterestCharged        int64
	FeesCharged            int64
	ClosingBalance         int64 // OpeningBalance + TotalDebits − TotalCredits
	CreditLimit            int64
	AvailableCredit        int64
	MinimumPayment         int64 // includes PastDue
	PastDue                int64
	DueDate                Date
	// GraceAmount is the amount to pay by the due date to pay no interest
	// on the revolving purchases: the revolving balance plus what is due on
	// the plans.
	GraceAmount int64
	Rates       []Rate
	Plans       []PlanSummary
	// Repayment estimates the time to repay the revolving balance at the
	// minimum payment (Quebec CPA s.126(k)).
	Repayment Repayment
	Status    openflex.AccountStatus
	Lender    Lender
}

// Rate is an annual rate a statement discloses.
type Rate struct {
	Segment string
	Kind    SegmentKind
	Label   string // the plan's description
	Rate    finance.Percent
}

// PlanSummary is one plan segment as a statement shows it.
type PlanSummary struct {
	Segment     string
	Kind        SegmentKind
	Description string
	Merchant    string
	Instalment  int64 // this statement's instalment (0 for deferred)
	Remaining   int64 // balance owed on the plan
	// EndDate is the equal-payment plan's last instalment's statement, or
	// the deferred plan's expiry.
	EndDate Date
	// InterestIfUnpaid is, for a deferred plan, the interest accrued so
	// far and charged if the balance is not paid by EndDate (more accrues
	// until then).
	InterestIfUnpaid int64
	// InterestAtExpiry is, for a deferred plan, the interest charged at
	// EndDate if the balance stays as it is now.
	InterestAtExpiry int64
}

// Repayment is the estimate of repaying a balance at the minimum payment.
type Repayment struct {
	Months   int
	Interest int64
	// Never is set when the minimum never repays the balance (a floor
	// below the interest), where Months and Interest mean nothing.
	Never bool
}

// Render writes st as plain text in its language (French for "fr…",
// English otherwise): the statement a customer reads, the CLI prints and
// a page or PDF lays out.
func Render(st *Statement) string {
	return "not implemented"
}

// EstimateRepayment is how long paying only the minimum takes to repay
// balance at rate (Quebec CPA s.126(k); notes example 4): each month,
// interest balance × rate / 12 (half up) is added, then the minimum, the
// greater of percent of the balance (rounded up), that interest, and floor
// (the whole balance under floor), is paid.
func EstimateRepayment(balance int64, rate, percent finance.Percent, floor int64) Repayment {
	return Repayment{Never: true}
}
