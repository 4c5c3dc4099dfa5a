package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/web"
)

// rollChoices are the grace periods offered for a rolled secret, within
// the seven days keys.Service allows.
var rollChoices = []struct {
	Value string
	Grace time.Duration
}{
	{"now", keys.Immediately},
	{"1h", time.Hour},
	{"24h", 24 * time.Hour},
	{"72h", 72 * time.Hour},
	{"168h", keys.MaxRollGrace},
}

type keySetsData struct {
	Envs          []envKeySets
	CanProduction bool
}

type envKeySets struct {
	Env     openflex.Environment
	KeySets []*openflex.KeySet
}

// byEnvironment groups a merchant's key sets, TRAINING first.
func (p *Portal) byEnvironment(ctx context.Context, merchantID string) ([]envKeySets, error) {
	all, err := p.cfg.Control.KeySets(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	out := make([]envKeySets, len(openflex.Environments))
	for i, env := range openflex.Environments {
		out[i].Env = env
		for _, ks := range all {
			if ks.Environment == env {
				out[i].KeySets = append(out[i].KeySets, ks)
			}
		}
	}
	return out, nil
}

func (p *Portal) renderKeySets(w http.ResponseWriter, r *http.Request, pg *web.Page, status int) error {
	envs, err := p.byEnvironment(r.Context(), pg.Merchant.ID)
	if err != nil {
		return err
	}
	pg.Title, pg.Nav = "keys.title", "keys"
	p.Render(w, pg, status, "keys", keySetsData{Envs: envs, CanProduction: pg.Merchant.LiveApproved})
	return nil
}

func (p *Portal) listKeySets(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	return p.renderKeySets(w, r, pg, http.StatusOK)
}

// createKeySet makes a key set and shows its secret, once.
func (p *Portal) createKeySet(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	f := pg.Form
	env, ok := openflex.ParseEnvironment(f.Get("environment"))
	if !ok {
		f.Fail("environment", pg.T("err.environment"))
	}
	if utf8.RuneCountInString(f.Get("name")) > 100 {
		f.Fail("name", pg.T("err.name_long"))
	}
	if !f.OK() {
		return p.renderKeySets(w, r, pg, http.StatusBadRequest)
	}
	urls, ips := f.Lines("trust_urls"), f.Lines("trust_ips")
	ks, secret, err := p.cfg.Keys.Create(r.Context(), keys.NewKeySet{MerchantID: pg.Merchant.ID, Environment: env, Name: f.Get("name"),
		TrustURLs: urls, TrustIPs: ips}, p.actor(r, pg))
	if p.formErrors(pg, env, err, map[string][]string{"trust_urls": urls, "trust_ips": ips}) {
		return p.renderKeySets(w, r, pg, http.StatusBadRequest)
	}
	if err != nil {
		return err
	}
	pg.Title, pg.Nav = "secret.keyset_title", "keys"
	p.Render(w, pg, http.StatusOK, "secret", secretData{Kind: "keyset", KeySet: ks, Secret: secret})
	return nil
}

// formErrors puts a domain error's field problems next to their fields
// and reports whether there were any; other errors are left to the caller.
func (p *Portal) formErrors(pg *web.Page, env openflex.Environment, err error, submitted map[string][]string) bool {
	var e *openflex.Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.Code == openflex.CodeEnvNotEnabled:
		pg.Form.Fail("environment", pg.T("err.production_locked"))
	case len(e.Fields) > 0:
		for _, fe := range e.Fields {
			name, _, _ := strings.Cut(fe.Param, "[")
			pg.Form.Fail(name, fieldMessage(pg.T, env, fe, submitted))
		}
	case e.Param != "":
		name, _, _ := strings.Cut(e.Param, "[")
		pg.Form.Fail(name, e.Message)
	default:
		return false
	}
	return true
}

func (p *Portal) actor(r *http.Request, pg *web.Page) keys.Actor {
	return keys.Actor{Name: "portal:" + pg.User.ID, RemoteAddr: web.RemoteHost(r)}
}

// ownKeySet returns the merchant's key set id; another merchant's is
// resource_missing, exactly like one that does not exist.
func (p *Portal) ownKeySet(ctx context.Context, pg *web.Page, id string) (*openflex.KeySet, error) {
	ks, err := p.cfg.Control.KeySet(ctx, id)
	if err != nil {
		return nil, err
	}
	if ks.MerchantID != pg.Merchant.ID {
		return nil, openflex.NotFound("key set", id)
	}
	return ks, nil
}

type keySetData struct {
	KeySet  *openflex.KeySet
	Secrets []secretView
	Rolls   []string
}

type secretView struct {
	Last4     string
	Created   time.Time
	ExpiresAt time.Time
	State     string // i18n key
}

// renderKeySet shows one key set.
func (p *Portal) renderKeySet(w http.ResponseWriter, pg *web.Page, ks *openflex.KeySet, status int) {
	// Stored values and defaults, overlaid with what a failed form sent, so
	// a refused roll does not blank the Trust lists and a refused Trust
	// edit does not preselect "stop at once".
	vals := url.Values{"trust_urls": {strings.Join(ks.TrustURLs, "\n")}, "trust_ips": {strings.Join(ks.TrustIPs, "\n")}, "expires_in": {"24h"}}
	pg.Form.Default(vals)
	now := p.Now()
	d := keySetData{KeySet: ks}
	for i := len(ks.Secrets) - 1; i >= 0; i-- {
		s := ks.Secrets[i]
		state := "secret.current"
		switch {
		case !ks.Active():
			state = "secret.revoked"
		case !s.ValidAt(now):
			state = "secret.expired"
		case !s.ExpiresAt.IsZero():
			state = "secret.grace"
		}
		d.Secrets = append(d.Secrets, secretView{Last4: s.Last4, Created: s.Created, ExpiresAt: s.ExpiresAt, State: state})
	}
	for _, c := range rollChoices {
		d.Rolls = append(d.Rolls, c.Value)
	}
	pg.Title, pg.Nav = "keyset.title", "keys"
	p.Render(w, pg, status, "keyset", d)
}

func (p *Portal) showKeySet(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ks, err := p.ownKeySet(r.Context(), pg, r.PathValue("id"))
	if err != nil {
		return err
	}
	p.renderKeySet(w, pg, ks, http.StatusOK)
	return nil
}

// rollKeySet issues a new secret and shows it once; the old one works
// until the chosen expiry.
func (p *Portal) rollKeySet(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ks, err := p.ownKeySet(r.Context(), pg, r.PathValue("id"))
	if err != nil {
		return err
	}
	grace, ok := time.Duration(0), false
	for _, c := range rollChoices {
		if c.Value == pg.Form.Get("expires_in") {
			grace, ok = c.Grace, true
		}
	}
	if !ok {
		pg.Form.Fail("expires_in", pg.T("err.expires_in"))
	}
	if !ks.Active() {
		pg.Form.Fail("expires_in", pg.T("err.revoked"))
	}
	if !pg.Form.OK() {
		p.renderKeySet(w, pg, ks, http.StatusBadRequest)
		return nil
	}
	secret, err := p.cfg.Keys.Roll(r.Context(), ks.ID, grace, p.actor(r, pg))
	if err != nil {
		return err
	}
	pg.Title, pg.Nav = "secret.roll_title", "keys"
	p.Render(w, pg, http.StatusOK, "secret", secretData{Kind: "roll", KeySet: ks, Secret: secret})
	return nil
}

type confirmData struct {
	Heading, Text, Button string // i18n keys
	Subject               string // what the action acts on, shown in Text
	Action, Cancel        string
}

func (p *Portal) confirmRevoke(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ks, err := p.ownKeySet(r.Context(), pg, r.PathValue("id"))
	if err != nil {
		return err
	}
	pg.Title, pg.Nav = "revoke.title", "keys"
	p.Render(w, pg, http.StatusOK, "confirm", confirmData{Heading: "revoke.title", Text: "revoke.text", Button: "revoke.button",
		Subject: ks.ClientID, Action: "/portal/keys/" + ks.ID + "/revoke", Cancel: "/portal/keys/" + ks.ID})
	return nil
}

// revokeKeySet stops a key set at once.
func (p *Portal) revokeKeySet(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ks, err := p.ownKeySet(r.Context(), pg, r.PathValue("id"))
	if err != nil {
		return err
	}
	if ks.Active() {
		if err := p.cfg.Keys.Revoke(r.Context(), ks.ID, p.actor(r, pg)); err != nil {
			return err
		}
	}
	return web.Redirect(w, r, "/portal/keys/"+ks.ID+"?done=revoked")
}

// setTrust replaces the Trust URLs and IPs; each problem is shown next to
// its field and nothing changes.
func (p *Portal) setTrust(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ks, err := p.ownKeySet(r.Context(), pg, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !ks.Active() {
		return openflex.Errorf(openflex.CodeParameterInvalid, "%s", pg.T("err.revoked"))
	}
	urls, ips := pg.Form.Lines("trust_urls"), pg.Form.Lines("trust_ips")
	_, err = p.cfg.Keys.SetTrust(r.Context(), ks.ID, urls, ips, p.actor(r, pg))
	if p.formErrors(pg, ks.Environment, err, map[string][]string{"trust_urls": urls, "trust_ips": ips}) {
		p.renderKeySet(w, pg, ks, http.StatusBadRequest)
		return nil
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/portal/keys/"+ks.ID+"?done=trust_saved")
}

// secretData is the page that shows a secret, once: a new key set's (at
// sign-up or later), a rolled one, or a webhook endpoint's signing secret.
type secretData struct {
	Kind     string // signup, keyset, roll or webhook
	KeySet   *openflex.KeySet
	Endpoint *openflex.WebhookEndpoint
	Secret   string
	Email    string
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
