package console

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/users"
	"github.com/openflex/openflex/internal/web"
)

// The admin console is for the lender's staff: merchants and go-live
// decisions. Reviewing pending credit applications belongs here too but
// is not built yet.

type adminData struct {
	Pending   []pendingView
	Merchants []openflex.Merchant
	More      string
	// HasPlans reports whether the Plans pages are served.
	HasPlans bool
}

type pendingView struct {
	*users.GoLiveRequest
	Merchant *openflex.Merchant
}

func (p *Console) adminHome(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ctx := r.Context()
	reqs, err := p.cfg.Control.GoLiveRequestsByStatus(ctx, users.GoLivePending, 100)
	if err != nil {
		return err
	}
	var d adminData
	_, d.HasPlans = p.planFees()
	for _, q := range reqs {
		m, err := p.cfg.Control.Merchant(ctx, q.MerchantID)
		if err != nil {
			return err
		}
		d.Pending = append(d.Pending, pendingView{q, m})
	}
	var more bool
	if d.Merchants, more, err = p.cfg.Control.ListMerchants(ctx, openflex.ListParams{Limit: 50, StartingAfter: r.URL.Query().Get("after")}); err != nil {
		return err
	}
	if more && len(d.Merchants) > 0 {
		d.More = d.Merchants[len(d.Merchants)-1].ID
	}
	pg.Title, pg.Nav = "admin.title", "admin"
	p.Render(w, pg, http.StatusOK, "admin", d)
	return nil
}

// approveGoLive approves the request and the merchant's go-live together:
// PRODUCTION key sets are allowed from this commit on.
func (p *Console) approveGoLive(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	return p.decide(w, r, pg, users.GoLiveApproved)
}

func (p *Console) rejectGoLive(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	return p.decide(w, r, pg, users.GoLiveRejected)
}

func (p *Console) decide(w http.ResponseWriter, r *http.Request, pg *web.Page, status users.GoLiveStatus) error {
	note := pg.Form.Get("note")
	if utf8.RuneCountInString(note) > 2000 {
		return openflex.Errorf(openflex.CodeParameterInvalid, "%s", pg.T("err.note_long"))
	}
	by := "admin:" + pg.User.ID
	now := p.Now()
	err := p.cfg.Control.Write(r.Context(), func(ctx context.Context) error {
		req, err := p.cfg.Control.GoLiveRequest(ctx, r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := p.cfg.Control.DecideGoLiveRequest(ctx, req.ID, status, by, note, now); err != nil {
			return err
		}
		if status == users.GoLiveApproved {
			return p.cfg.Merchants.Approve(ctx, req.MerchantID, by) // audits merchant.go_live_approved
		}
		return p.cfg.Control.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: now, Actor: by, Action: "go_live.rejected",
			MerchantID: req.MerchantID, ObjectID: req.ID, Detail: note, RemoteAddr: web.RemoteHost(r)})
	})
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/portal/admin?done=go_live_"+string(status))
}
