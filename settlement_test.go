package openflex

import "testing"

func TestMerchantFee(t *testing.T) {
	tests := []struct {
		name   string
		fee    MerchantFee
		amount int64
		first  bool
		want   int64
	}{
		{"6 % of $1,000", MerchantFee{Bps: 600}, 100000, true, 6000},
		{"half a cent rounds up", MerchantFee{Bps: 50}, 100, true, 1}, // 0.5¢
		{"below half a cent rounds down", MerchantFee{Bps: 49}, 100, true, 0},
		{"fixed with the first capture", MerchantFee{Bps: 350, Fixed: 25}, 45999, true, 1635},
		{"no fixed on later captures", MerchantFee{Bps: 350, Fixed: 25}, 45999, false, 1610},
		{"never above the capture", MerchantFee{Fixed: 500}, 100, true, 100},
		{"free plan", MerchantFee{}, 100000, true, 0},
	}
	for _, tt := range tests {
		if got := tt.fee.OnCapture(tt.amount, tt.first); got != tt.want {
			t.Errorf("%s: OnCapture(%d, %v) = %d, want %d", tt.name, tt.amount, tt.first, got, tt.want)
		}
	}
}

func TestMerchantFeeRefund(t *testing.T) {
	f := MerchantFee{Bps: 600}
	// Three returns of a third each give back exactly the whole fee of 7.
	var total int64
	for _, before := range []int64{0, 33, 66} {
		total += f.Refund(100, 7, before, min(34, 100-before))
	}
	if total != 7 {
		t.Errorf("refunds of three thirds sum to %d, want the whole fee 7", total)
	}
	if got := f.Refund(100000, 6000, 25000, 50000); got != 3000 {
		t.Errorf("Refund after 25000 of 50000 = %d, want 3000", got)
	}
	if got := (MerchantFee{Fixed: 100, NoRefund: true}).Refund(20000, 100, 0, 20000); got != 0 {
		t.Errorf("NoRefund plan refunded %d", got)
	}
}
