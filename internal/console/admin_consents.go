package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/web"
)

// Lender staff see which merchants hold a customer's consent on an account
// (so may post online purchases on it without a new code) and end one: a
// customer's complaint, a merchant under review. The same as `openflex
// consents list|revoke`, with an audit entry.

type consentsData struct {
	Env      string
	Account  string
	Searched bool
	Consents []*openflex.AccountConsent
}

func (p *Console) adminConsents(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	if p.cfg.Lending == nil {
		return openflex.NotFound("page", r.URL.Path)
	}
	q := r.URL.Query()
	d := consentsData{Env: q.Get("env"), Account: strings.TrimSpace(q.Get("account"))}
	env, ok := openflex.ParseEnvironment(d.Env)
	if !ok {
		env, d.Env = openflex.Production, string(openflex.Production)
	}
	if d.Account != "" {
		all, err := p.cfg.Lending(env).Consents(r.Context(), d.Account)
		if err != nil {
			return err
		}
		d.Searched, d.Consents = true, all
	}
	pg.Title, pg.Nav = "admin.consents", "admin"
	p.Render(w, pg, http.StatusOK, "admin_consents", d)
	return nil
}

func (p *Console) adminRevokeConsent(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	if p.cfg.Lending == nil {
		return openflex.NotFound("page", r.URL.Path)
	}
	f := pg.Form
	env, ok := openflex.ParseEnvironment(f.Get("env"))
	if !ok {
		return openflex.Errorf(openflex.CodeParameterInvalid, "env must be training or production")
	}
	reason := f.Get("reason")
	if utf8.RuneCountInString(reason) > 500 {
		return openflex.Errorf(openflex.CodeParameterInvalid, "%s", pg.T("err.note_long"))
	}
	by := "admin:" + pg.User.ID
	c, err := p.cfg.Lending(env).RevokeConsent(r.Context(), lending.RevokeRequest{MerchantID: f.Get("merchant"),
		AccountNumber: f.Get("account"), By: openflex.RevokedByStaff, Reason: reason})
	if err != nil {
		return err
	}
	err = p.cfg.Control.Write(r.Context(), func(ctx context.Context) error {
		return p.cfg.Control.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: p.Now(), Actor: by, Action: "consent.revoked",
			MerchantID: c.MerchantID, ObjectID: c.ID, Detail: string(env) + " account " + c.AccountNumber + ": " + reason, RemoteAddr: web.RemoteHost(r)})
	})
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/portal/admin/consents?"+url.Values{"env": {string(env)}, "account": {c.AccountNumber}, "done": {"consent_revoked"}}.Encode())
}
