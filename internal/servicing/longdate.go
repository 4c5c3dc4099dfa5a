package servicing

import "github.com/openflex/openflex/internal/finance"

// LongDate writes d as people read it in lang: "March 31, 2027", or
// "31 mars 2027" (and "1er avril 2027") for French.
func LongDate(d Date, lang string) string {
	if finance.IsFrench(lang) {
		return french.longDate(d, true)
	}
	return english.longDate(d, false)
}
