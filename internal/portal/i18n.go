package portal

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/openflex/openflex"
)

// languages the portal speaks, the default first.
var languages = []string{"en", "fr"}

// langCookie remembers a language picked with ?lang=.
const langCookie = "openflex_lang"

// language picks the page language: ?lang= (remembered in a cookie), the
// cookie, then the browser's Accept-Language, then English.
func (p *Portal) language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); known(l) {
		c := p.cookie(langCookie, l)
		c.MaxAge = 365 * 24 * 3600
		http.SetCookie(w, c)
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && known(c.Value) {
		return c.Value
	}
	return negotiate(r.Header.Get("Accept-Language"))
}

func known(l string) bool { return l == "en" || l == "fr" }

func otherLanguage(l string) string {
	if l == "fr" {
		return "en"
	}
	return "fr"
}

// negotiate returns the supported language the Accept-Language header
// weighs highest ("fr-CA;q=0.9, en;q=0.8" gives "fr"), English when none.
func negotiate(header string) string {
	best, bestQ := "en", 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if known(base) && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

// translator returns the message lookup of one language. A key missing
// from the table shows as itself (a test keeps the table complete).
func translator(lang string) func(key string, args ...any) string {
	i := 0
	if lang == "fr" {
		i = 1
	}
	return func(key string, args ...any) string {
		m, ok := lookup(key)
		if !ok {
			return key
		}
		if len(args) == 0 || !strings.Contains(m[i], "%") {
			return m[i]
		}
		return fmt.Sprintf(m[i], args...)
	}
}

func lookup(key string) ([2]string, bool) {
	if m, ok := messages[key]; ok {
		return m, true
	}
	if m, ok := pageMessages[key]; ok {
		return m, true
	}
	if m, ok := reviewMessages[key]; ok {
		return m, true
	}
	if m, ok := settlementMessages[key]; ok {
		return m, true
	}
	if m, ok := adminPlanMessages[key]; ok {
		return m, true
	}
	m, ok := tillMessages[key]
	return m, ok
}

func hasMessage(key string) bool {
	_, ok := lookup(key)
	return ok
}

// envLabel names an environment the way merchants see it: TRAINING and
// PRODUCTION (FORMATION and PRODUCTION in French).
func envLabel(lang string) func(openflex.Environment) string {
	t := translator(lang)
	return func(env openflex.Environment) string { return t("env." + string(env)) }
}

// fieldMessage translates a domain field problem. The domain speaks
// English; for the fields the portal edits, the message is rebuilt from
// the submitted value so French users read French.
func fieldMessage(t func(string, ...any) string, env openflex.Environment, fe openflex.FieldError, submitted map[string][]string) string {
	name, idx, hasIdx := strings.Cut(fe.Param, "[")
	if hasIdx {
		n, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
		if err == nil && n < len(submitted[name]) {
			switch name {
			case "trust_urls":
				return t("err.trust_url_"+string(env), n+1, submitted[name][n])
			case "trust_ips":
				return t("err.trust_ip", n+1, submitted[name][n])
			}
		}
	}
	switch {
	case fe.Param == "trust_ips" && fe.Code == openflex.CodeParameterInvalid:
		return t("err.trust_ips_required")
	case fe.Param == "url":
		return t("err.webhook_url_" + string(env))
	case fe.Param == "events":
		return t("err.events_required")
	}
	return fe.Message
}
