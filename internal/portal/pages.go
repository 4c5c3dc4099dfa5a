package portal

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"
)

type overviewData struct {
	Envs []envOverview
	// GoLive is the latest go-live request, nil when none was made.
	GoLive *users.GoLiveRequest
}

type envOverview struct {
	Env       openflex.Environment
	Enabled   bool
	KeySets   []*openflex.KeySet
	Active    int
	LastUsed  time.Time
	Endpoints int
}

// overview shows both environments side by side: key sets, their last
// use, webhook endpoints, and where go-live stands.
func (p *Portal) overview(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ctx := r.Context()
	envs, err := p.byEnvironment(ctx, pg.Merchant.ID)
	if err != nil {
		return err
	}
	var d overviewData
	for _, e := range envs {
		o := envOverview{Env: e.Env, KeySets: e.KeySets, Enabled: e.Env == openflex.Training || pg.Merchant.LiveApproved}
		for _, ks := range e.KeySets {
			if ks.Active() {
				o.Active++
			}
			if ks.LastUsedAt.After(o.LastUsed) {
				o.LastUsed = ks.LastUsedAt
			}
		}
		eps, err := p.cfg.Control.WebhookEndpoints(ctx, pg.Merchant.ID, e.Env)
		if err != nil {
			return err
		}
		o.Endpoints = len(eps)
		d.Envs = append(d.Envs, o)
	}
	reqs, err := p.cfg.Control.GoLiveRequests(ctx, pg.Merchant.ID, 1)
	if err != nil {
		return err
	}
	if len(reqs) > 0 {
		d.GoLive = reqs[0]
	}
	pg.Title, pg.Nav = "overview.title", "overview"
	p.Render(w, pg, http.StatusOK, "overview", d)
	return nil
}

type storesData struct {
	Stores []openflex.Store
	More   string
}

func (p *Portal) listStores(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	stores, more, err := p.cfg.Control.Stores(r.Context(), pg.Merchant.ID, openflex.ListParams{Limit: 50, StartingAfter: r.URL.Query().Get("after")})
	if err != nil {
		return err
	}
	d := storesData{Stores: stores}
	if more && len(stores) > 0 {
		d.More = stores[len(stores)-1].ID
	}
	pg.Title, pg.Nav = "stores.title", "stores"
	p.Render(w, pg, http.StatusOK, "stores", d)
	return nil
}

func (p *Portal) auditLog(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	entries, err := p.cfg.Control.AuditLog(r.Context(), pg.Merchant.ID, 200)
	if err != nil {
		return err
	}
	// Who did it, by name: "portal:usr_…" is the merchant's own user
	// (their email), "admin:usr_…" and "agent:usr_…" the lender's staff
	// (said so, with the staff member's email), anything else (cli, api:ofk_…) as recorded.
	names := map[string]string{}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		who, ok := names[e.Actor]
		if !ok {
			who = e.Actor
			if kind, id, found := strings.Cut(e.Actor, ":"); found && (kind == "portal" || kind == "admin" || kind == "agent") {
				if u, err := p.cfg.Control.PortalUser(r.Context(), id); err == nil {
					who = u.Email
					if kind != "portal" {
						who = pg.T("audit.lender_staff", u.Email)
					}
				}
			}
			names[e.Actor] = who
		}
		rows[i] = auditRow{AuditEntry: e, Who: who}
	}
	pg.Title, pg.Nav = "audit.title", "audit"
	p.Render(w, pg, http.StatusOK, "audit", rows)
	return nil
}

// auditRow is an audit entry with its actor's name.
type auditRow struct {
	openflex.AuditEntry
	Who string
}

type goLiveData struct {
	Requests []*users.GoLiveRequest
	Pending  bool
}

func (p *Portal) renderGoLive(w http.ResponseWriter, r *http.Request, pg *web.Page, status int) error {
	reqs, err := p.cfg.Control.GoLiveRequests(r.Context(), pg.Merchant.ID, 20)
	if err != nil {
		return err
	}
	d := goLiveData{Requests: reqs}
	for _, q := range reqs {
		d.Pending = d.Pending || q.Status == users.GoLivePending
	}
	pg.Title, pg.Nav = "golive.title", "golive"
	p.Render(w, pg, status, "golive", d)
	return nil
}

func (p *Portal) goLive(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	return p.renderGoLive(w, r, pg, http.StatusOK)
}

// requestGoLive asks the lender for PRODUCTION access; the admin console
// decides.
func (p *Portal) requestGoLive(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	f := pg.Form
	note := f.Get("note")
	switch {
	case pg.Merchant.LiveApproved:
		f.Fail("note", pg.T("golive.already_approved"))
	case utf8.RuneCountInString(note) > 2000:
		f.Fail("note", pg.T("err.note_long"))
	}
	if !f.OK() {
		return p.renderGoLive(w, r, pg, http.StatusBadRequest)
	}
	req := &users.GoLiveRequest{ID: openflex.NewID(users.PrefixGoLive), MerchantID: pg.Merchant.ID, Status: users.GoLivePending,
		Note: note, Created: p.Now()}
	err := p.cfg.Control.Write(r.Context(), func(ctx context.Context) error {
		if err := p.cfg.Control.CreateGoLiveRequest(ctx, req); err != nil {
			return err
		}
		return p.cfg.Control.Audit(ctx, p.entry(r, pg, "go_live.requested", req.ID, ""))
	})
	if e := (*openflex.Error)(nil); errors.As(err, &e) && e.Code == openflex.CodeParameterInvalid {
		f.Fail("note", pg.T("golive.already_pending"))
		return p.renderGoLive(w, r, pg, http.StatusBadRequest)
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/portal/go-live?done=go_live_requested")
}

// inbox lists what TRAINING would have sent shoppers (verification codes
// and notices), so merchants can test flows without real phones.
func (p *Portal) inbox(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	msgs, err := p.cfg.Data(openflex.Training).Messages(r.Context(), pg.Merchant.ID, 50)
	if err != nil {
		return err
	}
	pg.Title, pg.Nav = "inbox.title", "inbox"
	p.Render(w, pg, http.StatusOK, "inbox", msgs)
	return nil
}
