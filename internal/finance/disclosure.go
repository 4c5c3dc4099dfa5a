package finance

import (
	"strconv"
	"strings"

	"github.com/openflex/openflex"
)

// disclose writes q's plain-language disclosure in lang. Every disclosure
// names the amount financed, the payments (or the minimum payment rule), the
// annual interest rate, the APR, the administration fee, the total cost of
// borrowing and the total to pay, because those are what the Cost of
// Borrowing rules require before a customer commits.
//
// One builder decides what a disclosure says; a phrasebook per language
// says it, so the two languages cannot drift apart in substance.
func disclose(q Quote, lang string) string {
	b := builder{q: q, t: q.Terms, p: english, lang: "en"}
	if IsFrench(lang) {
		b.p, b.lang = french, "fr"
	}
	switch q.Terms.Category {
	case Regular:
		return b.regular()
	case Deferred:
		return b.deferred()
	default:
		return b.equal()
	}
}

// phrasebook is every phrase of a disclosure in one language. Amounts,
// rates and counts arrive already formatted for the language.
type phrasebook struct {
	label func(name string) string // "Name: " with the language's colon

	financing           func(amount string) string
	financedInOne       func(amount, payment string) string
	financedInEqual     func(amount, months, payment string) string
	monthlyFeeIncluded  func(fee string) string // appended to a payment
	noteFirstWithFee    func(payment string) string
	noteLast            func(payment string) string
	noteMonthlyFeeInc   func(fee string) string
	annualRate, apr     string
	feeName, feeNone    string
	feeMonthly          func(fee, total string) string
	feeOnce             func(fee, when string) string
	withFirst, atBuying string
	totalCost, totalPay string

	months          func(n int) string
	endOfMonth      func(n int) string
	promoFree       func(months string) string
	promoAccrues    func(months, rate, end string) string
	otherwise       func(end, interest, rate, amount, months, apr string) string
	noPaymentNeeded string
	exceptFee       string
	payInTime       func(monthly string) string
	ifInTime        string
	aprIfInTime     string

	regularPurchase func(amount string) string
	ratesTogether   func(rate, apr string) string
	interestRule    string
	minimumPayment  func(monthly, floor string) string
	byDue           string
	orElseInterest  string
}

// builder assembles one quote's disclosure from a phrasebook.
type builder struct {
	q    Quote
	t    Terms
	p    *phrasebook
	lang string
}

func (b builder) m(c int64) string     { return openflex.FormatCAD(c, b.lang) }
func (b builder) pct(p Percent) string { return FormatPercent(p, b.lang) }

// line is "Label: value." in the phrasebook's punctuation.
func (b builder) line(label, value string) string { return b.p.label(label) + value + "." }

// notes appends "(a; b)" to s when there are notes.
func notes(s string, ns []string) string {
	if len(ns) > 0 {
		s += " (" + strings.Join(ns, "; ") + ")"
	}
	return s
}

func (b builder) fee(when string) string {
	t := b.t
	switch {
	case t.AdminFee == 0:
		return b.p.label(b.p.feeName) + b.p.feeNone
	case t.FeeKind == FeeMonthly:
		return b.p.label(b.p.feeName) + b.p.feeMonthly(b.m(t.AdminFee), b.m(t.feeTotal()))
	default:
		return b.p.label(b.p.feeName) + b.p.feeOnce(b.m(t.AdminFee), when)
	}
}

func (b builder) equal() string {
	q, t, p := b.q, b.t, b.p
	var pay string
	if t.Months == 1 {
		pay = p.financedInOne(b.m(q.Amount), b.m(q.Payments[0].Amount)) + "."
	} else {
		pay = p.financedInEqual(b.m(q.Amount), strconv.Itoa(t.Months), b.m(q.MonthlyPayment))
		if t.FeeKind == FeeMonthly && t.AdminFee > 0 {
			pay += p.monthlyFeeIncluded(b.m(t.AdminFee))
		}
		var ns []string
		if t.FeeKind == FeeTotal && t.AdminFee > 0 {
			ns = append(ns, p.noteFirstWithFee(b.m(q.Payments[0].Amount)))
		}
		if last := lastPayment(q); last >= 0 {
			ns = append(ns, p.noteLast(b.m(last)))
		}
		pay = notes(pay, ns) + "."
	}
	return sentences(
		pay,
		b.line(p.annualRate, b.pct(t.AnnualRate)),
		b.line(p.apr, b.pct(q.APR)),
		b.fee(p.withFirst),
		b.line(p.totalCost, b.m(q.TotalCostOfBorrowing)),
		b.line(p.totalPay, b.m(q.TotalToPay)),
	)
}

func (b builder) deferred() string {
	q, t, p := b.q, b.t, b.p
	months, end := p.months(t.Months), p.endOfMonth(t.Months)
	var promo, otherwise string
	if t.AnnualRate == 0 {
		promo = p.promoFree(months)
	} else {
		promo = p.promoAccrues(months, b.pct(t.AnnualRate), end)
		otherwise = p.otherwise(end, b.m(q.DeferredInterest), b.pct(t.AnnualRate), b.m(q.Amount), months, b.pct(q.DeferredAPR))
	}
	required := p.noPaymentNeeded
	if t.AdminFee > 0 {
		required += p.exceptFee
	}
	var ns []string
	if t.FeeKind == FeeMonthly && t.AdminFee > 0 {
		ns = append(ns, p.noteMonthlyFeeInc(b.m(t.AdminFee)))
	}
	if t.FeeKind == FeeTotal && t.AdminFee > 0 && t.Months > 1 {
		ns = append(ns, p.noteFirstWithFee(b.m(q.Payments[0].Amount)))
	}
	if last := lastPayment(q); last >= 0 {
		ns = append(ns, p.noteLast(b.m(last)))
	}
	plan := notes(required+p.payInTime(b.m(q.MonthlyPayment)), ns) + "."
	return sentences(
		promo,
		p.financing(b.m(q.Amount))+".",
		plan,
		otherwise,
		b.line(p.aprIfInTime, b.pct(q.APR)),
		b.fee(p.withFirst),
		b.line(p.totalCost+p.ifInTime, b.m(q.TotalCostOfBorrowing)),
		b.line(p.totalPay+p.ifInTime, b.m(q.TotalToPay)),
	)
}

func (b builder) regular() string {
	q, t, p := b.q, b.t, b.p
	return sentences(
		p.regularPurchase(b.m(q.Amount)),
		p.ratesTogether(b.pct(t.AnnualRate), b.pct(q.APR)),
		p.interestRule,
		p.minimumPayment(b.m(q.MonthlyPayment), b.m(minimumPaymentFloor)),
		b.fee(p.atBuying),
		p.label(p.totalCost)+b.m(q.TotalCostOfBorrowing)+p.byDue+p.orElseInterest,
		p.label(p.totalPay)+b.m(q.TotalToPay)+p.byDue+".",
	)
}

// sentences joins non-empty sentences with a space.
func sentences(s ...string) string {
	var kept []string
	for _, x := range s {
		if x != "" {
			kept = append(kept, x)
		}
	}
	return strings.Join(kept, " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// lastPayment is the final payment when it differs from the regular monthly
// payment and is worth mentioning, or -1.
func lastPayment(q Quote) int64 {
	n := len(q.Payments)
	if n < 2 {
		return -1
	}
	last := q.Payments[n-1].Amount
	if last == q.MonthlyPayment {
		return -1
	}
	return last
}
