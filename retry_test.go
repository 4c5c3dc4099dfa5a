package openflex

import (
	"testing"
	"time"
)

func TestRetryIn(t *testing.T) {
	for _, tc := range []struct {
		d      time.Duration
		en, fr string
	}{
		{0, "in 1 second", "dans 1 seconde"},
		{400 * time.Millisecond, "in 1 second", "dans 1 seconde"},
		{45 * time.Second, "in 45 seconds", "dans 45 secondes"},
		{time.Minute, "in 60 seconds", "dans 60 secondes"},
		{time.Minute + time.Second, "in 2 minutes", "dans 2 minutes"},
		{6*time.Minute + 10*time.Second, "in 7 minutes", "dans 7 minutes"},
		{10 * time.Minute, "in 10 minutes", "dans 10 minutes"},
		{2 * time.Hour, "in 120 minutes", "dans 120 minutes"},
		{2*time.Hour + time.Second, "in 3 hours", "dans 3 heures"},
		{23*time.Hour + 10*time.Minute, "in 24 hours", "dans 24 heures"},
	} {
		if got := RetryIn(tc.d, "en"); got != tc.en {
			t.Errorf("RetryIn(%v, en) = %q, want %q", tc.d, got, tc.en)
		}
		if got := RetryIn(tc.d, "fr"); got != tc.fr {
			t.Errorf("RetryIn(%v, fr) = %q, want %q", tc.d, got, tc.fr)
		}
	}
}
