package customer

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"time"

	"github.com/openflex/openflex"
)

// Session limits of the customer's pages: shorter than staff's, as a
// customer may sign in on a shared or public device.
const (
	IdleTimeout     = 10 * time.Minute
	AbsoluteTimeout = 2 * time.Hour
	// PendingTimeout bounds the step between the date of birth and the code.
	PendingTimeout = 10 * time.Minute
)

// Session states.
const (
	SessionPending = "pending"
	SessionActive  = "active"
)

// Session is a customer's session on their pages.
type Session struct {
	Hash           []byte
	AccountNumber  string
	State          string
	VerificationID string
	CSRFSecret     []byte
	Language       string
	Created        time.Time
	LastSeen       time.Time
	ExpiresAt      time.Time
}

// CSRF is the token a form of the session carries for action.
func (s *Session) CSRF(action string) string {
	m := hmac.New(sha256.New, s.CSRFSecret)
	m.Write([]byte(action))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether tok is the session's token for action.
func (s *Session) CheckCSRF(action, tok string) bool {
	return subtle.ConstantTimeCompare([]byte(s.CSRF(action)), []byte(tok)) == 1
}

// SessionStore keeps customers' sessions.
type SessionStore interface {
	CreateCustomerSession(ctx context.Context, s *Session) error
	CustomerSession(ctx context.Context, hash []byte) (*Session, error)
	UpdateCustomerSession(ctx context.Context, s *Session) error
	DeleteCustomerSession(ctx context.Context, hash []byte) error
}

// Verifier sends and checks one-time codes (the credit service's
// verifications, with their limits).
type Verifier interface {
	StartVerification(ctx context.Context, merchantID, budgetKey, number, channel string) (*openflex.Verification, error)
	CheckVerification(ctx context.Context, merchantID, id, code, accountNumber string) error
}

// VerifierID is the "merchant" under which customers' own sign-in codes
// are counted: the customer's pages get their own share of an account's
// daily codes, as one merchant does.
const VerifierID = "customer_pages"

// Identity reads what sign-in compares.
type Identity interface {
	Account(ctx context.Context, number string) (*openflex.Account, error)
	Customer(ctx context.Context, id string) (*openflex.Customer, error)
}

// SignIn runs the customer's two-step sign-in.
type SignIn struct {
	Store    SessionStore
	Identity Identity
	Verifier Verifier
	Now      func() time.Time
}

func (s *SignIn) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// errNoMatch is the one answer for an unknown account or a wrong date of
// birth: nothing tells which.
func errNoMatch() error {
	return &openflex.Error{Code: openflex.CodeVerifyFailed, Param: "account_number",
		Message: "the account number and date of birth do not match an account"}
}

// Start checks the account number and date of birth and sends a one-time
// code by channel (sms or email) to what the account has on file. It
// returns the pending session's token (set as the cookie) and where the
// code went (masked). source is the client's address: its budget of codes
// throttles one address trying many accounts.
//
// Errors: verification_failed (no match, without saying which part),
// rate_limited, parameter_invalid.
func (s *SignIn) Start(ctx context.Context, number, dob, channel, lang, source string) (string, *openflex.Verification, error) {
	number = strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(number), " ", ""), "-", "")
	if !openflex.ValidAccountNumber(number) {
		return "", nil, errNoMatch()
	}
	acct, err := s.Identity.Account(ctx, number)
	// A closed, charged-off or frozen account still signs in: its customer
	// may owe and must be able to read statements (kept after closing) and
	// pay; the pages refuse what such an account may no longer do.
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		return "", nil, errNoMatch()
	}
	if err != nil {
		return "", nil, err
	}
	cust, err := s.Identity.Customer(ctx, acct.CustomerID)
	if err != nil {
		return "", nil, err
	}
	if subtle.ConstantTimeCompare([]byte(cust.Applicant.DateOfBirth), []byte(strings.TrimSpace(dob))) != 1 {
		return "", nil, errNoMatch()
	}
	v, err := s.Verifier.StartVerification(ctx, VerifierID, "customer:"+source, number, channel)
	if err != nil {
		return "", nil, err
	}
	tok, hash := newToken()
	csrf := make([]byte, 32)
	rand.Read(csrf)
	now := s.now()
	if lang != "fr" {
		lang = "en"
	}
	sess := &Session{Hash: hash, AccountNumber: number, State: SessionPending, VerificationID: v.ID, CSRFSecret: csrf,
		Language: lang, Created: now, LastSeen: now, ExpiresAt: now.Add(PendingTimeout)}
	if err := s.Store.CreateCustomerSession(ctx, sess); err != nil {
		return "", nil, err
	}
	return tok, v, nil
}

// Verify checks the code of a pending session and makes it active.
//
// Errors: verification_failed, rate_limited.
func (s *SignIn) Verify(ctx context.Context, sess *Session, code string) error {
	if sess.State != SessionPending {
		return &openflex.Error{Code: openflex.CodeVerifyFailed, Message: "this session is not waiting for a code"}
	}
	if err := s.Verifier.CheckVerification(ctx, VerifierID, sess.VerificationID, strings.TrimSpace(code), sess.AccountNumber); err != nil {
		return err
	}
	now := s.now()
	sess.State, sess.LastSeen, sess.ExpiresAt = SessionActive, now, now.Add(AbsoluteTimeout)
	return s.Store.UpdateCustomerSession(ctx, sess)
}

// Session returns the live session of a token, or nil: a session past its
// idle or absolute timeout is deleted.
func (s *SignIn) Session(ctx context.Context, tok string) (*Session, error) {
	if tok == "" {
		return nil, nil
	}
	sess, err := s.Store.CustomerSession(ctx, TokenHash(tok))
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeen) >= IdleTimeout {
		return nil, s.Store.DeleteCustomerSession(ctx, sess.Hash)
	}
	if now.Sub(sess.LastSeen) >= time.Minute {
		sess.LastSeen = now
		if err := s.Store.UpdateCustomerSession(ctx, sess); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

// SignOut ends a session.
func (s *SignIn) SignOut(ctx context.Context, sess *Session) error {
	return s.Store.DeleteCustomerSession(ctx, sess.Hash)
}

func newToken() (string, []byte) {
	tok := rand.Text()
	return tok, TokenHash(tok)
}

// TokenHash is the SHA-256 under which a session token is kept.
func TokenHash(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}
