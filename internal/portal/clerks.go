package portal

import (
	"net/http"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"
)

// Store clerks (issue 28): the merchant invites them by email for some of
// its stores; a clerk signs in to the till of those stores and nothing else
// (the kit's page guard enforces it).

type clerkRow struct {
	ID, Email string
	Stores    []string // names
	Pending   bool     // invitation not accepted yet
}

type clerksData struct {
	Clerks []clerkRow
	Stores []openflex.Store
}

func (p *Portal) clerksPage(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	return p.renderClerks(w, r, pg, http.StatusOK)
}

func (p *Portal) renderClerks(w http.ResponseWriter, r *http.Request, pg *web.Page, status int) error {
	ctx := r.Context()
	stores, _, err := p.cfg.Control.Stores(ctx, pg.Merchant.ID, openflex.ListParams{Limit: 100})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, st := range stores {
		names[st.ID] = st.Name
	}
	clerks, err := p.cfg.Users.Clerks(ctx, pg.Merchant.ID)
	if err != nil {
		return err
	}
	d := clerksData{Stores: stores}
	for _, c := range clerks {
		row := clerkRow{ID: c.ID, Email: c.Email, Pending: !c.Verified()}
		for _, id := range c.Stores {
			if n, ok := names[id]; ok {
				row.Stores = append(row.Stores, n)
			} else {
				row.Stores = append(row.Stores, id)
			}
		}
		d.Clerks = append(d.Clerks, row)
	}
	pg.Title, pg.Nav = "clerks.title", "clerks"
	p.Render(w, pg, status, "clerks", d)
	return nil
}

// inviteClerk creates the clerk and mails the one-time link where they
// choose a password.
func (p *Portal) inviteClerk(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ctx, f := r.Context(), pg.Form
	email := strings.ToLower(f.Get("email"))
	if !users.ValidEmail(email) {
		f.Fail("email", pg.T("err.email"))
	}
	if len(f.All("stores")) == 0 {
		f.Fail("stores", pg.T("clerks.err_stores"))
	}
	if !f.OK() {
		return p.renderClerks(w, r, pg, http.StatusBadRequest)
	}
	u, tok, err := p.cfg.Users.InviteClerk(ctx, users.Invite{MerchantID: pg.Merchant.ID, Email: email, StoreIDs: f.All("stores"),
		Actor: pg.User.ID, RemoteAddr: web.RemoteHost(r)})
	if e, ok := err.(*openflex.Error); ok && e.Code == openflex.CodeParameterInvalid {
		switch e.Param {
		case "email":
			f.Fail("email", pg.T("clerks.err_taken"))
		default:
			f.Fail("stores", pg.T("clerks.err_stores"))
		}
		return p.renderClerks(w, r, pg, http.StatusBadRequest)
	}
	if err != nil {
		return err
	}
	p.send(ctx, pg, u.Email, "mail.invite_subject", "mail.invite_body", p.baseURL(r)+"/portal/invite?token="+tok)
	return web.Redirect(w, r, "/portal/clerks?done=invited")
}

// removeClerk deletes the clerk: its sessions end with it.
func (p *Portal) removeClerk(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	if err := p.cfg.Users.RemoveClerk(r.Context(), pg.Merchant.ID, r.PathValue("id"), pg.User.ID, web.RemoteHost(r)); err != nil {
		return err
	}
	return web.Redirect(w, r, "/portal/clerks?done=removed")
}

// inviteForm shows the password form of an invitation; like a reset link,
// the token is spent only when the form is posted, so a mail scanner
// fetching the link does not burn it.
func (p *Portal) inviteForm(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	pg.Title = "invite.title"
	p.Render(w, pg, http.StatusOK, "invite", resetData{Token: r.URL.Query().Get("token")})
	return nil
}

// acceptInvite spends the invitation and sets the clerk's password; the
// clerk then signs in like anyone else.
func (p *Portal) acceptInvite(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	f := pg.Form
	data := resetData{Token: f.Get("token")}
	pw := f.Raw("password")
	p.checkNewPassword(pg, pw, f.Raw("confirm"))
	if !f.OK() {
		pg.Title = "invite.title"
		p.Render(w, pg, http.StatusBadRequest, "invite", data)
		return nil
	}
	u, err := p.cfg.Users.AcceptInvite(r.Context(), data.Token, pw)
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		pg.Title = "invite.title"
		p.Render(w, pg, http.StatusBadRequest, "message", web.Message{Text: pg.T("invite.bad_link")})
		return nil
	}
	if err != nil {
		return err
	}
	p.audit(r.Context(), r, u, "portal.clerk_joined", u.ID, "")
	return web.Redirect(w, r, "/portal/login?done=invite_accepted")
}
