package servicing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

func TestCriminalRate(t *testing.T) {
	eq := func(months int, rate finance.Percent, fee int64, kind finance.FeeKind) finance.Terms {
		return finance.Terms{Category: finance.EqualPayments, Months: months, AnnualRate: rate, AdminFee: fee, FeeKind: kind}
	}
	tests := []struct {
		name     string
		terms    finance.Terms
		min, max int64
		wantErr  bool
		wantIn   string // in the message
	}{
		// Example 1: the $45 fee on $1,200 over 12 months is lawful; on $250
		// it is an APR of about 37 % (actuarial; the notes' ≈ 39 % averages
		// the balances differently) and must be refused.
		{"example 1: $45 on $1,200 over 12 months", eq(12, 0, 45_00, ""), 1_200_00, 1_200_00, false, ""},
		{"example 1: $45 on $250 over 12 months", eq(12, 0, 45_00, ""), 250_00, 250_00, true, "annual percentage rate of 37%"},
		{"a plan from $250 is refused at $250, with the lawful minimum", eq(12, 0, 45_00, ""), 250_00, 5_000_00, true, "set a minimum amount of at least"},
		{"a fee with no minimum amount", eq(12, 0, 45_00, ""), 0, 0, true, "set a minimum amount"},
		{"29.99 % and no fee, any amount", eq(24, 29_990, 0, ""), 0, 0, false, ""},
		{"35 % exactly is lawful", eq(12, 35_000, 0, ""), 0, 0, false, ""},
		{"35.001 % is not", eq(12, 35_001, 0, ""), 1_000_00, 0, true, "above the criminal rate"},
		{"monthly fee on a small plan", eq(6, 29_990, 1_00, finance.FeeMonthly), 100_00, 0, true, ""},
		{"monthly fee on a large plan", eq(6, 29_990, 1_00, finance.FeeMonthly), 1_000_00, 0, false, ""},
		{"deferred at 29.99 %: not paying in time stays below 35 %", finance.Terms{Category: finance.Deferred, Months: 12, AnnualRate: 29_990}, 0, 0, false, ""},
		{"deferred at 29.99 % with a $25 fee from $500", finance.Terms{Category: finance.Deferred, Months: 12, AnnualRate: 29_990, AdminFee: 25_00}, 500_00, 0, false, ""},
		{"deferred at 29.99 % with a $75 fee from $500: unlawful if not paid in time", finance.Terms{Category: finance.Deferred, Months: 12, AnnualRate: 29_990, AdminFee: 75_00}, 500_00, 0, true, ""},
		{"regular at 34.99 %", finance.Terms{Category: finance.Regular, AnnualRate: 34_990}, 0, 0, false, ""},
		{"regular with a one-time fee and no minimum", finance.Terms{Category: finance.Regular, AnnualRate: 29_990, AdminFee: 5_00}, 0, 0, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := servicing.CheckCriminalRate(tt.terms, tt.min, tt.max)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckCriminalRate(%+v, %d, %d) = %v, want error %v", tt.terms, tt.min, tt.max, err, tt.wantErr)
			}
			if err == nil {
				return
			}
			var e *openflex.Error
			if !errors.As(err, &e) || e.Code != openflex.CodePlanExceedsCriminalRate {
				t.Fatalf("error = %v, want code plan_exceeds_criminal_rate", err)
			}
			if !strings.Contains(e.Message, tt.wantIn) {
				t.Errorf("message %q does not say %q", e.Message, tt.wantIn)
			}
		})
	}
}

// The lawful minimum the error names is exact: one cent less is refused.
func TestCriminalRateLawfulMinimum(t *testing.T) {
	terms := finance.Terms{Category: finance.EqualPayments, Months: 12, AdminFee: 45_00}
	err := servicing.CheckCriminalRate(terms, 1_00, 0)
	var e *openflex.Error
	if !errors.As(err, &e) {
		t.Fatalf("CheckCriminalRate = %v, want a refusal", err)
	}
	_, after, _ := strings.Cut(e.Message, "at least ")
	s, _, _ := strings.Cut(after, ",")
	cents := parseCAD(t, s)
	if err := servicing.CheckCriminalRate(terms, cents, 0); err != nil {
		t.Errorf("at the named minimum %s: %v", s, err)
	}
	if err := servicing.CheckCriminalRate(terms, cents-1, 0); err == nil {
		t.Errorf("one cent under the named minimum %s is accepted", s)
	}
	if apr := servicing.APRAt(cents, terms); apr > servicing.CriminalRate {
		t.Errorf("APRAt(%d) = %s, above 35 %%", cents, apr)
	}
}

func parseCAD(t *testing.T, s string) int64 {
	t.Helper()
	s = strings.NewReplacer("$", "", ",", "", ".", "").Replace(s)
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not an amount: %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	return n
}
