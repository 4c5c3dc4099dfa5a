package openflex

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMerchantFee(t *testing.T) {
	tests := []struct {
		name   string
		fee    MerchantFee
		before int64 // captured before
		amount int64
		want   int64
	}{
		{"6 % of $1,000", MerchantFee{Bps: 600}, 0, 100000, 6000},
		{"half a cent rounds up", MerchantFee{Bps: 50}, 0, 100, 1}, // 0.5¢
		{"below half a cent rounds down", MerchantFee{Bps: 49}, 0, 100, 0},
		{"fixed with the first capture", MerchantFee{Bps: 350, Fixed: 25}, 0, 45999, 1635},
		{"no fixed on later captures", MerchantFee{Bps: 350, Fixed: 25}, 45999, 45999, 1610},
		{"never above the capture", MerchantFee{Fixed: 500}, 0, 100, 100},
		{"the fixed part left unpaid by a small first capture comes with the next", MerchantFee{Fixed: 500}, 100, 900, 400},
		{"rate on the running total: the 100th capture of $0.33 at 150 bps", MerchantFee{Bps: 150}, 3267, 33, 1},
		{"free plan", MerchantFee{}, 0, 100000, 0},
	}
	for _, tt := range tests {
		if got := tt.fee.OnCapture(tt.before, tt.amount); got != tt.want {
			t.Errorf("%s: OnCapture(%d, %d) = %d, want %d", tt.name, tt.before, tt.amount, got, tt.want)
		}
	}
}

// TestMerchantFeeSplitsPayTheSame: any split of a total into captures pays
// exactly the fee of one capture of the total, to the cent; no capture's
// fee is negative or above the capture.
func TestMerchantFeeSplitsPayTheSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 2))
	fees := []MerchantFee{{Bps: 150}, {Bps: 350, Fixed: 30}, {Bps: 600}, {Fixed: 500}, {Bps: 1}, {Bps: 9999, Fixed: 1}, {Bps: MaxMerchantFeeBps}, {}}
	for range 20000 {
		f := fees[rng.IntN(len(fees))]
		total := 1 + rng.Int64N(500000)
		if rng.IntN(4) == 0 {
			total = 1 + rng.Int64N(200) // small totals, where rounding and the cap bite
		}
		var sum, before int64
		var split []int64
		for before < total {
			amount := 1 + rng.Int64N(total-before)
			if rng.IntN(3) == 0 {
				amount = min(1+rng.Int64N(50), total-before)
			}
			fee := f.OnCapture(before, amount)
			if fee < 0 || fee > amount {
				t.Fatalf("%+v: OnCapture(%d, %d) = %d, outside [0, %d]", f, before, amount, fee, amount)
			}
			sum += fee
			before += amount
			split = append(split, amount)
		}
		// One capture of the total, worked out independently.
		want := min((2*total*f.Bps+10000)/20000+f.Fixed, total)
		if sum != want {
			t.Fatalf("%+v: captures %v of %d pay %d, one capture pays %d", f, split, total, sum, want)
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

// TestBankAccountHolderName: a holder name is what a CPA-005 record can
// carry, counted in characters; control characters, other scripts and
// symbols are refused with a message naming the character set.
func TestBankAccountHolderName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
		fold string
	}{
		{"Maple Furniture", true, "MAPLE FURNITURE"},
		{"Meubles Éléphant & Fils", true, "MEUBLES ELEPHANT & FILS"},
		{"Ça Roule (Québec) Inc.", true, "CA ROULE (QUEBEC) INC."},
		{"O'Brien-Lévesque #2, 3/4", true, "O'BRIEN-LEVESQUE #2, 3/4"},
		{strings.Repeat("é", 30), true, strings.Repeat("E", 30)}, // 30 characters, 60 bytes
		{strings.Repeat("é", 31), false, ""},
		{strings.Repeat("A", 31), false, ""},
		{"  Padded  ", true, "PADDED"},
		{"", false, ""},
		{"   ", false, ""},
		{"---", false, ""},
		{"Maple\x00Furniture", false, ""},
		{"Maple\tFurniture", false, ""},
		{"Maple\u202eFurniture", false, ""}, // right-to-left override
		{"Maple\r\nZ0000", false, ""},
		{"家具店", false, ""},
		{"Maple ☺", false, ""},
		{"Maple_Furniture", false, ""},
	}
	for _, tt := range tests {
		b := BankAccount{Institution: "004", Transit: "12345", Account: "9876543", HolderName: tt.name}
		err := b.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("Validate(holder %q) = %v, want ok %v", tt.name, err, tt.ok)
			continue
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Param != "holder_name" || !strings.Contains(e.Message, "30 characters") || !strings.Contains(e.Message, "A-Z") {
				t.Errorf("Validate(holder %q) = %v, want holder_name naming the character set", tt.name, err)
			}
			continue
		}
		if got := FoldHolderName(tt.name); got != tt.fold {
			t.Errorf("FoldHolderName(%q) = %q, want %q", tt.name, got, tt.fold)
		}
	}
}
