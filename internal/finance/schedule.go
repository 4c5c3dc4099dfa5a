package finance

import (
	"math/big"
	"math/bits"
)

// Payment is one monthly payment of a schedule. Amount = Interest + Fee +
// Principal: a payment settles the cost of borrowing before principal, as
// the Cost of Borrowing rules require.
type Payment struct {
	Number    int   // 1-based
	Amount    int64 // cents the customer pays
	Interest  int64 // cents of interest in Amount
	Fee       int64 // cents of administration fee in Amount
	Principal int64 // cents of principal in Amount
	Balance   int64 // principal outstanding after this payment
}

// monthlyDenominator turns a Percent annual rate into a monthly fraction:
// i = rate / (1000 thousandths × 100 % × 12 months).
const monthlyDenominator = percentScale * 100 * 12

// mulDivHalfUp returns a×b/c rounded half-up, exactly, for a, b ≥ 0 and
// c > 0 whose quotient fits in an int64. The 128-bit product keeps cents ×
// rate × months exact without reaching for math/big in hot loops.
func mulDivHalfUp(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(c))
	if r >= uint64(c)-r {
		q++
	}
	return int64(q)
}

// ceilDiv returns a/b rounded up, for a ≥ 0 and b > 0.
func ceilDiv(a, b int64) int64 {
	return (a + b - 1) / b
}

// monthlyInterest is one month's interest on balance at annual rate,
// rounded half-up to the cent.
func monthlyInterest(balance int64, rate Percent) int64 {
	return mulDivHalfUp(balance, int64(rate), monthlyDenominator)
}

// annuityPayment returns the exact level payment P·i/(1−(1+i)^−N) rounded
// half-up to the cent, for rate > 0. With i = a/b it is evaluated as
// P·a·(a+b)^N / (b·((a+b)^N − b^N)), all in integers, so the only rounding
// is the final one.
func annuityPayment(amount int64, rate Percent, months int) int64 {
	a := big.NewInt(int64(rate))
	b := big.NewInt(monthlyDenominator)
	n := big.NewInt(int64(months))
	grown := new(big.Int).Exp(new(big.Int).Add(a, b), n, nil) // (a+b)^N
	num := new(big.Int).Mul(big.NewInt(amount), a)
	num.Mul(num, grown)
	den := new(big.Int).Sub(grown, new(big.Int).Exp(b, n, nil))
	den.Mul(den, b)
	// Half-up: floor((2·num + den) / (2·den)).
	num.Lsh(num, 1).Add(num, den)
	den.Lsh(den, 1)
	return num.Quo(num, den).Int64()
}

// levelPayment returns the payment due every month but the last of an
// equal-payment plan, before fees.
//
// At 0 % it is amount/N rounded down, so the remainder (fewer than N cents)
// lands on the last payment and no payment exceeds the last one. Otherwise
// it is the annuity payment rounded half-up; when an amount of a few
// dollars is spread over many months (a payment under $1), whole cents can
// make that payment retire the balance before the last month. Then the payment is lowered to
// the largest whole-cent amount that keeps a balance outstanding until the
// last payment. That search never goes below one month's interest on the
// amount, where principal stays level, so no schedule amortises negatively.
func levelPayment(amount int64, rate Percent, months int) int64 {
	if rate == 0 {
		return amount / int64(months)
	}
	hi := annuityPayment(amount, rate, months)
	if outstandingUntilLast(amount, rate, months, hi) {
		return hi
	}
	lo := monthlyInterest(amount, rate) // always keeps the balance outstanding
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if outstandingUntilLast(amount, rate, months, mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// outstandingUntilLast reports whether paying level every month leaves
// principal outstanding after each of the first N−1 payments. A larger
// payment never leaves a larger balance, so the answer is monotone in level
// and levelPayment can bisect on it.
func outstandingUntilLast(amount int64, rate Percent, months int, level int64) bool {
	balance := amount
	for k := 1; k < months; k++ {
		balance -= level - monthlyInterest(balance, rate)
		if balance <= 0 {
			return false
		}
	}
	return true
}

// equalSchedule builds the schedule of an equal-payment plan: level payments
// of interest (balance × i, half-up) and principal, the last payment
// clearing whatever principal remains, plus fees (see [feeFor]).
func equalSchedule(amount int64, t Terms) (level int64, pays []Payment) {
	level = levelPayment(amount, t.AnnualRate, t.Months)
	pays = make([]Payment, t.Months)
	balance := amount
	for k := 1; k <= t.Months; k++ {
		interest := monthlyInterest(balance, t.AnnualRate)
		principal := level - interest
		if k == t.Months {
			principal = balance
		}
		balance -= principal
		fee := feeFor(t, k)
		pays[k-1] = Payment{Number: k, Amount: interest + fee + principal, Interest: interest, Fee: fee, Principal: principal, Balance: balance}
	}
	return level, pays
}

// deferredSchedule builds the pay-in-time schedule of a deferred plan:
// amount/N rounded up each month until the balance is cleared, no interest
// (it is waived when the balance is cleared in time), plus fees. Rounding up
// rather than half-up makes the suggested payment clear the balance by month
// N, never leave a cent for interest to be charged on.
func deferredSchedule(amount int64, t Terms) (instalment int64, pays []Payment) {
	instalment = ceilDiv(amount, int64(t.Months))
	pays = make([]Payment, t.Months)
	balance := amount
	for k := 1; k <= t.Months; k++ {
		principal := min(instalment, balance)
		balance -= principal
		fee := feeFor(t, k)
		pays[k-1] = Payment{Number: k, Amount: fee + principal, Fee: fee, Principal: principal, Balance: balance}
	}
	return instalment, pays
}

// feeFor is the administration fee charged with payment k. A FeeTotal fee is
// charged with the first payment because it is earned when the credit is
// extended; a FeeMonthly fee with every payment.
func feeFor(t Terms, k int) int64 {
	if t.FeeKind == FeeMonthly || k == 1 {
		return t.AdminFee
	}
	return 0
}

// Minimum payment rule of a regular (revolving) purchase.
const (
	minimumPaymentFloor = 10_00 // $10.00
	minimumPaymentRate  = 3     // percent of the purchase
)

// minimumPayment is the minimum monthly payment on a revolving purchase
// alone: the greater of $10.00 and 3 % of the amount rounded up to the
// cent, but never more than the amount itself.
func minimumPayment(amount int64) int64 {
	return min(amount, max(minimumPaymentFloor, ceilDiv(amount*minimumPaymentRate, 100)))
}

// DeferredInterest is the interest a deferred plan charges when nothing is
// paid during the promotion: simple interest on the whole amount for the N
// months at the annual rate, amount × rate × N/12, rounded half-up to the
// cent. Interest accrues from the purchase date, so this is what the
// "interest-free" claim must be weighed against.
func DeferredInterest(amount int64, rate Percent, months int) int64 {
	if amount <= 0 || rate <= 0 || months <= 0 {
		return 0
	}
	return mulDivHalfUp(amount, int64(rate)*int64(months), monthlyDenominator)
}
