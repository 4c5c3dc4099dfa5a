package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/openflex/openflex"
)

// OpenAPIDocument is the OpenAPI 3.1 description of API.md, served at
// /openapi.json and checked against real responses by the tests.
//
//go:embed openapi.json
var OpenAPIDocument []byte

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.WarnContext(r.Context(), "not ready", "err", err)
			return openflex.Errorf(openflex.CodeUnavailable, "a store is not answering")
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeRaw(w, http.StatusOK, s.servedOpenAPI())
	return nil
}

// servedOpenAPI is the OpenAPI document with this server's public URL as
// its one server (the embedded document names the demo's address).
func (s *Server) servedOpenAPI() []byte {
	s.openapiOnce.Do(func() {
		s.openapiDoc = s.cfg.OpenAPI
		if s.cfg.PublicURL == nil || s.cfg.PublicURL() == "" {
			return
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(s.cfg.OpenAPI, &doc); err != nil {
			return
		}
		servers, _ := json.Marshal([]map[string]string{{"url": strings.TrimRight(s.cfg.PublicURL(), "/"), "description": "this server"}})
		doc["servers"] = servers
		if b, err := json.MarshalIndent(doc, "", "  "); err == nil {
			s.openapiDoc = b
		}
	})
	return s.openapiDoc
}
