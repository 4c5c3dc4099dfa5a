package web

import "testing"

func TestParseCents(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"500", 500_00, true},
		{"500.5", 500_50, true},
		{"$1,299.99", 1_299_99, true},
		{"1 299,99 $", 1_299_99, true},
		{"1\u00a0299,9", 1_299_90, true},
		{"0.01", 1, true},
		{".75", 75, true},
		{"1,000", 1_000_00, true},
		{"0", 0, false},
		{"", 0, false},
		{"12.345", 0, false},
		{"-5", 0, false},
		{"5e3", 0, false},
		{"1.2.3", 0, false},
		{"100000000000", 0, false},
	}
	for _, tc := range tests {
		if got, ok := ParseCents(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("ParseCents(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
