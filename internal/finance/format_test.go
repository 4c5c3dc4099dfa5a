package finance

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

func TestFormatPercent(t *testing.T) {
	tests := []struct {
		p      Percent
		en, fr string
	}{
		{0, "0%", "0\u00a0%"},
		{29990, "29.99%", "29,99\u00a0%"},
		{7750, "7.75%", "7,75\u00a0%"},
		{12125, "12.125%", "12,125\u00a0%"},
		{30000, "30%", "30\u00a0%"},
	}
	for _, tt := range tests {
		if got := FormatPercent(tt.p, "en"); got != tt.en {
			t.Errorf("FormatPercent(%s, \"en\") = %q, want %q", tt.p, got, tt.en)
		}
		if got := FormatPercent(tt.p, "fr"); got != tt.fr {
			t.Errorf("FormatPercent(%s, \"fr\") = %q, want %q", tt.p, got, tt.fr)
		}
	}
}

func TestIsFrench(t *testing.T) {
	for lang, want := range map[string]bool{
		"fr": true, "fr-CA": true, "FR": true, "Fr_ca": true, "french": true,
		"en": false, "en-CA": false, "": false, "f": false, "de-fr": false,
	} {
		if got := IsFrench(lang); got != want {
			t.Errorf("IsFrench(%q) = %v, want %v", lang, got, want)
		}
	}
}
