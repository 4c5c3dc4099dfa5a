package console

import (
	"testing"

	"github.com/openflex/openflex"
)

// TestLowestLimit: the floor the desk tells staff is in the whole dollars
// a limit is typed in, never below what the account draws.
func TestLowestLimit(t *testing.T) {
	for _, tc := range []struct {
		posted, charges, held, want int64
	}{
		{posted: 2_000_00, charges: 49_99, want: 2_050_00},
		{posted: 195_00, want: 195_00},
		{posted: 100_00, held: 1, want: 101_00},
		{posted: -10_00, want: 0}, // a credit balance draws nothing
		{},
	} {
		a := &openflex.Account{PostedBalance: tc.posted, Charges: tc.charges, Held: tc.held}
		if got := lowestLimit(a); got != tc.want {
			t.Errorf("lowestLimit(posted %d, charges %d, held %d) = %d, want %d", tc.posted, tc.charges, tc.held, got, tc.want)
		}
	}
}
