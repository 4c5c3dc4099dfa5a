package finance

import (
	"math"
	"math/big"
	"testing"
)

func TestAPR(t *testing.T) {
	tests := []struct {
		name   string
		cost   int64
		months int
		avg    *big.Rat
		want   Percent
	}{
		// 49.99 / (1 × 650) × 100 = 7.6907% → 7.75 (nearest eighth).
		{"fee on 0% plan", 4999, 12, big.NewRat(65000, 1), 7750},
		// 10 / (1 × 100) × 100 = 10% exactly.
		{"exact eighth", 1000, 12, big.NewRat(10000, 1), 10000},
		// 40.25 / (1 × 400) × 100 = 10.0625%, exactly halfway between 10
		// and 10.125: rounds up.
		{"half rounds up", 4025, 12, big.NewRat(40000, 1), 10125},
		// Just under halfway: 40.24 / 400 × 100 = 10.06% → 10%.
		{"under half rounds down", 4024, 12, big.NewRat(40000, 1), 10000},
		// T = 6/12: 30 / (0.5 × 600) × 100 = 10%.
		{"half-year term", 3000, 6, big.NewRat(60000, 1), 10000},
		// A fractional average: P = 2/3 cent, C = 1 cent, T = 1:
		// 1 / (2/3) × 100 = 150%.
		{"rational average", 1, 12, big.NewRat(2, 3), 150000},
		{"no cost", 0, 12, big.NewRat(65000, 1), 0},
		{"no term", 100, 0, big.NewRat(65000, 1), 0},
		{"nil average", 100, 12, nil, 0},
		{"zero average", 100, 12, new(big.Rat), 0},
		{"saturates", math.MaxInt64, 1, big.NewRat(1, 1000), math.MaxInt64 / 125 * 125},
	}
	for _, tt := range tests {
		if got := APR(tt.cost, tt.months, tt.avg); got != tt.want {
			t.Errorf("%s: APR(%d, %d, %v) = %s, want %s", tt.name, tt.cost, tt.months, tt.avg, got, tt.want)
		}
	}
}

func TestAveragePrincipal(t *testing.T) {
	pays := []Payment{{Balance: 66666}, {Balance: 33332}, {Balance: 0}}
	// (1,000.00 + 666.66 + 333.32) / 3 = 666.66; the closing 0 is not a period.
	if got, want := AveragePrincipal(100000, pays), big.NewRat(66666, 1); got.Cmp(want) != 0 {
		t.Errorf("AveragePrincipal(100000, %v) = %v, want %v", pays, got, want)
	}
	if got := AveragePrincipal(100000, nil); got.Sign() != 0 {
		t.Errorf("AveragePrincipal(100000, nil) = %v, want 0", got)
	}
}

func TestMulDivHalfUp(t *testing.T) {
	tests := []struct{ a, b, c, want int64 }{
		{1, 1, 2, 1}, // 0.5 → 1
		{1, 1, 3, 0}, // 0.33 → 0
		{2, 1, 3, 1}, // 0.67 → 1
		{5, 3, 2, 8}, // 7.5 → 8
		{MaxAmount, 100000 * 120, monthlyDenominator, MaxAmount * 10},
	}
	for _, tt := range tests {
		if got := mulDivHalfUp(tt.a, tt.b, tt.c); got != tt.want {
			t.Errorf("mulDivHalfUp(%d, %d, %d) = %d, want %d", tt.a, tt.b, tt.c, got, tt.want)
		}
	}
}
