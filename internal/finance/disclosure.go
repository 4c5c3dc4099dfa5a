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
func disclose(q Quote, lang string) string {
	fr := IsFrench(lang)
	switch q.Terms.Category {
	case Regular:
		if fr {
			return regularFR(q)
		}
		return regularEN(q)
	case Deferred:
		if fr {
			return deferredFR(q)
		}
		return deferredEN(q)
	default:
		if fr {
			return equalFR(q)
		}
		return equalEN(q)
	}
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

func equalEN(q Quote) string {
	t := q.Terms
	m := func(c int64) string { return openflex.FormatCAD(c, "en") }
	pct := func(p Percent) string { return FormatPercent(p, "en") }
	n := t.Months
	var pay string
	if n == 1 {
		pay = "You are financing " + m(q.Amount) + ", repaid in one payment of " + m(q.Payments[0].Amount) + "."
	} else {
		pay = "You are financing " + m(q.Amount) + ", repaid in " + strconv.Itoa(n) + " equal monthly payments of " + m(q.MonthlyPayment)
		if t.FeeKind == FeeMonthly && t.AdminFee > 0 {
			pay += ", including the " + m(t.AdminFee) + " monthly administration fee"
		}
		var notes []string
		if t.FeeKind == FeeTotal && t.AdminFee > 0 {
			notes = append(notes, "first payment: "+m(q.Payments[0].Amount)+", including the administration fee")
		}
		if last := lastPayment(q); last >= 0 {
			notes = append(notes, "last payment: "+m(last))
		}
		if len(notes) > 0 {
			pay += " (" + strings.Join(notes, "; ") + ")"
		}
		pay += "."
	}
	return sentences(
		pay,
		"Annual interest rate: "+pct(t.AnnualRate)+".",
		"Annual percentage rate (APR): "+pct(q.APR)+".",
		feeEN(t, "with the first payment"),
		"Total cost of borrowing (interest and fees): "+m(q.TotalCostOfBorrowing)+".",
		"Total to pay: "+m(q.TotalToPay)+".",
	)
}

func feeEN(t Terms, once string) string {
	m := func(c int64) string { return openflex.FormatCAD(c, "en") }
	switch {
	case t.AdminFee == 0:
		return "Administration fee: none."
	case t.FeeKind == FeeMonthly:
		return "Administration fee: " + m(t.AdminFee) + " a month, " + m(t.feeTotal()) + " in total."
	default:
		return "Administration fee: " + m(t.AdminFee) + ", charged once " + once + "."
	}
}

func deferredEN(q Quote) string {
	t := q.Terms
	m := func(c int64) string { return openflex.FormatCAD(c, "en") }
	pct := func(p Percent) string { return FormatPercent(p, "en") }
	months := strconv.Itoa(t.Months) + plural(t.Months, " month", " months")
	end := "the end of month " + strconv.Itoa(t.Months)

	var promo, otherwise string
	if t.AnnualRate == 0 {
		promo = "No interest if paid in full within " + months + ": no interest accrues on this purchase (annual interest rate: 0%)."
	} else {
		promo = "No interest if paid in full within " + months + ". Interest accrues during the promotion: it is charged from the purchase date at the annual interest rate of " +
			pct(t.AnnualRate) + " unless the balance is paid in full by " + end + "."
		otherwise = "If the balance is not paid in full by " + end + ", the interest accrued since the purchase date is charged: " +
			m(q.DeferredInterest) + " if nothing is paid during the promotion (simple interest at " + pct(t.AnnualRate) +
			" a year on " + m(q.Amount) + " for " + months + "), for an annual percentage rate (APR) of " + pct(q.DeferredAPR) + "."
	}
	required := "No payment is required during the promotion"
	if t.AdminFee > 0 {
		required += " other than the administration fee"
	}
	plan := required + "; to pay the balance in full in time, pay " + m(q.MonthlyPayment) + " a month"
	var notes []string
	if t.FeeKind == FeeMonthly && t.AdminFee > 0 {
		notes = append(notes, "including the "+m(t.AdminFee)+" monthly administration fee")
	}
	if t.FeeKind == FeeTotal && t.AdminFee > 0 && t.Months > 1 {
		notes = append(notes, "first payment: "+m(q.Payments[0].Amount)+", including the administration fee")
	}
	if last := lastPayment(q); last >= 0 {
		notes = append(notes, "last payment: "+m(last))
	}
	if len(notes) > 0 {
		plan += " (" + strings.Join(notes, "; ") + ")"
	}
	plan += "."
	return sentences(
		promo,
		"You are financing "+m(q.Amount)+".",
		plan,
		otherwise,
		"Annual percentage rate (APR) if paid in full in time: "+pct(q.APR)+".",
		feeEN(t, "with the first payment"),
		"Total cost of borrowing (interest and fees) if paid in full in time: "+m(q.TotalCostOfBorrowing)+".",
		"Total to pay if paid in full in time: "+m(q.TotalToPay)+".",
	)
}

func regularEN(q Quote) string {
	t := q.Terms
	m := func(c int64) string { return openflex.FormatCAD(c, "en") }
	pct := func(p Percent) string { return FormatPercent(p, "en") }
	byDue := " if you pay this purchase in full by your statement due date"
	return sentences(
		"Regular purchase of "+m(q.Amount)+" on your revolving account.",
		"Annual interest rate: "+pct(t.AnnualRate)+"; annual percentage rate (APR): "+pct(q.APR)+".",
		"Interest is charged on any balance not paid in full by the statement due date.",
		"Minimum payment on this purchase: "+m(q.MonthlyPayment)+" a month (3% of the purchase rounded up to the cent, but at least "+
			m(minimumPaymentFloor)+", or the whole purchase if it is less).",
		feeEN(t, "when the purchase is made"),
		"Total cost of borrowing (interest and fees): "+m(q.TotalCostOfBorrowing)+byDue+"; otherwise interest is added.",
		"Total to pay: "+m(q.TotalToPay)+byDue+".",
	)
}
