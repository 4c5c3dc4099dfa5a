package portal

import (
	"context"
	"net/http"
	"slices"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/web"
	"github.com/openflex/openflex/internal/webhook"
)

// pathEnv returns the {env} of the path; anything but the two full names
// is not found.
func pathEnv(r *http.Request) (openflex.Environment, error) {
	env := openflex.Environment(r.PathValue("env"))
	if env != openflex.Training && env != openflex.Production {
		return "", openflex.NotFound("environment", string(env))
	}
	return env, nil
}

type endpointsData struct {
	Env        openflex.Environment
	Envs       []openflex.Environment
	Endpoints  []endpointView
	KeySets    []*openflex.KeySet // the environment's active key sets
	EventTypes []string
}

type endpointView struct {
	*openflex.WebhookEndpoint
	ClientID string
}

func (p *Portal) renderEndpoints(w http.ResponseWriter, r *http.Request, pg *web.Page, env openflex.Environment, status int) error {
	ctx := r.Context()
	eps, err := p.cfg.Control.WebhookEndpoints(ctx, pg.Merchant.ID, env)
	if err != nil {
		return err
	}
	all, err := p.cfg.Control.KeySets(ctx, pg.Merchant.ID)
	if err != nil {
		return err
	}
	d := endpointsData{Env: env, Envs: openflex.Environments, EventTypes: openflex.EventTypes}
	clientIDs := map[string]string{}
	for _, ks := range all {
		clientIDs[ks.ID] = ks.ClientID
		if ks.Environment == env && ks.Active() {
			d.KeySets = append(d.KeySets, ks)
		}
	}
	for _, ep := range eps {
		d.Endpoints = append(d.Endpoints, endpointView{ep, clientIDs[ep.KeySetID]})
	}
	pg.Title, pg.Nav = "webhooks.title", "webhooks"
	p.Render(w, pg, status, "webhooks", d)
	return nil
}

func (p *Portal) listEndpoints(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, err := pathEnv(r)
	if err != nil {
		return err
	}
	return p.renderEndpoints(w, r, pg, env, http.StatusOK)
}

// createEndpoint validates the endpoint against its key set (Trust URLs,
// https and public addresses in PRODUCTION) and shows its signing secret
// once.
func (p *Portal) createEndpoint(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ctx, f := r.Context(), pg.Form
	env, err := pathEnv(r)
	if err != nil {
		return err
	}
	ks, err := p.ownKeySet(ctx, pg, f.Get("key_set"))
	if err == nil && ks.Environment != env {
		err = openflex.NotFound("key set", ks.ID)
	}
	if err != nil {
		return err
	}
	if !ks.Active() {
		f.Fail("key_set", pg.T("err.revoked"))
		return p.renderEndpoints(w, r, pg, env, http.StatusBadRequest)
	}
	events := f.All("events")
	if slices.Contains(events, "*") {
		events = []string{"*"}
	}
	ep, err := webhook.NewEndpoint(ctx, p.cfg.Destinations, ks, f.Get("url"), events, p.Now())
	if openflex.ErrorCode(err) == openflex.CodeURLNotTrusted {
		f.Fail("url", pg.T("err.url_not_trusted"))
		return p.renderEndpoints(w, r, pg, env, http.StatusBadRequest)
	}
	if openflex.ErrorCode(err) == openflex.CodeDestinationNotAllowed {
		f.Fail("url", pg.T("err.webhook_destination"))
		return p.renderEndpoints(w, r, pg, env, http.StatusBadRequest)
	}
	if p.formErrors(pg, env, err, nil) {
		return p.renderEndpoints(w, r, pg, env, http.StatusBadRequest)
	}
	if err != nil {
		return err
	}
	err = p.cfg.Control.Write(ctx, func(ctx context.Context) error {
		if err := p.cfg.Control.CreateWebhookEndpoint(ctx, ep); err != nil {
			return err
		}
		return p.cfg.Control.Audit(ctx, p.entry(r, pg, "webhook_endpoint.created", ep.ID, "url="+ep.URL))
	})
	if err != nil {
		return err
	}
	pg.Title, pg.Nav = "secret.webhook_title", "webhooks"
	p.Render(w, pg, http.StatusOK, "secret", secretData{Kind: "webhook", KeySet: ks, Endpoint: ep, Secret: ep.Secret})
	return nil
}

// entry is an audit entry for the signed-in user's action.
func (p *Portal) entry(r *http.Request, pg *web.Page, action, objectID, detail string) openflex.AuditEntry {
	return openflex.AuditEntry{ID: openflex.NewID("aud"), At: p.Now(), Actor: "portal:" + pg.User.ID, Action: action,
		MerchantID: pg.User.MerchantID, ObjectID: objectID, Detail: detail, RemoteAddr: web.RemoteHost(r)}
}

type endpointData struct {
	Env        openflex.Environment
	Endpoint   *openflex.WebhookEndpoint
	Deliveries []deliveryView
	More       string // starting_after of the next page, "" on the last
}

type deliveryView struct {
	*openflex.Delivery
	EventType string
	Attempts  []*openflex.DeliveryAttempt
}

// showEndpoint lists an endpoint's recent deliveries with every attempt.
func (p *Portal) showEndpoint(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ctx := r.Context()
	env, err := pathEnv(r)
	if err != nil {
		return err
	}
	ep, err := p.cfg.Control.WebhookEndpoint(ctx, pg.Merchant.ID, env, r.PathValue("id"))
	if err != nil {
		return err
	}
	data := p.cfg.Data(env)
	dels, more, err := data.Deliveries(ctx, pg.Merchant.ID, ep.ID, openflex.ListParams{Limit: 20, StartingAfter: r.URL.Query().Get("after")})
	if err != nil {
		return err
	}
	d := endpointData{Env: env, Endpoint: ep}
	for _, del := range dels {
		v := deliveryView{Delivery: del}
		if v.Attempts, err = data.Attempts(ctx, del.ID); err != nil {
			return err
		}
		if e, err := data.Event(ctx, pg.Merchant.ID, del.EventID); err == nil {
			v.EventType = e.Type
		} else if openflex.ErrorCode(err) != openflex.CodeResourceMissing { // a scrubbed TRAINING event
			return err
		}
		d.Deliveries = append(d.Deliveries, v)
	}
	if more && len(dels) > 0 {
		d.More = dels[len(dels)-1].ID
	}
	pg.Title, pg.Nav = "webhook.title", "webhooks"
	p.Render(w, pg, http.StatusOK, "webhook", d)
	return nil
}

func (p *Portal) confirmDeleteEndpoint(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, err := pathEnv(r)
	if err != nil {
		return err
	}
	ep, err := p.cfg.Control.WebhookEndpoint(r.Context(), pg.Merchant.ID, env, r.PathValue("id"))
	if err != nil {
		return err
	}
	base := "/portal/webhooks/" + string(env) + "/" + ep.ID
	pg.Title, pg.Nav = "endpoint_delete.title", "webhooks"
	p.Render(w, pg, http.StatusOK, "confirm", confirmData{Heading: "endpoint_delete.title", Text: "endpoint_delete.text",
		Button: "endpoint_delete.button", Subject: ep.URL, Action: base + "/delete", Cancel: base})
	return nil
}

// deleteEndpoint stops deliveries to an endpoint; its log stays.
func (p *Portal) deleteEndpoint(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, err := pathEnv(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	err = p.cfg.Control.Write(r.Context(), func(ctx context.Context) error {
		if err := p.cfg.Control.DeleteWebhookEndpoint(ctx, pg.Merchant.ID, env, id, p.Now()); err != nil {
			return err
		}
		return p.cfg.Control.Audit(ctx, p.entry(r, pg, "webhook_endpoint.deleted", id, ""))
	})
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/portal/webhooks/"+string(env)+"?done=endpoint_deleted")
}

// resend queues one of the merchant's events again for the endpoint.
func (p *Portal) resend(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ctx := r.Context()
	env, err := pathEnv(r)
	if err != nil {
		return err
	}
	ep, err := p.cfg.Control.WebhookEndpoint(ctx, pg.Merchant.ID, env, r.PathValue("id"))
	if err != nil {
		return err
	}
	e, err := p.cfg.Data(env).Event(ctx, pg.Merchant.ID, pg.Form.Get("event_id"))
	if err != nil {
		return err
	}
	del, err := p.cfg.Dispatchers(env).Redeliver(ctx, e, ep.ID)
	if err != nil {
		return err
	}
	p.audit(ctx, r, pg.User, "webhook.redelivered", ep.ID, "event="+e.ID+" delivery="+del.ID)
	return web.Redirect(w, r, "/portal/webhooks/"+string(env)+"/"+ep.ID+"?done=resent")
}
