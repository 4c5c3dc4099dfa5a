package openflex

import (
	"testing"
	"time"
)

func TestStoreLocation(t *testing.T) {
	tests := []struct {
		name  string
		store Store
		want  string
	}{
		{"own zone", Store{TimeZone: "America/Regina", Province: "ON"}, "America/Regina"},
		{"no zone: the province's", Store{Province: "BC"}, "America/Vancouver"},
		{"unknown zone: the province's, not UTC", Store{TimeZone: "Mars/Olympus_Mons", Province: "NL"}, "America/St_Johns"},
		{"host zone is no zone", Store{TimeZone: "Local", Province: "AB"}, "America/Edmonton"},
		{"nothing known: the lender's", Store{TimeZone: "", Province: "XX"}, HomeZone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.store.Location().String(); got != tc.want {
				t.Errorf("Store{%q, %q}.Location() = %s, want %s", tc.store.TimeZone, tc.store.Province, got, tc.want)
			}
		})
	}
}

// TestEveryProvinceHasItsZone: every province's zone loads (the zone
// database is embedded, so this holds on an image without one too).
func TestEveryProvinceHasItsZone(t *testing.T) {
	for p := range provinces {
		l, err := LoadZone(p.TimeZone())
		if err != nil {
			t.Fatalf("LoadZone(%s's %q) = %v", p, p.TimeZone(), err)
		}
		if got := p.Location(); got != l {
			t.Errorf("%s.Location() = %v, want the cached %v", p, got, l)
		}
		if _, off := time.Date(2026, 1, 15, 12, 0, 0, 0, l).Zone(); off == 0 {
			t.Errorf("%s's zone %s is UTC in January", p, l)
		}
	}
	for _, bad := range []string{"", "Local", "Not/AZone"} {
		if _, err := LoadZone(bad); err == nil {
			t.Errorf("LoadZone(%q) = nil error", bad)
		}
	}
}
