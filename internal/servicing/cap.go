package servicing

import (
	"github.com/openflex/openflex/internal/finance"
)

// CheckCriminalRate reports an error when terms cost more than the
// criminal rate ([CriminalRate], 35 % a year, interest and fees counted) at
// any amount from minAmount to maxAmount (0: no maximum), with the rate
// found. A plan must pass it for every term before it is created.
func CheckCriminalRate(t finance.Terms, minAmount, maxAmount int64) (worst finance.Percent, at int64, err error) {
	return 0, 0, errNotImplemented
}
