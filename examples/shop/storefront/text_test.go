package storefront

import "testing"

func TestFormatCents(t *testing.T) {
	for _, c := range []struct {
		cents    int64
		lang, in string
	}{
		{129999, "en", "$1,299.99"}, {129999, "fr", "1\u00a0299,99\u00a0$"}, {5, "en", "$0.05"}, {100, "en", "$1.00"},
		{123456789, "en", "$1,234,567.89"}, {-2500, "en", "-$25.00"}, {99999, "fr", "999,99\u00a0$"},
	} {
		if got := formatCents(c.cents, c.lang); got != c.in {
			t.Errorf("formatCents(%d, %s) = %q, want %q", c.cents, c.lang, got, c.in)
		}
	}
}
