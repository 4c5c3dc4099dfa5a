package finance

import "testing"

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
