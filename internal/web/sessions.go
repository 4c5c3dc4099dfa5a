package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"net/http"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/users"
)

// Session limits: a session ends after 30 minutes without a request, and
// 12 hours after log-in however busy it is.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	// touchEvery bounds last-seen writes to about one a minute per session.
	touchEvery = time.Minute
)

// SessionCookie names the session cookie.
const SessionCookie = "openflex_session"

// NewToken returns a random token (128 bits, base32) and its SHA-256, which
// is all the database ever holds.
func NewToken() (string, []byte) {
	tok := rand.Text()
	return tok, TokenHash(tok)
}

// TokenHash is the SHA-256 under which a token is stored.
func TokenHash(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// cookie returns a site cookie: scoped to Root, out of scripts' reach,
// not sent on cross-site sub-requests, Secure under TLS.
func (p *Site) cookie(name, value string) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: Root, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: p.cfg.Secure}
}

// StartSession logs u in on a fresh session (never one the browser came
// with, so a planted cookie cannot be fixed on the victim) and sets the
// cookie.
func (p *Site) StartSession(ctx context.Context, w http.ResponseWriter, r *http.Request, u *users.User) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := p.cfg.Control.DeletePortalSession(ctx, TokenHash(c.Value)); err != nil {
			return err
		}
	}
	tok, hash := NewToken()
	csrf := make([]byte, 32)
	rand.Read(csrf)
	now := p.Now()
	s := &users.Session{Hash: hash, UserID: u.ID, CSRFSecret: csrf, Created: now, LastSeen: now, ExpiresAt: now.Add(AbsoluteTimeout)}
	if err := p.cfg.Control.CreatePortalSession(ctx, s); err != nil {
		return err
	}
	http.SetCookie(w, p.cookie(SessionCookie, tok))
	return nil
}

// loadSession returns the live session of the request and its user, or
// nil, nil when there is none. Sessions past either timeout are deleted.
func (p *Site) loadSession(ctx context.Context, w http.ResponseWriter, r *http.Request) (*users.Session, *users.User, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil, nil
	}
	s, err := p.cfg.Control.PortalSession(ctx, TokenHash(c.Value))
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		p.ClearSession(w)
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	now := p.Now()
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeen) >= IdleTimeout {
		p.ClearSession(w)
		return nil, nil, p.cfg.Control.DeletePortalSession(ctx, s.Hash)
	}
	u, err := p.cfg.Control.PortalUser(ctx, s.UserID)
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		p.ClearSession(w)
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		if err := p.cfg.Control.TouchPortalSession(ctx, s.Hash, now); err != nil {
			return nil, nil, err
		}
	}
	return s, u, nil
}

// ClearSession drops the browser's session cookie (the session row is the
// caller's to delete).
func (p *Site) ClearSession(w http.ResponseWriter) {
	c := p.cookie(SessionCookie, "")
	c.MaxAge = -1
	http.SetCookie(w, c)
}
