package finance

import (
	"math"
	"math/big"
)

// aprStep is the granularity APR is rounded to: 1/8 % = 125 thousandths, as
// the Cost of Borrowing rules allow.
const aprStep = 125

// APR returns the annual percentage rate of a fixed-term credit under
// Canada's Cost of Borrowing rule, APR = C / (T × P) × 100, where C is
// costOfBorrowing (interest plus non-interest charges such as admin fees, in
// cents), T is the term in years (months/12, one month being 1/12 of a year)
// and P is averagePrincipal in cents, as computed by [AveragePrincipal].
//
// The exact quotient is rounded to the nearest multiple of 1/8 % (125
// thousandths), a quotient exactly halfway between two multiples rounding
// up; the result is therefore always a multiple of 125. APR is 0 when there
// is no cost (C ≤ 0) and when the inputs describe no credit at all (months
// ≤ 0, or P nil or ≤ 0) rather than dividing by zero.
func APR(costOfBorrowing int64, months int, averagePrincipal *big.Rat) Percent {
	if costOfBorrowing <= 0 || months <= 0 || averagePrincipal == nil || averagePrincipal.Sign() <= 0 {
		return 0
	}
	// In steps of 1/8 %: x = C × 12 × 100 × 8 / (months × P) = C × 9600 / (months × P).
	// With P = pn/pd, round half-up as floor((2·C·9600·pd + months·pn) / (2·months·pn)).
	pn, pd := averagePrincipal.Num(), averagePrincipal.Denom()
	num := new(big.Int).Mul(big.NewInt(costOfBorrowing), big.NewInt(2*9600))
	num.Mul(num, pd)
	den := new(big.Int).Mul(big.NewInt(int64(months)), pn)
	num.Add(num, den)
	den.Lsh(den, 1)
	steps := num.Quo(num, den)
	if !steps.IsInt64() || steps.Int64() > math.MaxInt64/aprStep {
		return Percent(math.MaxInt64 / aprStep * aprStep)
	}
	return Percent(steps.Int64() * aprStep)
}

// AveragePrincipal returns P for [APR]: the mean, over the N payment periods
// of pays, of the principal outstanding at the start of each period, that
// is, just before each payment:
//
//	P = (amount + pays[0].Balance + … + pays[N−2].Balance) / N
//
// The balance after the last payment (zero) is not a period's opening
// balance, so it is not averaged in. Fees and interest are never principal.
// With no payments it returns 0, for which [APR] is 0.
func AveragePrincipal(amount int64, pays []Payment) *big.Rat {
	if len(pays) == 0 {
		return new(big.Rat)
	}
	sum := big.NewInt(amount)
	for _, p := range pays[:len(pays)-1] {
		sum.Add(sum, big.NewInt(p.Balance))
	}
	return new(big.Rat).SetFrac(sum, big.NewInt(int64(len(pays))))
}
