package api

import (
	"context"
	_ "embed"
	"net/http"
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
	writeRaw(w, http.StatusOK, s.cfg.OpenAPI)
	return nil
}
