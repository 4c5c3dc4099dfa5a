package users

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openflex/openflex"
)

// InviteTTL is how long a clerk's invitation link works: a week, as a
// new clerk may only start on their next shift.
const InviteTTL = 7 * 24 * time.Hour

// Invite is a merchant user inviting a store clerk.
type Invite struct {
	MerchantID string
	Email      string
	StoreIDs   []string
	// Actor is the inviting user's id, RemoteAddr its source address (for
	// the audit log).
	Actor      string
	RemoteAddr string
}

// InviteClerk creates a clerk of the merchant for the given stores, with no
// usable password, and the one-time link (a verification token the clerk
// spends with AcceptInvite) that lets them choose one; the user, its stores,
// the link and the audit entry commit together. Errors: parameter_invalid on
// "email" (malformed or already an account) or "stores" (none, or one that
// is not the merchant's).
func (s *Service) InviteClerk(ctx context.Context, in Invite) (*User, string, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	var probs openflex.Problems
	if !ValidEmail(email) {
		probs.Invalid("email", "email must be an address such as clerk@shop.example")
	}
	stores := slices.Compact(slices.Sorted(slices.Values(in.StoreIDs)))
	if len(stores) == 0 || stores[0] == "" {
		probs.Invalid("stores", "choose at least one store")
	}
	if err := probs.Err(); err != nil {
		return nil, "", err
	}
	// Nobody knows this password: the clerk chooses theirs through the link.
	hash, err := s.HashPassword(ctx, NewTokenString())
	if err != nil {
		return nil, "", err
	}
	now := s.clock()
	u := &User{ID: openflex.NewID(openflex.PrefixUser), MerchantID: in.MerchantID, Role: RoleClerk, Email: email,
		PasswordHash: hash, Stores: stores, Created: now}
	tok, tokHash := NewToken()
	err = s.store.Write(ctx, func(ctx context.Context) error {
		for _, id := range stores {
			if _, err := s.store.Store(ctx, in.MerchantID, id); openflex.ErrorCode(err) == openflex.CodeResourceMissing {
				return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "stores", Message: "a chosen store does not exist"}
			} else if err != nil {
				return err
			}
		}
		if err := s.store.CreatePortalUser(ctx, u); err != nil {
			return err
		}
		if err := s.store.SetPortalUserStores(ctx, u.ID, stores); err != nil {
			return err
		}
		if err := s.store.CreateEmailToken(ctx, &EmailToken{Hash: tokHash, UserID: u.ID, Purpose: PurposeVerify, Created: now, ExpiresAt: now.Add(InviteTTL)}); err != nil {
			return err
		}
		return s.store.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: now, Actor: "portal:" + in.Actor, Action: "portal.clerk_invited",
			MerchantID: in.MerchantID, ObjectID: u.ID, Detail: fmt.Sprintf("email=%s stores=%s", email, strings.Join(stores, ",")), RemoteAddr: in.RemoteAddr})
	})
	if err != nil {
		return nil, "", err
	}
	return u, tok, nil
}

// NewTokenString returns a fresh random string (128 bits, base32).
func NewTokenString() string {
	tok, _ := NewToken()
	return tok
}

// AcceptInvite spends a clerk's invitation: the password is set and the
// address counts as proven, in one transaction, so the link works once.
// Errors: parameter_invalid for a password outside the rules,
// resource_missing for an unknown, spent or expired link or one that is
// not an invitation.
func (s *Service) AcceptInvite(ctx context.Context, token, password string) (*User, error) {
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
		t, err := s.store.UseEmailToken(ctx, TokenHash(token), PurposeVerify, now)
		if err != nil {
			return err
		}
		if u, err = s.store.PortalUser(ctx, t.UserID); err != nil {
			return err
		}
		if u.Role != RoleClerk || u.Verified() {
			return openflex.NotFound("email token", "")
		}
		if err := s.store.SetPortalPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		u.EmailVerifiedAt = now
		return s.store.VerifyPortalEmail(ctx, u.ID, now)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Clerks lists a merchant's clerks, oldest first.
func (s *Service) Clerks(ctx context.Context, merchantID string) ([]*User, error) {
	return s.store.PortalUsersWithRole(ctx, merchantID, RoleClerk)
}

// RemoveClerk deletes one of the merchant's clerks with its sessions (it is
// signed out at once) and links, audited in the same transaction. Errors:
// resource_missing for anyone who is not a clerk of the merchant.
func (s *Service) RemoveClerk(ctx context.Context, merchantID, clerkID, actor, remoteAddr string) error {
	now := s.clock()
	return s.store.Write(ctx, func(ctx context.Context) error {
		u, err := s.store.PortalUser(ctx, clerkID)
		if err != nil {
			return err
		}
		if u.Role != RoleClerk || u.MerchantID != merchantID {
			return openflex.NotFound("clerk", clerkID)
		}
		if err := s.store.DeletePortalUser(ctx, u.ID); err != nil {
			return err
		}
		return s.store.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: now, Actor: "portal:" + actor, Action: "portal.clerk_removed",
			MerchantID: merchantID, ObjectID: u.ID, Detail: "email=" + u.Email, RemoteAddr: remoteAddr})
	})
}
