package finance

import "math/big"

// Quote is everything a customer is shown about financing one amount on one
// plan option: the figures of the quotes API and their disclosure.
type Quote struct {
	// Amount is the principal financed, in cents.
	Amount int64
	// Terms are the terms quoted, with defaults filled in.
	Terms Terms
	// MonthlyPayment is the payment due each month, in cents. For
	// EqualPayments it is every payment but the last, including a
	// FeeMonthly fee but not a FeeTotal fee (which the first payment adds).
	// For Deferred it is what to pay each month to clear the balance in
	// time, fees included as for EqualPayments. For Regular it is the
	// minimum payment on this purchase alone.
	MonthlyPayment int64
	// Payments is the full schedule; empty for Regular, which has no term.
	Payments []Payment
	// TotalInterest is the interest over the term, in cents: zero for
	// Deferred paid in time and for Regular paid by the statement due date.
	TotalInterest int64
	// TotalFees is the sum of administration fees, in cents.
	TotalFees int64
	// TotalCostOfBorrowing is TotalInterest + TotalFees, in cents.
	TotalCostOfBorrowing int64
	// TotalToPay is Amount + TotalCostOfBorrowing, which is also the sum of
	// the schedule's payments.
	TotalToPay int64
	// APR is the annual percentage rate (see [APR]), a multiple of 1/8 %,
	// computed from Payments. For Deferred it assumes the balance is paid in
	// time; for Regular it is the account's annual interest rate.
	APR Percent
	// DeferredInterest is, for Deferred only, the interest charged when
	// nothing is paid during the promotion (see [DeferredInterest]).
	DeferredInterest int64
	// DeferredAPR is, for Deferred only, the APR when nothing is paid during
	// the promotion: cost DeferredInterest + TotalFees, with the whole
	// Amount outstanding for all N months.
	DeferredAPR Percent
	// Disclosure is the plain-language disclosure in the requested language.
	Disclosure string
}

// NewQuote computes the quote for financing amount cents on t, with the
// disclosure in lang: French for any tag beginning with "fr" (see
// [IsFrench]), English otherwise.
//
// EqualPayments amortise at AnnualRate/12 a month: a level payment (see the
// package rounding rules), interest on the outstanding balance each month,
// the last payment clearing what remains. Deferred plans show the
// pay-in-time schedule, amount/N rounded up each month with no interest,
// and disclose the interest charged otherwise. Regular purchases have no
// schedule; their monthly payment is the minimum payment, the greater of
// $10.00 and 3 % of the amount (rounded up), capped at the amount.
//
// The level payment of EqualPayments is the annuity rounded half-up, with
// one exception: when the amount is so small that the payment is under $1,
// whole cents can retire the balance before month N. The payment is then
// lowered to the largest whole-cent amount that keeps principal outstanding
// until the last payment, so every payment but the last stays level and no
// balance goes negative.
//
// A FeeTotal admin fee is added to the first payment, a FeeMonthly fee to
// every payment; both count in the cost of borrowing. A Regular purchase
// takes only a FeeTotal fee, counted once in its cost of borrowing.
//
// NewQuote returns an *[InputError] when amount is outside 1..[MaxAmount]
// or t is invalid: an unknown category or fee kind, a term outside
// 1..[MaxMonths] (or non-zero for Regular), a rate outside 0..100 %, or a fee
// outside 0..[MaxAmount].
func NewQuote(amount int64, t Terms, lang string) (Quote, error) {
	q, err := quote(amount, t)
	if err != nil {
		return Quote{}, err
	}
	q.Disclosure = disclose(q, lang)
	return q, nil
}

// quote is NewQuote without the disclosure, which AsLowAs has no use for.
func quote(amount int64, t Terms) (Quote, error) {
	t, err := normalize(amount, t)
	if err != nil {
		return Quote{}, err
	}
	q := Quote{Amount: amount, Terms: t, TotalFees: t.feeTotal()}
	var base int64
	switch t.Category {
	case Regular:
		q.MonthlyPayment = minimumPayment(amount)
		q.APR = t.AnnualRate
	case EqualPayments:
		base, q.Payments = equalSchedule(amount, t)
		for _, p := range q.Payments {
			q.TotalInterest += p.Interest
		}
	case Deferred:
		base, q.Payments = deferredSchedule(amount, t)
		q.DeferredInterest = DeferredInterest(amount, t.AnnualRate, t.Months)
		q.DeferredAPR = APR(q.DeferredInterest+q.TotalFees, t.Months, new(big.Rat).SetInt64(amount))
	}
	q.TotalCostOfBorrowing = q.TotalInterest + q.TotalFees
	q.TotalToPay = amount + q.TotalCostOfBorrowing
	if t.Category != Regular {
		q.MonthlyPayment = base
		if t.FeeKind == FeeMonthly {
			q.MonthlyPayment += t.AdminFee
		}
		q.APR = APR(q.TotalCostOfBorrowing, t.Months, AveragePrincipal(amount, q.Payments))
	}
	return q, nil
}

// AsLowAs returns the lowest MonthlyPayment that [NewQuote] gives amount
// among terms, for "as low as $X/month" messaging, with the index of the
// terms that give it (the first, on a tie). Regular terms are skipped because
// their minimum payment is not a fixed monthly payment, and so are terms
// NewQuote rejects. When none remain, ok is false and index is -1.
func AsLowAs(amount int64, terms []Terms) (monthly int64, index int, ok bool) {
	index = -1
	for i, t := range terms {
		if t.Category == Regular {
			continue
		}
		q, err := quote(amount, t)
		if err != nil {
			continue
		}
		if !ok || q.MonthlyPayment < monthly {
			monthly, index, ok = q.MonthlyPayment, i, true
		}
	}
	return monthly, index, ok
}
