package api

import (
	"context"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/ratelimit"
)

// principal is who a /v1 request acts for: one merchant, through one key
// set, in one environment, with that environment's data plane and no other.
type principal struct {
	MerchantID string
	KeySet     *openflex.KeySet
	Env        openflex.Environment
	Data       DataPlane
}

func principalOf(ctx context.Context) *principal {
	p, _ := ctx.Value(keyPrincipal).(*principal)
	return p
}

// Failed client authentications allowed per (client id, source address),
// and per source address over every client id (which stops one address
// spraying guesses across many client ids). Neither is per client id
// alone: client ids are not secret, and a throttle anyone can trip for a
// client id would let anyone lock its merchant out.
const (
	failureRate    = 10.0 / 60 // per second
	failureBurst   = 10
	ipFailureRate  = 30.0 / 60
	ipFailureBurst = 30
)

// clientIP is the peer address, or the nearest untrusted hop of
// X-Forwarded-For when the peer is a trusted proxy.
func (s *Server) clientIP(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	var peer netip.Addr
	if err == nil {
		peer = ap.Addr().Unmap()
	} else if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		peer, _ = netip.ParseAddr(host)
	}
	if !s.trustedProxy(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer
		}
		a = a.Unmap()
		if !s.trustedProxy(a) {
			return a
		}
		peer = a
	}
	return peer
}

// ClientIP is the request's source address as the API sees it (the
// portal's per-address limits use it too).
func (s *Server) ClientIP(r *http.Request) netip.Addr { return s.clientIP(r) }

func (s *Server) trustedProxy(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// tokenError is an RFC 6749 §5.2 error body.
func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// token is POST /oauth/token: RFC 6749 §4.4, client credentials.
func (s *Server) token(w http.ResponseWriter, r *http.Request) error {
	ip := s.clientIP(r)
	if r.URL.RawQuery != "" {
		tokenError(w, 400, "invalid_request", "parameters must be sent form-encoded in the body, never in the query string")
		return nil
	}
	body, err := readBody(r)
	if err != nil {
		tokenError(w, 400, "invalid_request", "the body could not be read or is larger than 1 MiB")
		return nil
	}
	// An empty body has no content type to get wrong: what it lacks is
	// grant_type, which the switch below names.
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" && len(body) > 0 {
		tokenError(w, 400, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		tokenError(w, 400, "invalid_request", "the body is not valid form encoding")
		return nil
	}
	for k, v := range form {
		if len(v) > 1 {
			tokenError(w, 400, "invalid_request", "parameter "+k+" is repeated")
			return nil
		}
	}
	basicID, basicSecret, hasBasic := r.BasicAuth()
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	switch {
	case form.Get("grant_type") == "":
		tokenError(w, 400, "invalid_request", "grant_type is required")
		return nil
	case form.Get("grant_type") != "client_credentials":
		tokenError(w, 400, "unsupported_grant_type", "only grant_type=client_credentials is supported")
		return nil
	case hasBasic && formSecret != "":
		tokenError(w, 400, "invalid_request", "authenticate the client with HTTP Basic or with form fields, not both")
		return nil
	}
	clientID, secret := formID, formSecret
	if hasBasic {
		// RFC 6749 §2.3.1: Basic credentials are form-encoded first.
		clientID, _ = url.QueryUnescape(basicID)
		secret, _ = url.QueryUnescape(basicSecret)
	}
	if clientID == "" || secret == "" {
		if !hasBasic {
			w.Header().Set("WWW-Authenticate", `Basic realm="OpenFlex"`)
		}
		tokenError(w, 401, "invalid_client", "client authentication is required")
		return nil
	}
	if wait, blocked := s.throttled(clientID, ip); blocked {
		retryAfter(w, wait)
		tokenError(w, 429, "rate_limited", "too many failed authentication attempts; try again "+openflex.RetryIn(wait, "en"))
		return nil
	}
	ks, sec, err := s.cfg.Keys.AuthenticateFrom(r.Context(), clientID, secret, ip)
	switch openflex.ErrorCode(err) {
	case "":
	case openflex.CodeInvalidClient:
		s.failed(clientID, ip)
		if hasBasic {
			w.Header().Set("WWW-Authenticate", `Basic realm="OpenFlex"`)
		}
		tokenError(w, 401, "invalid_client", "client authentication failed")
		return nil
	case openflex.CodeIPNotTrusted:
		// Refused before the secret was compared: not a failed guess, so
		// it counts against nobody.
		tokenError(w, 403, "access_denied", "this IP address is not a Trust IP of the key set")
		return nil
	default:
		return err
	}
	tok, exp, err := s.cfg.Keys.IssueToken(r.Context(), ks, sec)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: tok, TokenType: "bearer", ExpiresIn: int(exp.Sub(s.cfg.Now()).Round(time.Second).Seconds()),
		Scope: "merchant", Environment: string(ks.Environment),
	})
	return nil
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Environment string `json:"environment"`
}

// throttled reports whether this source address has failed too often, for
// this client id or for all of them. Another address's failures never
// count here.
func (s *Server) throttled(clientID string, ip netip.Addr) (time.Duration, bool) {
	if b, wait := s.failedPairs.Blocked(pairKey(clientID, ip)); b {
		return wait, true
	}
	if b, wait := s.failedAddrs.Blocked(ratelimit.AddrKey(ip)); b {
		return wait, true
	}
	return 0, false
}

func (s *Server) failed(clientID string, ip netip.Addr) {
	s.failedPairs.Allow(pairKey(clientID, ip))
	s.failedAddrs.Allow(ratelimit.AddrKey(ip))
}

// pairKey is the throttle key of one client id from one source address. A
// client id longer than any real one is cut, so a key's size is bounded.
func pairKey(clientID string, ip netip.Addr) string {
	if len(clientID) > 64 {
		clientID = clientID[:64]
	}
	return ratelimit.AddrKey(ip) + " " + clientID
}

// authed wraps a /v1 handler: authenticate (Bearer token, or Basic with the
// client id and secret for scripts), enforce the key set's Trust IPs and
// rate limit, then hand the handler its environment's data plane.
func (s *Server) authed(fn handlerFunc) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		ks, err := s.authenticate(w, r)
		if err != nil {
			return err
		}
		if !keys.IPAllowed(ks.TrustIPs, s.clientIP(r)) {
			return openflex.Errorf(openflex.CodeIPNotTrusted, "this IP address is not a Trust IP of the key set")
		}
		if lim := s.rate[ks.Environment]; lim != nil {
			if ok, wait := lim.Allow(ks.ID); !ok {
				return &openflex.Error{Code: openflex.CodeRateLimited, RetryAfter: wait,
					Message: "too many requests for this key set; try again " + openflex.RetryIn(wait, "en")}
			}
		}
		p := &principal{MerchantID: ks.MerchantID, KeySet: ks, Env: ks.Environment, Data: s.cfg.Data(ks.Environment)}
		if slot, ok := r.Context().Value(keyPrincipalSlot).(**principal); ok {
			*slot = p
		}
		if err := s.checkRequest(r); err != nil {
			return err
		}
		return fn(w, r.WithContext(context.WithValue(r.Context(), keyPrincipal, p)))
	})
}

func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*openflex.KeySet, error) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "bearer":
		return s.cfg.Keys.CheckToken(r.Context(), strings.TrimSpace(cred))
	case "basic":
		id, secret, _ := r.BasicAuth()
		ip := s.clientIP(r)
		if wait, blocked := s.throttled(id, ip); blocked {
			retryAfter(w, wait)
			return nil, openflex.Errorf(openflex.CodeRateLimited, "too many failed authentication attempts; retry later")
		}
		ks, _, err := s.cfg.Keys.AuthenticateFrom(r.Context(), id, secret, ip)
		if openflex.ErrorCode(err) == openflex.CodeInvalidClient {
			s.failed(id, ip)
		}
		return ks, err
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="OpenFlex"`)
	return nil, openflex.Errorf(openflex.CodeInvalidToken,
		"send Authorization: Bearer <access token> (from POST /oauth/token), or Basic with your Client ID and Client Secret")
}
