package openflex

import "testing"

func TestFormatCAD(t *testing.T) {
	tests := []struct {
		cents  int64
		en, fr string
	}{
		{0, "$0.00", "0,00\u00a0$"},
		{5, "$0.05", "0,05\u00a0$"},
		{99, "$0.99", "0,99\u00a0$"},
		{100, "$1.00", "1,00\u00a0$"},
		{129999, "$1,299.99", "1\u00a0299,99\u00a0$"},
		{100000, "$1,000.00", "1\u00a0000,00\u00a0$"},
		{99999999, "$999,999.99", "999\u00a0999,99\u00a0$"},
		{MaxAmount, "$99,999,999.99", "99\u00a0999\u00a0999,99\u00a0$"},
		{-4999, "-$49.99", "-49,99\u00a0$"},
	}
	for _, tt := range tests {
		if got := FormatCAD(tt.cents, "en-CA"); got != tt.en {
			t.Errorf("FormatCAD(%d, \"en-CA\") = %q, want %q", tt.cents, got, tt.en)
		}
		if got := FormatCAD(tt.cents, "fr-CA"); got != tt.fr {
			t.Errorf("FormatCAD(%d, \"fr-CA\") = %q, want %q", tt.cents, got, tt.fr)
		}
	}
}

func TestParseDollars(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"500", 50000, true},
		{"1,299.99", 129999, true},
		{"$1299.9", 129990, true},
		{"1 299,99 $", 129999, true},
		{"1\u00a0299,99\u00a0$", 129999, true},
		{"1234,56 $", 123456, true},
		{"0", 0, true},
		{".5", 50, true},
		{"99,999,999.99", MaxAmount, true},
		{"100,000,000.00", 0, false},
		{"-5", 0, false},
		{"+5", 0, false},
		{"1.999", 0, false},
		{"1e3", 0, false},
		{"", 0, false},
		{"$", 0, false},
		{"12abc", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseDollars(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseDollars(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok {
			for _, lang := range []string{"en", "fr"} {
				if back, ok := ParseDollars(FormatCAD(got, lang)); !ok || back != got {
					t.Errorf("ParseDollars(FormatCAD(%d, %s)) = %d, %v", got, lang, back, ok)
				}
			}
		}
	}
}
