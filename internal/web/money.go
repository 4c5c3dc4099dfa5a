package web

import (
	"strconv"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

// ParseCents reads a dollar amount as staff type it, in English or
// French: "500", "1,299.99", "$1299.9", "1 299,99 $". It never uses
// floats; amounts outside 1 cent..openflex.MaxAmount are refused.
func ParseCents(s string) (int64, bool) {
	cents, ok := ParseCentsOrZero(s)
	return cents, ok && cents > 0
}

// ParseCentsOrZero is ParseCents that also takes "0" (a fee of nothing).
func ParseCentsOrZero(s string) (int64, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '$':
			return -1
		}
		return r
	}, s)
	if i := strings.LastIndexByte(s, ','); i >= 0 && !strings.Contains(s, ".") && len(s)-i-1 <= 2 {
		s = s[:i] + "." + s[i+1:] // a decimal comma
	}
	whole, frac, _ := strings.Cut(strings.ReplaceAll(s, ",", ""), ".")
	if whole == "" && frac == "" || len(frac) > 2 || len(whole) > 12 {
		return 0, false
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	c, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	cents := w*100 + c
	if cents < 0 || cents > openflex.MaxAmount {
		return 0, false
	}
	return cents, true
}

// formatCAD is the templates' "cad": cents as Canadians read them.
func formatCAD(lang string) func(int64) string {
	return func(cents int64) string { return finance.FormatCAD(cents, lang) }
}
