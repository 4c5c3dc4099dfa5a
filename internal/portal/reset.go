package portal

import (
	"context"
	"net/http"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"
)

func (p *Portal) forgotForm(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	pg.Title = "forgot.title"
	p.Render(w, pg, http.StatusOK, "forgot", nil)
	return nil
}

// forgot mails a reset link. The answer never says whether the address
// has an account.
func (p *Portal) forgot(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	if p.Limited(w, pg, p.resets, r) {
		return nil
	}
	ctx := r.Context()
	u, err := p.cfg.Control.PortalUserByEmail(ctx, pg.Form.Get("email"))
	switch {
	case err == nil:
		link, err := p.newLink(ctx, r, u.ID, users.PurposeReset)
		if err != nil {
			return err
		}
		p.send(ctx, pg, u.Email, "mail.reset_subject", "mail.reset_body", link)
	case openflex.ErrorCode(err) != openflex.CodeResourceMissing:
		return err
	}
	pg.Title = "forgot.title"
	p.Render(w, pg, http.StatusOK, "message", web.Message{Text: pg.T("forgot.sent")})
	return nil
}

type resetData struct{ Token string }

// resetForm shows the new-password form; the token is spent only when the
// form is posted, so a mail scanner fetching the link does not burn it.
func (p *Portal) resetForm(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	pg.Title = "reset.title"
	p.Render(w, pg, http.StatusOK, "reset", resetData{Token: r.URL.Query().Get("token")})
	return nil
}

// reset spends the link, sets the password, lifts any lockout, ends every
// session (whoever held the old password is logged out) and kills the
// other reset links. Setting a password through the emailed link also
// proves the address.
func (p *Portal) reset(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ctx, f := r.Context(), pg.Form
	data := resetData{Token: f.Get("token")}
	pw := f.Raw("password")
	p.checkNewPassword(pg, pw, f.Raw("confirm"))
	if !f.OK() {
		pg.Title = "reset.title"
		p.Render(w, pg, http.StatusBadRequest, "reset", data)
		return nil
	}
	hash, err := p.cfg.Users.HashPassword(ctx, pw)
	if err != nil {
		return err
	}
	now := p.Now()
	var u *users.User
	err = p.cfg.Control.Write(ctx, func(ctx context.Context) error {
		t, err := p.cfg.Control.UseEmailToken(ctx, web.TokenHash(data.Token), users.PurposeReset, now)
		if err != nil {
			return err
		}
		if u, err = p.cfg.Control.PortalUser(ctx, t.UserID); err != nil {
			return err
		}
		for _, step := range []func() error{
			func() error { return p.cfg.Control.SetPortalPassword(ctx, u.ID, hash) },
			func() error { return p.cfg.Control.VerifyPortalEmail(ctx, u.ID, now) },
			func() error { return p.cfg.Control.SpendEmailTokens(ctx, u.ID, users.PurposeReset, now) },
			func() error { return p.cfg.Control.DeletePortalSessions(ctx, u.ID) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		pg.Title = "reset.title"
		p.Render(w, pg, http.StatusBadRequest, "message", web.Message{Text: pg.T("reset.bad_link"), Link: "/portal/password/forgot", LinkLabel: "forgot.title"})
		return nil
	}
	if err != nil {
		return err
	}
	p.audit(ctx, r, u, "portal.password_reset", u.ID, "")
	p.ClearSession(w)
	return web.Redirect(w, r, "/portal/login?done=password_reset")
}
