package openflex

import (
	"fmt"
	"time"
)

// RetryIn says when a refused request may be tried again, for people: "in
// 7 minutes" (lang "en") or "dans 7 minutes" ("fr"). It rounds up, so the
// time it names has always passed when the person comes back: under a
// minute in seconds, under two hours in minutes, beyond that in hours.
func RetryIn(d time.Duration, lang string) string {
	n, unit := ceilDiv(d, time.Second), 0
	switch {
	case d > 2*time.Hour:
		n, unit = ceilDiv(d, time.Hour), 2
	case d > time.Minute:
		n, unit = ceilDiv(d, time.Minute), 1
	}
	n = max(n, 1)
	words := [2][3][2]string{
		{{"second", "seconds"}, {"minute", "minutes"}, {"hour", "hours"}},
		{{"seconde", "secondes"}, {"minute", "minutes"}, {"heure", "heures"}},
	}
	l, prep := 0, "in"
	if lang == "fr" {
		l, prep = 1, "dans"
	}
	w := words[l][unit][1]
	if n == 1 {
		w = words[l][unit][0]
	}
	return fmt.Sprintf("%s %d %s", prep, n, w)
}

func ceilDiv(d, unit time.Duration) int64 { return int64((d + unit - 1) / unit) }
