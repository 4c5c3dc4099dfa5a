// Package users is the domain of the people who sign in to the web rooms
// (merchant developers, store clerks, lender staff): creating them,
// checking their passwords with a lock-out per (account, source address),
// and the accounts the command line bootstraps. The rooms and the CLI call
// it; it speaks neither HTTP nor SQL.
package users

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/merchant"
)

// Lock-out: the fifth wrong password in a row from one source address
// locks the account for that address for 15 minutes (a password reset
// lifts it sooner). Other addresses are not affected, so nobody can lock
// someone else out by guessing from afar.
const (
	MaxFailedLogins = 5
	LockoutDuration = 15 * time.Minute
)

// Store is the control-plane storage users need. Write runs fn in one
// transaction the other calls join.
type Store interface {
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	Merchant(ctx context.Context, id string) (*openflex.Merchant, error)
	Audit(ctx context.Context, e openflex.AuditEntry) error
	CreatePortalUser(ctx context.Context, u *User) error
	PortalUser(ctx context.Context, id string) (*User, error)
	PortalUserByEmail(ctx context.Context, email string) (*User, error)
	SetPortalPassword(ctx context.Context, userID, hash string) error
	VerifyPortalEmail(ctx context.Context, userID string, at time.Time) error
	CreateEmailToken(ctx context.Context, t *EmailToken) error
	UseEmailToken(ctx context.Context, hash []byte, purpose Purpose, at time.Time) (*EmailToken, error)
	SpendEmailTokens(ctx context.Context, userID string, purpose Purpose, at time.Time) error
	DeletePortalSessions(ctx context.Context, userID string) error
	KeySets(ctx context.Context, merchantID string) ([]*openflex.KeySet, error)
	Store(ctx context.Context, merchantID, id string) (*openflex.Store, error)
	SetPortalUserStores(ctx context.Context, userID string, storeIDs []string) error
	PortalUsersWithRole(ctx context.Context, merchantID string, role Role) ([]*User, error)
	DeletePortalUser(ctx context.Context, id string) error
	// PortalLoginLocked reports whether addr is locked out of the user at now.
	PortalLoginLocked(ctx context.Context, userID, addr string, now time.Time) (bool, error)
	// PortalLoginFailed counts a wrong password from addr and, at the
	// limit-th in a row, locks addr out until lockUntil (reporting true).
	PortalLoginFailed(ctx context.Context, userID, addr string, limit int, lockUntil time.Time) (bool, error)
	// PortalLoginSucceeded forgets addr's failures.
	PortalLoginSucceeded(ctx context.Context, userID, addr string) error
}

// Config is what the service is built from.
type Config struct {
	Store Store
	// Merchants creates a signing-up merchant; Keys its first TRAINING key
	// set (sign-up and verification need them; bootstrap and log-in do not).
	Merchants *merchant.Service
	Keys      *keys.Service
	Now       func() time.Time
}

// Service is the users domain service.
type Service struct {
	store     Store
	merchants *merchant.Service
	keys      *keys.Service
	now       func() time.Time
	// hashing bounds concurrent argon2id runs (19 MiB each), so a burst of
	// log-ins cannot exhaust memory.
	hashing chan struct{}
}

// New returns the service (cfg.Now nil is time.Now).
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{store: cfg.Store, merchants: cfg.Merchants, keys: cfg.Keys, now: cfg.Now, hashing: make(chan struct{}, hashSlots())}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Log-in outcomes other than success. The web answers the first two
// alike, so a log-in form tells no one which emails have an account, nor
// which accounts are locked.
var (
	ErrLogInFailed = &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "password", Message: "the email or password is incorrect, or this address is locked out"}
	ErrUnverified  = &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "email", Message: "the email address is not confirmed yet"}
)

// LogInResult is what a log-in attempt found.
type LogInResult struct {
	// User is the user signed in, or the unverified user (ErrUnverified).
	User *User
	// Locked reports whether this attempt locked addr out.
	Locked bool
}

// LogIn checks email and password from source address addr. It takes as
// long for an unknown email as for a known one, counts a wrong password
// against (user, addr) only, and refuses a locked (user, addr) even with
// the right password. Errors: ErrLogInFailed, ErrUnverified.
func (s *Service) LogIn(ctx context.Context, email, password, addr string) (LogInResult, error) {
	now := s.clock()
	u, err := s.store.PortalUserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		if _, err := s.CheckPassword(ctx, dummyHash, password); err != nil {
			return LogInResult{}, err
		}
		return LogInResult{}, ErrLogInFailed
	}
	if err != nil {
		return LogInResult{}, err
	}
	ok, err := s.CheckPassword(ctx, u.PasswordHash, password)
	if err != nil {
		return LogInResult{}, err
	}
	locked, err := s.store.PortalLoginLocked(ctx, u.ID, addr, now)
	if err != nil {
		return LogInResult{}, err
	}
	if locked {
		return LogInResult{}, ErrLogInFailed
	}
	if !ok {
		var res LogInResult
		err := s.store.Write(ctx, func(ctx context.Context) error {
			var err error
			if res.Locked, err = s.store.PortalLoginFailed(ctx, u.ID, addr, MaxFailedLogins, now.Add(LockoutDuration)); err != nil || !res.Locked {
				return err
			}
			res.User = u
			return s.store.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: now, Actor: "portal:" + u.ID, Action: "portal.user_locked",
				MerchantID: u.MerchantID, ObjectID: u.ID, Detail: "address=" + addr, RemoteAddr: addr})
		})
		if err != nil {
			return LogInResult{}, err
		}
		return res, ErrLogInFailed
	}
	if !u.Verified() {
		return LogInResult{User: u}, ErrUnverified
	}
	if err := s.store.PortalLoginSucceeded(ctx, u.ID, addr); err != nil {
		return LogInResult{}, err
	}
	return LogInResult{User: u}, nil
}

// Bootstrap creates a verified user for an existing merchant, for
// `openflex merchant create`; with merchantID "" and RoleAdmin, a lender
// staff account (`openflex admin create`). The user and its audit entry
// commit together. Errors: parameter_invalid for a bad email, an email
// already taken or a password outside MinPasswordLen..MaxPasswordLen;
// resource_missing for an unknown merchant.
func (s *Service) Bootstrap(ctx context.Context, email, password, merchantID string, role Role) (*User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var probs openflex.Problems
	if !ValidEmail(email) {
		probs.Invalid("email", "email must be an address such as dev@shop.example")
	}
	if utf8.RuneCountInString(password) < MinPasswordLen || len(password) > MaxPasswordLen {
		probs.Invalid("password", "password must be %d to %d characters", MinPasswordLen, MaxPasswordLen)
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	hash, err := s.HashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	u := &User{ID: openflex.NewID(openflex.PrefixUser), MerchantID: merchantID, Role: role, Email: email,
		PasswordHash: hash, EmailVerifiedAt: now, Created: now}
	err = s.store.Write(ctx, func(ctx context.Context) error {
		if merchantID != "" {
			if _, err := s.store.Merchant(ctx, merchantID); err != nil {
				return err
			}
		}
		if err := s.store.CreatePortalUser(ctx, u); err != nil {
			return err
		}
		return s.store.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: now, Actor: "cli", Action: "portal.user_created",
			MerchantID: merchantID, ObjectID: u.ID, Detail: fmt.Sprintf("role=%s email=%s", role, email)})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// BootstrapAdmin creates a verified lender staff account; errors as
// Bootstrap.
func (s *Service) BootstrapAdmin(ctx context.Context, email, password string) error {
	_, err := s.Bootstrap(ctx, email, password, "", RoleAdmin)
	return err
}

// BootstrapStaff creates a verified lender staff account of role, an
// administrator or an agent (`openflex admin create --role agent`).
// Errors as Bootstrap; parameter_invalid for a role that is not staff.
func (s *Service) BootstrapStaff(ctx context.Context, email, password string, role Role) (*User, error) {
	if !role.Staff() {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "role", Message: "role must be admin or agent"}
	}
	return s.Bootstrap(ctx, email, password, "", role)
}

// ValidEmail reports whether email is one plain address of at most 254
// characters.
func ValidEmail(email string) bool {
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email && len(email) <= 254
}
