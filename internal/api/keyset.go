package api

import (
	"context"
	"net/http"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
)

// keySetJSON is the calling key set: what a deployment script may read and
// replace (its Trust URLs and IPs), never its secrets.
type keySetJSON struct {
	ID          string   `json:"id"`
	Object      string   `json:"object"`
	Environment string   `json:"environment"`
	Name        string   `json:"name"`
	ClientID    string   `json:"client_id"`
	TrustURLs   []string `json:"trust_urls"`
	TrustIPs    []string `json:"trust_ips"`
	Created     string   `json:"created"`
}

func keySetOut(ks *openflex.KeySet) keySetJSON {
	out := keySetJSON{ID: ks.ID, Object: "key_set", Environment: string(ks.Environment), Name: ks.Name, ClientID: ks.ClientID,
		TrustURLs: ks.TrustURLs, TrustIPs: ks.TrustIPs, Created: rfc3339(ks.Created)}
	if out.TrustURLs == nil {
		out.TrustURLs = []string{}
	}
	if out.TrustIPs == nil {
		out.TrustIPs = []string{}
	}
	return out
}

// getKeySet is GET /v1/key_set: the key set the request authenticated with.
func (s *Server) getKeySet(w http.ResponseWriter, r *http.Request) error {
	ks, err := s.cfg.Keys.KeySet(r.Context(), principalOf(r.Context()).KeySet.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keySetOut(ks))
	return nil
}

// replaceKeySetTrust is POST /v1/key_set/trust: both lists replaced as
// given, audited under the key set's Client ID.
func (s *Server) replaceKeySetTrust(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	var in struct {
		TrustURLs *[]string `json:"trust_urls"`
		TrustIPs  *[]string `json:"trust_ips"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	var probs openflex.Problems
	if in.TrustURLs == nil {
		probs.Missing("trust_urls")
	}
	if in.TrustIPs == nil {
		probs.Missing("trust_ips")
	}
	if err := probs.Err(); err != nil {
		return err
	}
	from := s.clientIP(r)
	by := keys.Actor{Name: "api:" + p.KeySet.ClientID, RemoteAddr: from.String()}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		ks, err := s.cfg.Keys.SetOwnTrust(ctx, p.KeySet.ID, *in.TrustURLs, *in.TrustIPs, from, by)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, keySetOut(ks), nil
	}})
}
