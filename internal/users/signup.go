package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/merchant"
)

// Email links live long enough to be read, short enough to go stale.
const (
	VerifyTTL = 48 * time.Hour
	ResetTTL  = time.Hour
)

// NewToken returns a random email token (128 bits, base32) and the SHA-256
// the store keeps; the token itself only travels in the email.
func NewToken() (string, []byte) {
	tok := rand.Text()
	return tok, TokenHash(tok)
}

// TokenHash is the SHA-256 under which a token is stored.
func TokenHash(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// SignUp is a merchant developer's sign-up: a merchant with its first
// store, and its first user.
type SignUp struct {
	Company  string
	Email    string
	Province openflex.Province
	Password string
	// RemoteAddr is the source address, for the audit log.
	RemoteAddr string
}

// SignUpResult is what a sign-up did. Taken reports that the email already
// had an account: nothing was created (the caller answers the same way,
// and tells the owner).
type SignUpResult struct {
	User *User
	// VerifyToken is the email link's token (empty when Taken).
	VerifyToken string
	Taken       bool
}

// SignUp creates the merchant, its first store, the user and the
// verification token in one transaction, after the same password hashing
// whether or not the email is taken. Errors: parameter_invalid naming the
// field.
func (s *Service) SignUp(ctx context.Context, req SignUp) (SignUpResult, error) {
	var res SignUpResult
	email := strings.ToLower(strings.TrimSpace(req.Email))
	var probs openflex.Problems
	if req.Company == "" || utf8.RuneCountInString(req.Company) > 200 {
		probs.Invalid("company", "company must be 1 to 200 characters")
	}
	if !ValidEmail(email) {
		probs.Invalid("email", "email must be an address such as dev@shop.example")
	}
	if !req.Province.Valid() {
		probs.Invalid("province", "province must be a Canadian province or territory code")
	}
	if PasswordProblem(req.Password, req.Password) != "" {
		probs.Invalid("password", "password must be %d to %d characters", MinPasswordLen, MaxPasswordLen)
	}
	if err := probs.Err(); err != nil {
		return res, err
	}
	if s.merchants == nil {
		return res, errors.New("users: SignUp needs Config.Merchants")
	}
	hash, err := s.HashPassword(ctx, req.Password)
	if err != nil {
		return res, err
	}
	if _, err := s.store.PortalUserByEmail(ctx, email); err == nil {
		return SignUpResult{Taken: true}, nil
	} else if openflex.ErrorCode(err) != openflex.CodeResourceMissing {
		return res, err
	}
	now := s.clock()
	u := &User{ID: openflex.NewID(openflex.PrefixUser), Role: RoleMerchant, Email: email, PasswordHash: hash, Created: now}
	tok, tokHash := NewToken()
	err = s.store.Write(ctx, func(ctx context.Context) error {
		m, _, err := s.merchants.Create(ctx, req.Company, email, []merchant.NewStore{{Name: req.Company, Province: req.Province}}, "portal:"+u.ID)
		if err != nil {
			return err
		}
		u.MerchantID = m.ID
		if err := s.store.CreatePortalUser(ctx, u); err != nil {
			return err
		}
		return s.store.CreateEmailToken(ctx, &EmailToken{Hash: tokHash, UserID: u.ID, Purpose: PurposeVerify, Created: now, ExpiresAt: now.Add(VerifyTTL)})
	})
	if e := (*openflex.Error)(nil); errors.As(err, &e) && e.Param == "email" { // lost a race for the address
		return SignUpResult{Taken: true}, nil
	}
	if err != nil {
		return res, err
	}
	return SignUpResult{User: u, VerifyToken: tok}, nil
}

// NewEmailToken stores a fresh single-use token of purpose for the user and
// returns it (for the email link).
func (s *Service) NewEmailToken(ctx context.Context, userID string, purpose Purpose) (string, error) {
	tok, hash := NewToken()
	now := s.clock()
	ttl := VerifyTTL
	if purpose == PurposeReset {
		ttl = ResetTTL
	}
	if err := s.store.CreateEmailToken(ctx, &EmailToken{Hash: hash, UserID: userID, Purpose: purpose, Created: now, ExpiresAt: now.Add(ttl)}); err != nil {
		return "", err
	}
	return tok, nil
}

// Verified is what spending a verification link did.
type Verified struct {
	User *User
	// KeySet and Secret are a new merchant's TRAINING keys, created with
	// the first confirmation of its first user's address (nil otherwise):
	// shown once to whoever proved the address, never to whoever typed it
	// into the sign-up form.
	KeySet *openflex.KeySet
	Secret string
}

// Verify spends a verification token: the address is confirmed and, the
// first time for a merchant without keys, its TRAINING key set (named
// keySetName) is created, all in one transaction. Errors: resource_missing
// for an unknown, spent or expired token.
func (s *Service) Verify(ctx context.Context, token, keySetName, remoteAddr string) (Verified, error) {
	var v Verified
	now := s.clock()
	err := s.store.Write(ctx, func(ctx context.Context) error {
		t, err := s.store.UseEmailToken(ctx, TokenHash(token), PurposeVerify, now)
		if err != nil {
			return err
		}
		if v.User, err = s.store.PortalUser(ctx, t.UserID); err != nil {
			return err
		}
		first := !v.User.Verified()
		if first && v.User.Role == RoleClerk {
			// An invitation is spent by choosing a password
			// (AcceptInvite); confirming the address alone would leave
			// the clerk without one. Returning rolls the spending back.
			return openflex.NotFound("email token", "")
		}
		if err := s.store.VerifyPortalEmail(ctx, t.UserID, now); err != nil {
			return err
		}
		if first {
			v.User.EmailVerifiedAt = now
		}
		if !first || v.User.MerchantID == "" {
			return nil
		}
		if s.keys == nil {
			return errors.New("users: Verify needs Config.Keys")
		}
		existing, err := s.store.KeySets(ctx, v.User.MerchantID)
		if err != nil || len(existing) > 0 {
			return err
		}
		v.KeySet, v.Secret, err = s.keys.Create(ctx, keys.NewKeySet{MerchantID: v.User.MerchantID, Environment: openflex.Training, Name: keySetName},
			keys.Actor{Name: "portal:" + v.User.ID, RemoteAddr: remoteAddr})
		return err
	})
	if err != nil {
		return Verified{}, err
	}
	return v, nil
}

// ResetPassword spends a reset token: the password is set, the address
// counts as proven, every lock-out is lifted, the other reset links are
// spent and every session ends (whoever held the old password is signed
// out), in one transaction. Errors: parameter_invalid for a password
// outside the rules, resource_missing for an unknown, spent or expired
// token.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*User, error) {
	if PasswordProblem(password, password) != "" {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "password", Message: "the password does not meet the rules"}
	}
	hash, err := s.HashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	var u *User
	err = s.store.Write(ctx, func(ctx context.Context) error {
		t, err := s.store.UseEmailToken(ctx, TokenHash(token), PurposeReset, now)
		if err != nil {
			return err
		}
		if u, err = s.store.PortalUser(ctx, t.UserID); err != nil {
			return err
		}
		for _, step := range []func() error{
			func() error { return s.store.SetPortalPassword(ctx, u.ID, hash) },
			func() error { return s.store.VerifyPortalEmail(ctx, u.ID, now) },
			func() error { return s.store.SpendEmailTokens(ctx, u.ID, PurposeReset, now) },
			func() error { return s.store.DeletePortalSessions(ctx, u.ID) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
