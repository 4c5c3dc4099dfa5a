package servicing

import (
	"fmt"
	"math/big"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

// The criminal-rate test is actuarial, as Criminal Code s.347 asks: the
// annual percentage rate of a plan at an amount is the nominal yearly rate,
// compounded monthly, that discounts what the customer pays (each month's
// instalment and fees) to the amount advanced. It is computed on the exact
// schedule (the level payment as a fraction, no cents rounded), so it
// depends on the plan's rate and fees and never on a cent of rounding, and
// it falls as the amount grows (a fixed fee weighs less on more): the
// plan's worst amount is its smallest.

// flows returns what the customer pays each month, exactly, for amount on
// t. A deferred plan has two ways to be repaid: in time (amount/N a month,
// no interest) and not at all until expiry (the amount and its simple
// interest at month N); both are returned.
func flows(amount int64, t finance.Terms) [][]*big.Rat {
	n := t.Months
	if t.Category == finance.Regular {
		// A revolving purchase has no term; its one-time fee is weighed over
		// a year of equal payments at its rate.
		t.Category, n, t.Months = finance.EqualPayments, 12, 12
	}
	fees := make([]*big.Rat, n)
	for k := range fees {
		fees[k] = new(big.Rat)
		if t.FeeKind == finance.FeeMonthly || k == 0 {
			fees[k].SetInt64(t.AdminFee)
		}
	}
	a := new(big.Rat).SetInt64(amount)
	i := big.NewRat(int64(t.AnnualRate), 1_200_000) // monthly rate
	one := big.NewRat(1, 1)
	level := new(big.Rat)
	switch {
	case t.Category == finance.Deferred || t.AnnualRate == 0:
		level.Quo(a, new(big.Rat).SetInt64(int64(n)))
	default:
		g := pow(new(big.Rat).Add(one, i), n) // (1+i)^N
		level.Mul(a, i)
		level.Mul(level, g)
		level.Quo(level, new(big.Rat).Sub(g, one))
	}
	plan := make([]*big.Rat, n)
	for k := range plan {
		plan[k] = new(big.Rat).Add(level, fees[k])
	}
	out := [][]*big.Rat{plan}
	if t.Category == finance.Deferred && t.AnnualRate > 0 {
		late := make([]*big.Rat, n)
		for k := range late {
			late[k] = new(big.Rat).Set(fees[k])
		}
		interest := new(big.Rat).Mul(a, big.NewRat(int64(t.AnnualRate)*int64(n), 1_200_000))
		late[n-1].Add(late[n-1], a)
		late[n-1].Add(late[n-1], interest)
		out = append(out, late)
	}
	return out
}

func pow(x *big.Rat, n int) *big.Rat {
	r := big.NewRat(1, 1)
	for range n {
		r.Mul(r, x)
	}
	return r
}

// above reports whether the flows cost more than annual rate p: their
// present value at p/12 a month exceeds the amount advanced.
func above(amount int64, fs []*big.Rat, p finance.Percent) bool {
	v := big.NewRat(1_200_000, 1_200_000+int64(p)) // 1/(1+j)
	pv, f := new(big.Rat), big.NewRat(1, 1)
	for _, x := range fs {
		f.Mul(f, v)
		pv.Add(pv, new(big.Rat).Mul(x, f))
	}
	return pv.Cmp(new(big.Rat).SetInt64(amount)) > 0
}

// actuarialAPR is the rate of the flows, rounded down to 1/8 %, at most
// 1000 %.
func actuarialAPR(amount int64, fs []*big.Rat) finance.Percent {
	lo, hi := finance.Percent(0), finance.Percent(1_000_000)
	if above(amount, fs, hi) {
		return hi
	}
	for hi-lo > 125 {
		mid := (lo + hi) / 2 / 125 * 125
		if mid == lo {
			mid += 125
		}
		if above(amount, fs, mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// exceeds reports whether amount on t costs more than the criminal rate on
// any way of repaying it.
func exceeds(amount int64, t finance.Terms) bool {
	for _, fs := range flows(amount, t) {
		if above(amount, fs, CriminalRate) {
			return true
		}
	}
	return false
}

// APRAt is the actuarial annual percentage rate of amount on t (the worst
// way of repaying it, for a deferred plan), rounded down to 1/8 %.
func APRAt(amount int64, t finance.Terms) finance.Percent {
	var worst finance.Percent
	for _, fs := range flows(amount, t) {
		worst = max(worst, actuarialAPR(amount, fs))
	}
	return worst
}

// CheckCriminalRate refuses terms that cost more than the criminal rate
// ([CriminalRate], 35 % a year, interest and fees counted) at any amount
// from minAmount (at least one cent) to maxAmount (0: no maximum). It
// returns nil or a plan_exceeds_criminal_rate *openflex.Error saying the
// rate at the smallest amount and the smallest amount the terms would be
// lawful from. Terms finance cannot quote are the caller's to refuse;
// they pass here.
func CheckCriminalRate(t finance.Terms, minAmount, maxAmount int64) error {
	if t.FeeKind == "" {
		t.FeeKind = finance.FeeTotal
	}
	if _, err := finance.NewQuote(max(minAmount, 1), t, "en"); err != nil {
		return nil
	}
	if t.AnnualRate > CriminalRate {
		return &openflex.Error{Code: openflex.CodePlanExceedsCriminalRate,
			Message: fmt.Sprintf("an annual interest rate of %s is above the criminal rate of %s", finance.FormatPercent(t.AnnualRate, "en"), finance.FormatPercent(CriminalRate, "en"))}
	}
	lo := max(minAmount, 1)
	if !exceeds(lo, t) {
		return nil
	}
	hi := maxAmount
	if hi <= 0 {
		hi = finance.MaxAmount
	}
	msg := fmt.Sprintf("at %s the cost of borrowing, fees included, is an annual percentage rate of %s, above the criminal rate of %s",
		openflex.FormatCAD(lo, "en"), finance.FormatPercent(APRAt(lo, t), "en"), finance.FormatPercent(CriminalRate, "en"))
	if exceeds(hi, t) {
		return &openflex.Error{Code: openflex.CodePlanExceedsCriminalRate, Message: msg + ": lower the fee or the rate"}
	}
	// The rate falls as the amount grows: find the smallest lawful amount.
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if exceeds(mid, t) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return &openflex.Error{Code: openflex.CodePlanExceedsCriminalRate,
		Message: fmt.Sprintf("%s: set a minimum amount of at least %s, or lower the fee", msg, openflex.FormatCAD(hi, "en"))}
}
