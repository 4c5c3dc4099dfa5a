package api

import (
	"encoding/json"
	"net/http"

	"github.com/openflex/openflex"
)

type eventJSON struct {
	ID          string `json:"id"`
	Object      string `json:"object"`
	Environment string `json:"environment"`
	Created     string `json:"created"`
	Type        string `json:"type"`
	Data        struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

func eventOut(env openflex.Environment, e *openflex.Event) eventJSON {
	out := eventJSON{ID: e.ID, Object: "event", Environment: string(env), Created: rfc3339(e.Created), Type: e.Type}
	out.Data.Object = e.Object
	return out
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	lp, err := listParams(r)
	if err != nil {
		return err
	}
	evs, more, err := p.Data.Events(r.Context(), p.MerchantID, r.URL.Query().Get("type"), lp)
	if err != nil {
		return err
	}
	out := make([]eventJSON, len(evs))
	for i, e := range evs {
		out[i] = eventOut(p.Env, e)
	}
	writeJSON(w, http.StatusOK, list(out, more))
	return nil
}
