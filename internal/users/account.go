package users

import "time"

// Role is what a portal user may see: one merchant's portal, the tills of
// some of its stores, or the lender's console — all of it for an
// administrator; for an agent, reading accounts, writing notes and freezing
// (the account desk).
type Role string

// Roles.
const (
	RoleMerchant Role = "merchant"
	RoleAdmin    Role = "admin"
	RoleAgent    Role = "agent"
	// RoleClerk sells at the tills of Stores of its merchant and sees
	// nothing else: no keys, webhooks, settlements, audit log or other
	// stores. The merchant invites and removes clerks.
	RoleClerk Role = "clerk"
)

// Staff reports whether r is one of the lender's staff roles (no merchant).
func (r Role) Staff() bool { return r == RoleAdmin || r == RoleAgent }

// User is a person who logs in to the portal. A merchant user belongs to
// exactly one merchant; an admin to none.
type User struct {
	ID         string
	MerchantID string // "" for admins
	// Stores are the ids of the stores a clerk sells at (nil for others).
	Stores []string
	Role   Role
	// Email is unique and stored lower-cased.
	Email string
	// PasswordHash is an encoded argon2id hash ($argon2id$v=19$m=…), never
	// the password.
	PasswordHash    string
	EmailVerifiedAt time.Time
	FailedLogins    int
	LockedUntil     time.Time
	Created         time.Time
}

// SellsAt reports whether the user may use storeID's till: a merchant user
// at every store of its merchant, a clerk at its stores only.
func (u *User) SellsAt(storeID string) bool {
	switch u.Role {
	case RoleMerchant:
		return true
	case RoleClerk:
		for _, id := range u.Stores {
			if id == storeID {
				return true
			}
		}
	}
	return false
}

// Verified reports whether the user proved control of the email address.
func (u *User) Verified() bool { return !u.EmailVerifiedAt.IsZero() }

// LockedAt reports whether log-in is refused at t after too many failures.
func (u *User) LockedAt(t time.Time) bool { return t.Before(u.LockedUntil) }

// Session is a logged-in browser. Only the SHA-256 of the cookie's token is
// stored, so a copy of the table cannot be replayed as cookies.
type Session struct {
	Hash   []byte
	UserID string
	// CSRFSecret keys the per-form CSRF tokens of this session.
	CSRFSecret []byte
	Created    time.Time
	LastSeen   time.Time
	// ExpiresAt is the absolute end, however active the session is.
	ExpiresAt time.Time
}

// Purpose is what an email token proves.
type Purpose string

// Email token purposes.
const (
	PurposeVerify Purpose = "verify"
	PurposeReset  Purpose = "reset"
)

// EmailToken is a single-use link sent by email, stored as the SHA-256 of
// the token in the link.
type EmailToken struct {
	Hash      []byte
	UserID    string
	Purpose   Purpose
	Created   time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// GoLiveStatus is where a go-live request stands.
type GoLiveStatus string

// Go-live request statuses.
const (
	GoLivePending  GoLiveStatus = "pending"
	GoLiveApproved GoLiveStatus = "approved"
	GoLiveRejected GoLiveStatus = "rejected"
)

// PrefixGoLive is the id prefix of go-live requests.
const PrefixGoLive = "glr"

// GoLiveRequest is a merchant asking the lender for PRODUCTION access. A
// merchant has at most one pending request at a time.
type GoLiveRequest struct {
	ID         string
	MerchantID string
	Status     GoLiveStatus
	// Note is the merchant's message to the lender.
	Note string
	// DecidedBy and DecisionNote say which admin decided and why.
	DecidedBy    string
	DecisionNote string
	Created      time.Time
	DecidedAt    time.Time
}
