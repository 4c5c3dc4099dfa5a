package portal

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/ratelimit"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"
)

// An address whose log-ins keep failing, over any accounts, is throttled:
// AddressFailures failures at once, then one more every addressRefill. A
// person mistyping stays far below; an address spraying guesses over many
// accounts is slowed to a trickle (issue 23). Per node, in memory, like
// the API's throttle of Client IDs.
const (
	AddressFailures = 20
	addressRefill   = time.Minute
)

// provinces lists the store provinces offered at sign-up, in the order
// of the form.
var provinces = []openflex.Province{"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}

type signupData struct{ Provinces []openflex.Province }

func (p *Portal) signupForm(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	if pg.User != nil {
		return web.Redirect(w, r, "/portal/")
	}
	pg.Title = "signup.title"
	p.Render(w, pg, http.StatusOK, "signup", signupData{provinces})
	return nil
}

// signup creates the merchant, its first store and the user in one
// transaction and emails a verification link; the TRAINING keys come with
// the confirmed address (verifyEmail). Whether the address already has an
// account never shows: both answers are "check your email" after the same
// work (a password hash), and the existing owner is emailed a notice.
func (p *Portal) signup(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	if p.Limited(w, pg, p.signups, r) {
		return nil
	}
	ctx, f := r.Context(), pg.Form
	company, email, prov := f.Get("company"), strings.ToLower(f.Get("email")), openflex.Province(f.Get("province"))
	pw, confirm := f.Raw("password"), f.Raw("confirm")
	switch {
	case company == "":
		f.Fail("company", pg.T("err.required"))
	case utf8.RuneCountInString(company) > 200:
		f.Fail("company", pg.T("err.company_long"))
	}
	if !users.ValidEmail(email) {
		f.Fail("email", pg.T("err.email"))
	}
	if !prov.Valid() {
		f.Fail("province", pg.T("err.province"))
	}
	p.checkNewPassword(pg, pw, confirm)
	if !f.OK() {
		pg.Title = "signup.title"
		p.Render(w, pg, http.StatusBadRequest, "signup", signupData{provinces})
		return nil
	}
	res, err := p.cfg.Users.SignUp(ctx, users.SignUp{Company: company, Email: email, Province: prov, Password: pw, RemoteAddr: web.RemoteHost(r)})
	if err != nil {
		return err
	}
	if res.Taken {
		p.send(ctx, pg, email, "mail.signup_taken_subject", "mail.signup_taken_body", p.baseURL(r)+"/portal/password/forgot")
		return p.checkEmail(w, pg, email)
	}
	p.send(ctx, pg, email, "mail.verify_subject", "mail.verify_body", p.link(r, users.PurposeVerify, res.VerifyToken))
	return p.checkEmail(w, pg, email)
}

// checkEmail is sign-up's one answer, whether or not the address was new.
func (p *Portal) checkEmail(w http.ResponseWriter, pg *web.Page, email string) error {
	pg.Title = "signup.check_title"
	p.Render(w, pg, http.StatusOK, "message", web.Message{Text: pg.T("signup.check_email", email), Link: "/portal/login", LinkLabel: "login.title"})
	return nil
}

// checkNewPassword records a new password's problem on its field.
func (p *Portal) checkNewPassword(pg *web.Page, pw, confirm string) {
	switch k := users.PasswordProblem(pw, confirm); k {
	case "":
	case "err.password_confirm":
		pg.Form.Fail("confirm", pg.T(k))
	case "err.password_short":
		pg.Form.Fail("password", pg.T(k, users.MinPasswordLen))
	default:
		pg.Form.Fail("password", pg.T(k))
	}
}

// verifyEmail spends a verification link. The token itself is the
// credential, so a GET may act on it.
func (p *Portal) verifyEmail(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	v, err := p.cfg.Users.Verify(r.Context(), r.URL.Query().Get("token"), pg.T("keys.default_name"), web.RemoteHost(r))
	u, ks, secret := v.User, v.KeySet, v.Secret
	pg.Title = "verify.title"
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		p.Render(w, pg, http.StatusBadRequest, "message", web.Message{Text: pg.T("verify.bad_link"), Link: "/portal/login", LinkLabel: "login.title"})
		return nil
	}
	if err != nil {
		return err
	}
	if ks != nil {
		pg.Title = "signup.done_title"
		p.Render(w, pg, http.StatusOK, "secret", secretData{Kind: "signup", KeySet: ks, Secret: secret, Email: u.Email})
		return nil
	}
	p.Render(w, pg, http.StatusOK, "message", web.Message{Text: pg.T("verify.done"), Link: "/portal/login", LinkLabel: "login.title"})
	return nil
}

// resendVerification mails a fresh link to an unverified account. The
// answer is the same whether or not the account exists.
func (p *Portal) resendVerification(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ctx := r.Context()
	u, err := p.cfg.Control.PortalUserByEmail(ctx, pg.Form.Get("email"))
	if err == nil && !u.Verified() {
		tok, err := p.cfg.Users.NewEmailToken(ctx, u.ID, users.PurposeVerify)
		if err != nil {
			return err
		}
		p.send(ctx, pg, u.Email, "mail.verify_subject", "mail.verify_body", p.link(r, users.PurposeVerify, tok))
	} else if err != nil && openflex.ErrorCode(err) != openflex.CodeResourceMissing {
		return err
	}
	pg.Title = "verify.title"
	p.Render(w, pg, http.StatusOK, "message", web.Message{Text: pg.T("verify.resent")})
	return nil
}

type loginData struct{ Next, Unverified string }

func (p *Portal) loginForm(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	if pg.User != nil {
		return web.Redirect(w, r, home(pg.User))
	}
	pg.Title = "login.title"
	p.Render(w, pg, http.StatusOK, "login", loginData{Next: r.URL.Query().Get("next")})
	return nil
}

// login checks the password through the users service (which locks an
// account per source address), throttles addresses that keep failing, and
// starts a fresh session.
func (p *Portal) login(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ctx, f := r.Context(), pg.Form
	data := loginData{Next: f.Get("next")}
	refuse := func(status int, key string, args ...any) error {
		f.Fail("form", pg.T(key, args...))
		pg.Title = "login.title"
		p.Render(w, pg, status, "login", data)
		return nil
	}
	addr := p.ClientIP(r)
	if p.Throttled(w, pg, p.failures, r) {
		return nil
	}
	res, err := p.cfg.Users.LogIn(ctx, f.Get("email"), f.Raw("password"), addr)
	switch {
	case errors.Is(err, users.ErrLogInFailed):
		// Unknown, locked and wrong-password answers are one answer, after
		// the same password hashing.
		p.failures.Allow(ratelimit.AddrKeyString(addr))
		return refuse(http.StatusUnauthorized, "login.failed", users.MaxFailedLogins, int(users.LockoutDuration.Minutes()))
	case errors.Is(err, users.ErrUnverified):
		data.Unverified = res.User.Email
		return refuse(http.StatusForbidden, "login.unverified")
	case err != nil:
		return err
	}
	u := res.User
	if err := p.StartSession(ctx, w, r, u); err != nil {
		return err
	}
	p.audit(ctx, r, u, "portal.logged_in", u.ID, "")
	next := web.LocalPath(data.Next)
	if next == "/portal/" {
		next = home(u)
	}
	return web.Redirect(w, r, next)
}

// home is where a user lands after log-in.
func home(u *users.User) string {
	if u.Role.Staff() {
		return "/portal/admin"
	}
	return "/portal/"
}

// link is the absolute address of an email link spending tok.
func (p *Portal) link(r *http.Request, purpose users.Purpose, tok string) string {
	path := "/portal/verify?token="
	if purpose == users.PurposeReset {
		path = "/portal/password/reset?token="
	}
	return p.baseURL(r) + path + tok
}

func (p *Portal) baseURL(r *http.Request) string {
	if p.cfg.BaseURL != "" {
		return strings.TrimSuffix(p.cfg.BaseURL, "/")
	}
	scheme := "http"
	if p.cfg.Secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// send emails a link, or logs it when no notifier is configured. A
// failure is logged, not shown: the user can ask for another link.
func (p *Portal) send(ctx context.Context, pg *web.Page, to, subjectKey, bodyKey, link string) {
	subject, body := pg.T(subjectKey), pg.T(bodyKey, link)
	if p.cfg.Notifier == nil {
		// A link is a credential (it resets a password): only a demo
		// server, whose operator is its only user, may print it.
		if p.cfg.LogLinks {
			p.Logger().WarnContext(ctx, "portal: no mail notifier configured; the link follows (--demo)", "to", to, "subject", subject, "link", link)
		} else {
			p.Logger().WarnContext(ctx, "portal: no mail notifier configured (--smtp-url); an email was not sent", "subject", subject)
		}
		return
	}
	if err := p.cfg.Notifier(ctx, to, subject, body); err != nil {
		p.Logger().ErrorContext(ctx, "portal: send email", "to", to, "subject", subject, "err", err)
	}
}

// audit records a user's action; a failure is logged, since the action
// itself already happened.
func (p *Portal) audit(ctx context.Context, r *http.Request, u *users.User, action, objectID, detail string) {
	err := p.cfg.Control.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: p.Now(), Actor: "portal:" + u.ID, Action: action,
		MerchantID: u.MerchantID, ObjectID: objectID, Detail: detail, RemoteAddr: web.RemoteHost(r)})
	if err != nil {
		p.Logger().ErrorContext(ctx, "portal: audit", "action", action, "err", err)
	}
}

func (p *Portal) logout(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	if err := p.cfg.Control.DeletePortalSession(r.Context(), pg.Session().Hash); err != nil {
		return err
	}
	p.ClearSession(w)
	// Only the console's front door may be the next stop: never a URL
	// from elsewhere.
	if pg.Form.Get("next") == "/portal/admin" {
		return web.Redirect(w, r, "/portal/login?done=logged_out&next=%2Fportal%2Fadmin")
	}
	return web.Redirect(w, r, "/portal/login?done=logged_out")
}
