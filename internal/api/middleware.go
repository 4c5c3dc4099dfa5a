package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/openflex/openflex"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyPrincipal
	keyPrincipalSlot
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// statusWriter remembers the status for the access log and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serveHTTP is the outermost layer: request id, reference id, panic
// recovery, routing with JSON 404/405, access log and metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := openflex.NewID(openflex.PrefixRequest)
	w.Header().Set("Request-Id", id)
	ref := r.Header.Get("X-Reference-Id")
	if ref != "" {
		if len(ref) > 255 {
			ref = ref[:255]
		}
		w.Header().Set("X-Reference-Id", ref)
	}
	// The slot lets the access log learn who the request acted for once
	// authentication, deeper down, has found out.
	slot := new(*principal)
	r = r.WithContext(context.WithValue(context.WithValue(r.Context(), keyRequestID, id), keyPrincipalSlot, slot))
	sw := &statusWriter{ResponseWriter: w}

	h, pattern := s.mux.Handler(r)
	// The escaped path, as the mux routes: an escaped slash stays inside its
	// segment and is the handler's to judge.
	if pattern != "" && apiPath(r.URL.Path) && !canonicalPath(r.URL.EscapedPath()) {
		pattern = "" // the mux would redirect; unmatched answers 404
	}
	route := pattern
	if pattern == "" {
		route = "unmatched"
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.ErrorContext(r.Context(), "panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if sw.status == 0 {
				s.writeError(sw, r, fmt.Errorf("panic: %v", p))
			}
		}
		elapsed := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		s.metrics.observe(r.Method, route, status, elapsed)
		attrs := []slog.Attr{
			slog.String("request_id", id), slog.String("method", r.Method), slog.String("route", route),
			slog.String("path", r.URL.Path), slog.Int("status", status), slog.Int("bytes", sw.bytes),
			slog.Duration("duration", elapsed), slog.String("remote", s.clientIP(r).String()),
		}
		if ref != "" {
			attrs = append(attrs, slog.String("reference_id", ref))
		}
		if p := *slot; p != nil {
			attrs = append(attrs, slog.String("merchant", p.MerchantID), slog.String("environment", string(p.Env)))
			s.requests.add(p.MerchantID, LoggedRequest{At: start.UTC(), Environment: p.Env, Method: r.Method, Path: r.URL.Path,
				Status: status, RequestID: id, Duration: elapsed})
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	}()
	if pattern == "" {
		s.unmatched(sw, r, h)
		return
	}
	// The mux itself serves matched requests: only it sets the path values.
	s.mux.ServeHTTP(sw, r)
}

// unmatched turns the mux's plain-text 404 and 405 into the API envelope,
// keeping its Allow header.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.Header().Get("Allow"))
		s.writeError(w, r, openflex.Errorf(openflex.CodeMethodNotAllowed, "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, rec.Header().Get("Allow")))
		return
	}
	if rec.Code >= 300 && rec.Code < 400 && !apiPath(r.URL.Path) { // the mux cleaning a page's path
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		return
	}
	s.writeError(w, r, openflex.Errorf(openflex.CodeResourceMissing, "unrecognised request URL (%s %s)", r.Method, r.URL.Path))
}

// apiPath reports whether p is an API path (not a page): API clients get
// JSON errors, never redirects. A redirect of /v1/authorizations//release
// to /v1/authorizations/release would hide an empty id (and turn a POST
// into a different request), so a non-canonical API path is not found.
func apiPath(p string) bool {
	return strings.HasPrefix(p, "/v1/") || strings.HasPrefix(p, "/oauth/")
}

// canonicalPath reports whether p is already what the mux would clean it to.
func canonicalPath(p string) bool {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

// handlerFunc is a handler that returns its error; one place renders it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// retryAfter sets Retry-After in whole seconds, at least one.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
}
