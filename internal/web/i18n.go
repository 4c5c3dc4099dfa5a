package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/openflex/openflex"
)

// languages the site speaks, the default first.
var languages = []string{"en", "fr"}

// langCookie remembers a language picked with ?lang=.
const langCookie = "openflex_lang"

// language picks the page language: ?lang= (remembered in a cookie), the
// cookie, then the browser's Accept-Language, then English.
func (p *Site) language(w http.ResponseWriter, r *http.Request) string {
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

// Languages lists the languages pages are written in, the default first.
func Languages() []string { return slices.Clone(languages) }

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
// from the catalog shows as itself (a test keeps the catalog complete).
func (p *Site) translator(lang string) func(key string, args ...any) string {
	i := 0
	if lang == "fr" {
		i = 1
	}
	return func(key string, args ...any) string {
		m, ok := p.catalog[key]
		if !ok {
			return key
		}
		if len(args) == 0 || !strings.Contains(m[i], "%") {
			return m[i]
		}
		return fmt.Sprintf(m[i], args...)
	}
}

func (p *Site) hasMessage(key string) bool {
	_, ok := p.catalog[key]
	return ok
}

// AddMessages adds a room's texts (English, French) to the site's
// catalog. A key belongs to one room: adding it twice panics.
func (p *Site) AddMessages(m map[string][2]string) {
	for k, v := range m {
		if _, dup := p.catalog[k]; dup {
			panic("web: message " + k + " added twice")
		}
		p.catalog[k] = v
	}
}

// Messages returns the site's catalog, for tests that check it is
// complete.
func (p *Site) Messages() map[string][2]string { return p.catalog }

// envLabel names an environment the way merchants see it: TRAINING and
// PRODUCTION (FORMATION and PRODUCTION in French).
func (p *Site) envLabel(lang string) func(openflex.Environment) string {
	t := p.translator(lang)
	return func(env openflex.Environment) string { return t("env." + string(env)) }
}
