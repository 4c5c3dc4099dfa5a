package portal

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/portal/account"
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
		link, err := p.newLink(ctx, r, u.ID, account.PurposeReset)
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
	hash, err := p.hashPassword(ctx, pw)
	if err != nil {
		return err
	}
	now := p.Now()
	var u *account.User
	err = p.cfg.Control.Write(ctx, func(ctx context.Context) error {
		t, err := p.cfg.Control.UseEmailToken(ctx, web.TokenHash(data.Token), account.PurposeReset, now)
		if err != nil {
			return err
		}
		if u, err = p.cfg.Control.PortalUser(ctx, t.UserID); err != nil {
			return err
		}
		for _, step := range []func() error{
			func() error { return p.cfg.Control.SetPortalPassword(ctx, u.ID, hash) },
			func() error { return p.cfg.Control.VerifyPortalEmail(ctx, u.ID, now) },
			func() error { return p.cfg.Control.SpendEmailTokens(ctx, u.ID, account.PurposeReset, now) },
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

// Bootstrap creates a verified portal user for an existing merchant, for
// `openflex merchant create`. It returns parameter_invalid for a bad email,
// an email already taken or a password shorter than MinPasswordLen, and
// resource_missing for an unknown merchant.
func (p *Portal) Bootstrap(ctx context.Context, email, password, merchantID string) error {
	if _, err := p.cfg.Control.Merchant(ctx, merchantID); err != nil {
		return err
	}
	return p.createVerified(ctx, email, password, merchantID, account.RoleMerchant)
}

// BootstrapAdmin creates a verified admin (lender staff) account, for the
// command line; errors as Bootstrap.
func (p *Portal) BootstrapAdmin(ctx context.Context, email, password string) error {
	return p.createVerified(ctx, email, password, "", account.RoleAdmin)
}

func (p *Portal) createVerified(ctx context.Context, email, password, merchantID string, role account.Role) error {
	email = strings.ToLower(strings.TrimSpace(email))
	var probs openflex.Problems
	if !validEmail(email) {
		probs.Invalid("email", "email must be an address such as dev@shop.example")
	}
	if utf8.RuneCountInString(password) < MinPasswordLen || len(password) > maxPasswordLen {
		probs.Invalid("password", "password must be %d to %d characters", MinPasswordLen, maxPasswordLen)
	}
	if err := probs.Err(); err != nil {
		return err
	}
	hash, err := p.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	now := p.Now()
	u := &account.User{ID: openflex.NewID(openflex.PrefixUser), MerchantID: merchantID, Role: role, Email: email,
		PasswordHash: hash, EmailVerifiedAt: now, Created: now}
	return p.cfg.Control.Write(ctx, func(ctx context.Context) error {
		if err := p.cfg.Control.CreatePortalUser(ctx, u); err != nil {
			return err
		}
		return p.cfg.Control.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: now, Actor: "cli", Action: "portal.user_created",
			MerchantID: merchantID, ObjectID: u.ID, Detail: fmt.Sprintf("role=%s email=%s", role, email)})
	})
}
