package finance

import "testing"

func TestParsePercent(t *testing.T) {
	tests := []struct {
		in   string
		want Percent
	}{
		{"0", 0},
		{"29.99", 29990},
		{"12.125", 12125},
		{"7.5", 7500},
		{"0.001", 1},
		{"100", 100000},
		{"100.000", 100000},
		{"007.50", 7500},
		{"30", 30000},
	}
	for _, tt := range tests {
		got, err := ParsePercent(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParsePercent(%q) = %d, %v, want %d, nil", tt.in, got, err, tt.want)
		}
	}
}

func TestParsePercentRejects(t *testing.T) {
	for _, in := range []string{
		"", "-1", "-0", "+5", "100.001", "101", "1000", "99999999999999999999",
		"1e2", "1E2", " 5", "5 ", "5%", "1,5", "1.2.3", ".5", "5.", ".", "12.1250",
		"abc", "0x10", "٣", "NaN", "Inf",
	} {
		if got, err := ParsePercent(in); err == nil {
			t.Errorf("ParsePercent(%q) = %d, nil, want an error", in, got)
		}
	}
}

func TestPercentString(t *testing.T) {
	tests := []struct {
		in   Percent
		want string
	}{
		{0, "0"},
		{30000, "30"},
		{100000, "100"},
		{29990, "29.99"},
		{12125, "12.125"},
		{7500, "7.50"},
		{7750, "7.75"},
		{100, "0.10"},
		{1, "0.001"},
		{10, "0.01"},
		{-7500, "-7.50"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Percent(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

// TestPercentRoundTrip covers every value ParsePercent accepts.
func TestPercentRoundTrip(t *testing.T) {
	for p := Percent(0); p <= MaxPercent; p++ {
		got, err := ParsePercent(p.String())
		if err != nil || got != p {
			t.Fatalf("ParsePercent(%q) = %d, %v, want %d, nil", p.String(), got, err, p)
		}
	}
}
