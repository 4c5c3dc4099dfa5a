package servicing

import (
	"cmp"
	"slices"

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

// MerchantLabel is the plan's merchant as a customer reads it (see
// Line.MerchantLabel).
func (p PlanSummary) MerchantLabel() string { return cmp.Or(p.MerchantName, p.Merchant) }

// PlanSummary is one plan segment as a statement shows it.
type PlanSummary struct {
	Segment     string
	Kind        SegmentKind
	Description string
	Merchant    string // id
	// MerchantName is the merchant's name at capture ("" before names
	// were recorded).
	MerchantName string
	Instalment   int64 // this statement's instalment (0 for deferred)
	Remaining    int64 // balance owed on the plan
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

// statement builds the statement of the cycle ending on d.
func (a *Account) statement(d, due Date, minimum, pastDue, grace int64, instalments map[string]int64) *Statement {
	st := &Statement{
		Number: a.Statements, Account: a.Opening.Number, Province: a.Opening.Province, Language: a.Opening.Language,
		PeriodStart: a.Cycle.Start, PeriodEnd: d, OpeningBalance: a.Cycle.Opening,
		Lines: append([]Line(nil), a.Cycle.Lines...), ClosingBalance: a.Balance(),
		CreditLimit: a.CreditLimit, AvailableCredit: a.Available(),
		MinimumPayment: min(minimum, max(0, a.Balance())), PastDue: pastDue, DueDate: due, GraceAmount: grace,
		Status: a.Status, Lender: a.Config.Lender,
	}
	// By posting date: a payment dated back is listed on its date.
	slices.SortStableFunc(st.Lines, func(x, y Line) int { return x.Date.DaysUntil(y.Date) * -1 })
	for _, l := range st.Lines {
		if l.Amount > 0 {
			st.TotalDebits += l.Amount
		} else {
			st.TotalCredits -= l.Amount
		}
		switch l.Kind {
		case LineInterest:
			st.InterestCharged += l.Amount
		case LineFee:
			st.FeesCharged += l.Amount
		}
	}
	rev := a.revolving()
	st.Rates = append(st.Rates, Rate{Segment: rev.ID, Kind: SegmentRevolving, Label: "Regular purchases", Rate: rev.Rate})
	for _, s := range a.Segments {
		if s.Kind == SegmentRevolving || (s.Closed && !touched(st.Lines, s.ID)) {
			continue
		}
		st.Rates = append(st.Rates, Rate{Segment: s.ID, Kind: s.Kind, Label: s.Description, Rate: s.Rate})
		ps := PlanSummary{Segment: s.ID, Kind: s.Kind, Description: s.Description, Merchant: s.Merchant, MerchantName: s.MerchantName,
			Instalment: instalments[s.ID], Remaining: s.Balance(), EndDate: s.Expiry}
		if s.Kind == SegmentDeferred && !s.Closed {
			ps.InterestIfUnpaid = interestCents(s.Accrued)
			if s.DeferredRule == DeferredForward {
				ps.InterestIfUnpaid = 0
			} else if left := d.DaysUntil(s.Expiry) - 1; left >= 0 {
				ps.InterestAtExpiry = interestCents(s.Accrued + s.Balance()*int64(s.Rate)*int64(left))
			}
		}
		st.Plans = append(st.Plans, ps)
	}
	st.Repayment = EstimateRepayment(rev.Balance(), rev.Rate, a.minimumPercent(), a.Config.MinimumFloor)
	return st
}

func touched(lines []Line, seg string) bool {
	for _, l := range lines {
		if l.Segment == seg {
			return true
		}
	}
	return false
}

// maxEstimateMonths bounds [EstimateRepayment]: past 100 years the answer
// is "never" for any purpose a statement has.
const maxEstimateMonths = 1200

// EstimateRepayment is how long paying only the minimum takes to repay
// balance at rate (Quebec CPA s.126(k); notes example 4): each month,
// interest balance × rate / 12 (half up) is added, then the minimum of
// [revolvingMinimum] is paid: the greater of percent of the balance
// (rounded up), that interest, and floor, the whole balance under floor.
func EstimateRepayment(balance int64, rate, percent finance.Percent, floor int64) Repayment {
	var r Repayment
	for balance > 0 {
		if r.Months == maxEstimateMonths {
			return Repayment{Never: true}
		}
		r.Months++
		i := monthlyInterest(balance, rate)
		r.Interest += i
		balance += i
		pay := revolvingMinimum(balance, i, percent, floor)
		if pay <= i && pay < balance {
			return Repayment{Never: true}
		}
		balance -= pay
	}
	return r
}

// monthlyInterest is balance × rate / 12, half up, as finance's schedules
// compute a month's interest.
func monthlyInterest(balance int64, rate finance.Percent) int64 {
	const den = 1000 * 100 * 12
	q, r := balance*int64(rate)/den, balance*int64(rate)%den
	if 2*r >= den {
		q++
	}
	return q
}
