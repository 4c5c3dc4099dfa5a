package api

import (
	"net/http"
	"time"

	"github.com/openflex/openflex"
)

type storeJSON struct {
	ID                 string `json:"id"`
	Object             string `json:"object"`
	Environment        string `json:"environment"`
	Name               string `json:"name"`
	ExternalLocationID string `json:"external_location_id"`
	Province           string `json:"province"`
	TimeZone           string `json:"time_zone"`
	Status             string `json:"status"`
	Created            string `json:"created"`
}

// storeOut renders a store. Stores are the merchant's physical locations,
// one set for both environments, so they say "shared" where environment
// objects name theirs.
func storeOut(st *openflex.Store) storeJSON {
	return storeJSON{ID: st.ID, Object: "store", Environment: "shared", Name: st.Name, ExternalLocationID: st.ExternalLocationID,
		Province: string(st.Province), TimeZone: st.TimeZone, Status: string(st.Status), Created: rfc3339(st.Created)}
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) listStores(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	lp, err := listParams(r)
	if err != nil {
		return err
	}
	stores, more, err := s.cfg.Control.Stores(r.Context(), p.MerchantID, lp)
	if err != nil {
		return err
	}
	out := make([]storeJSON, len(stores))
	for i := range stores {
		out[i] = storeOut(&stores[i])
	}
	writeJSON(w, http.StatusOK, list(out, more))
	return nil
}

func (s *Server) getStore(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	st, err := s.cfg.Control.Store(r.Context(), p.MerchantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, storeOut(st))
	return nil
}
