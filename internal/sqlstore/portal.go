package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/users"
)

// The Developer Portal's records: users, sessions, email tokens, go-live
// requests, and the admin console's merchant list. Method names carry
// "Portal" where a shorter one (Session, User) could collide with another
// surface's records.

// CreatePortalUser inserts u with its email lower-cased; an email already
// taken is parameter_invalid on "email".
func (c Control) CreatePortalUser(ctx context.Context, u *users.User) error {
	u.Email = strings.ToLower(u.Email)
	var merchantID any // NULL for admins, as the role check wants
	if u.MerchantID != "" {
		merchantID = u.MerchantID
	}
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO portal_users (id, merchant_id, role, email, password_hash, email_verified_at, failed_logins, locked_until, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, u.ID, merchantID, string(u.Role), u.Email, u.PasswordHash,
			micros(u.EmailVerifiedAt), u.FailedLogins, micros(u.LockedUntil), micros(u.Created))
		if isUniqueViolation(err) {
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "email", Message: "an account already uses this email", Cause: err}
		}
		if err != nil {
			return fmt.Errorf("insert portal user: %w", err)
		}
		return nil
	})
}

const userCols = `id, merchant_id, role, email, password_hash, email_verified_at, failed_logins, locked_until, created`

func (c Control) portalUserWhere(ctx context.Context, cond string, arg any, what string) (*users.User, error) {
	var u users.User
	var merchantID sql.NullString
	var role string
	var verified, locked, created int64
	err := c.q(ctx).QueryRowContext(ctx, `SELECT `+userCols+` FROM portal_users WHERE `+cond, arg).
		Scan(&u.ID, &merchantID, &role, &u.Email, &u.PasswordHash, &verified, &u.FailedLogins, &locked, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("portal user", what)
	}
	if err != nil {
		return nil, fmt.Errorf("read portal user: %w", err)
	}
	u.MerchantID, u.Role = merchantID.String, users.Role(role)
	u.EmailVerifiedAt, u.LockedUntil, u.Created = fromMicros(verified), fromMicros(locked), fromMicros(created)
	if u.Role == users.RoleClerk {
		if u.Stores, err = c.portalUserStores(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return &u, nil
}

func (c Control) portalUserStores(ctx context.Context, userID string) ([]string, error) {
	rows, err := c.q(ctx).QueryContext(ctx, `SELECT store_id FROM portal_user_stores WHERE user_id = $1 ORDER BY store_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("read portal user stores: %w", err)
	}
	ids, err := column(rows)
	if ids == nil && err == nil {
		ids = []string{} // "no stores", as JSON's [] and not null
	}
	return ids, err
}

// SetPortalUserStores replaces the stores a clerk may sell at.
func (c Control) SetPortalUserStores(ctx context.Context, userID string, storeIDs []string) error {
	return c.Write(ctx, func(ctx context.Context) error {
		if _, err := c.q(ctx).ExecContext(ctx, `DELETE FROM portal_user_stores WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("clear portal user stores: %w", err)
		}
		for _, id := range storeIDs {
			if _, err := c.q(ctx).ExecContext(ctx, `INSERT INTO portal_user_stores (user_id, store_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, userID, id); err != nil {
				return fmt.Errorf("insert portal user store: %w", err)
			}
		}
		return nil
	})
}

// PortalUsersWithRole lists a merchant's users of role, oldest first.
func (c Control) PortalUsersWithRole(ctx context.Context, merchantID string, role users.Role) ([]*users.User, error) {
	rows, err := c.q(ctx).QueryContext(ctx, `SELECT id FROM portal_users WHERE merchant_id = $1 AND role = $2 ORDER BY created, id`, merchantID, string(role))
	if err != nil {
		return nil, fmt.Errorf("list portal users: %w", err)
	}
	ids, err := column(rows)
	if err != nil {
		return nil, err
	}
	out := make([]*users.User, 0, len(ids))
	for _, id := range ids {
		u, err := c.PortalUser(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// DeletePortalUser deletes a user; its sessions, email links, log-in
// failures and stores go with it.
func (c Control) DeletePortalUser(ctx context.Context, id string) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `DELETE FROM portal_users WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete portal user: %w", err)
		}
		return nil
	})
}

// PortalUser returns the portal user with id, or resource_missing.
func (c Control) PortalUser(ctx context.Context, id string) (*users.User, error) {
	return c.portalUserWhere(ctx, "id = $1", id, id)
}

// PortalUserByEmail returns the portal user with email (any case), or
// resource_missing.
func (c Control) PortalUserByEmail(ctx context.Context, email string) (*users.User, error) {
	return c.portalUserWhere(ctx, "email = $1", strings.ToLower(strings.TrimSpace(email)), email)
}

// PortalLoginLocked reports whether addr is locked out of the user at now.
func (c Control) PortalLoginLocked(ctx context.Context, userID, addr string, now time.Time) (bool, error) {
	var until int64
	err := c.q(ctx).QueryRowContext(ctx, `SELECT locked_until FROM portal_login_failures WHERE user_id = $1 AND address = $2`, userID, addr).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read log-in failures: %w", err)
	}
	return micros(now) < until, nil
}

// PortalLoginFailed counts a wrong password from addr against the user
// and, at the limit-th in a row, locks addr out until lockUntil and
// reports true. Other addresses keep their own counts.
func (c Control) PortalLoginFailed(ctx context.Context, userID, addr string, limit int, lockUntil time.Time) (bool, error) {
	var locked bool
	now := micros(c.Now())
	err := c.Write(ctx, func(ctx context.Context) error {
		var n int
		err := c.q(ctx).QueryRowContext(ctx, `INSERT INTO portal_login_failures (user_id, address, failures, locked_until, last_failed)
			VALUES ($1, $2, 1, 0, $3)
			ON CONFLICT (user_id, address) DO UPDATE SET failures = portal_login_failures.failures + 1, last_failed = excluded.last_failed
			RETURNING failures`, userID, addr, now).Scan(&n)
		if err != nil {
			return fmt.Errorf("count failed log-in: %w", err)
		}
		if n < limit {
			return nil
		}
		locked = true
		_, err = c.q(ctx).ExecContext(ctx, `UPDATE portal_login_failures SET failures = 0, locked_until = $3 WHERE user_id = $1 AND address = $2`,
			userID, addr, micros(lockUntil))
		return err
	})
	return locked, err
}

// PortalLoginSucceeded forgets addr's failed log-ins of the user.
func (c Control) PortalLoginSucceeded(ctx context.Context, userID, addr string) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `DELETE FROM portal_login_failures WHERE user_id = $1 AND address = $2`, userID, addr)
		return err
	})
}

// SetPortalPassword replaces a user's password hash and lifts any lockout:
// whoever sets it proved control of the account's email.
func (c Control) SetPortalPassword(ctx context.Context, userID, hash string) error {
	return c.Write(ctx, func(ctx context.Context) error {
		if err := c.updateUser(ctx, userID, `UPDATE portal_users SET password_hash = $2, failed_logins = 0, locked_until = 0 WHERE id = $1`, hash); err != nil {
			return err
		}
		_, err := c.q(ctx).ExecContext(ctx, `DELETE FROM portal_login_failures WHERE user_id = $1`, userID)
		return err
	})
}

// VerifyPortalEmail records that the user proved control of the email
// address; an earlier verification is kept.
func (c Control) VerifyPortalEmail(ctx context.Context, userID string, at time.Time) error {
	return c.updateUser(ctx, userID, `UPDATE portal_users SET email_verified_at = CASE WHEN email_verified_at = 0 THEN $2 ELSE email_verified_at END WHERE id = $1`, micros(at))
}

func (c Control) updateUser(ctx context.Context, userID, query string, arg any) error {
	return c.Write(ctx, func(ctx context.Context) error {
		res, err := c.q(ctx).ExecContext(ctx, query, userID, arg)
		if err != nil {
			return fmt.Errorf("update portal user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return openflex.NotFound("portal user", userID)
		}
		return nil
	})
}

// CreatePortalSession stores s (its token's hash, never the token).
func (c Control) CreatePortalSession(ctx context.Context, s *users.Session) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO portal_sessions (id, user_id, csrf_secret, created, last_seen, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			s.Hash, s.UserID, s.CSRFSecret, micros(s.Created), micros(s.LastSeen), micros(s.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert portal session: %w", err)
		}
		return nil
	})
}

// PortalSession returns the session whose token hashes to hash, expired or
// not (the caller applies its timeouts), or resource_missing.
func (c Control) PortalSession(ctx context.Context, hash []byte) (*users.Session, error) {
	s := users.Session{Hash: hash}
	var created, seen, expires int64
	err := c.q(ctx).QueryRowContext(ctx, `SELECT user_id, csrf_secret, created, last_seen, expires_at FROM portal_sessions WHERE id = $1`, hash).
		Scan(&s.UserID, &s.CSRFSecret, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("portal session", "")
	}
	if err != nil {
		return nil, fmt.Errorf("read portal session: %w", err)
	}
	s.Created, s.LastSeen, s.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return &s, nil
}

// TouchPortalSession records activity at at. Callers touch at most about
// once a minute, so browsing does not turn every page view into a write.
func (c Control) TouchPortalSession(ctx context.Context, hash []byte, at time.Time) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `UPDATE portal_sessions SET last_seen = $2 WHERE id = $1 AND last_seen < $2`, hash, micros(at))
		return err
	})
}

// DeletePortalSession ends one session (log-out); a missing one is fine.
func (c Control) DeletePortalSession(ctx context.Context, hash []byte) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `DELETE FROM portal_sessions WHERE id = $1`, hash)
		return err
	})
}

// DeletePortalSessions ends every session of a user (a password reset).
func (c Control) DeletePortalSessions(ctx context.Context, userID string) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `DELETE FROM portal_sessions WHERE user_id = $1`, userID)
		return err
	})
}

// PurgePortal deletes sessions past their absolute expiry or idle since
// before idleSince, and email tokens expired before now.
func (c Control) PurgePortal(ctx context.Context, now, idleSince time.Time) (int64, error) {
	var n int64
	err := c.Write(ctx, func(ctx context.Context) error {
		res, err := c.q(ctx).ExecContext(ctx, `DELETE FROM portal_sessions WHERE expires_at <= $1 OR last_seen < $2`, micros(now), micros(idleSince))
		if err != nil {
			return fmt.Errorf("purge portal sessions: %w", err)
		}
		a, _ := res.RowsAffected()
		res, err = c.q(ctx).ExecContext(ctx, `DELETE FROM email_tokens WHERE expires_at <= $1`, micros(now))
		if err != nil {
			return fmt.Errorf("purge email tokens: %w", err)
		}
		b, _ := res.RowsAffected()
		// Failures older than the idle window are forgotten; a lock
		// outlives them only while it lasts.
		res, err = c.q(ctx).ExecContext(ctx, `DELETE FROM portal_login_failures WHERE last_failed < $1 AND locked_until <= $2`, micros(idleSince), micros(now))
		if err != nil {
			return fmt.Errorf("purge log-in failures: %w", err)
		}
		f, _ := res.RowsAffected()
		n = a + b + f
		return nil
	})
	return n, err
}

// CreateEmailToken stores an email token's hash.
func (c Control) CreateEmailToken(ctx context.Context, t *users.EmailToken) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO email_tokens (hash, user_id, purpose, created, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			t.Hash, t.UserID, string(t.Purpose), micros(t.Created), micros(t.ExpiresAt), micros(t.UsedAt))
		if err != nil {
			return fmt.Errorf("insert email token: %w", err)
		}
		return nil
	})
}

// UseEmailToken spends the unused, unexpired token of purpose whose hash is
// hash and returns it. Checking and spending are one statement, so a link
// clicked twice at once works once; anything else is resource_missing.
func (c Control) UseEmailToken(ctx context.Context, hash []byte, purpose users.Purpose, at time.Time) (*users.EmailToken, error) {
	t := users.EmailToken{Hash: hash, Purpose: purpose, UsedAt: at}
	err := c.Write(ctx, func(ctx context.Context) error {
		var created, expires int64
		err := c.q(ctx).QueryRowContext(ctx, `UPDATE email_tokens SET used_at = $3
			WHERE hash = $1 AND purpose = $2 AND used_at = 0 AND expires_at > $3 RETURNING user_id, created, expires_at`,
			hash, string(purpose), micros(at)).Scan(&t.UserID, &created, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return openflex.NotFound("email token", "")
		}
		if err != nil {
			return fmt.Errorf("use email token: %w", err)
		}
		t.Created, t.ExpiresAt = fromMicros(created), fromMicros(expires)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// SpendEmailTokens marks every unused token of a user and purpose used, so
// older links die once one of them has done its job.
func (c Control) SpendEmailTokens(ctx context.Context, userID string, purpose users.Purpose, at time.Time) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at = 0`,
			userID, string(purpose), micros(at))
		return err
	})
}

// CreateGoLiveRequest stores r; a merchant that already has a pending one
// gets parameter_invalid.
func (c Control) CreateGoLiveRequest(ctx context.Context, r *users.GoLiveRequest) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO go_live_requests (id, merchant_id, status, note, decided_by, decision_note, created, decided_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.ID, r.MerchantID, string(r.Status), r.Note, r.DecidedBy, r.DecisionNote, micros(r.Created), micros(r.DecidedAt))
		if isUniqueViolation(err) {
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Message: "a go-live request is already pending", Cause: err}
		}
		if err != nil {
			return fmt.Errorf("insert go-live request: %w", err)
		}
		return nil
	})
}

const goLiveCols = `id, merchant_id, status, note, decided_by, decision_note, created, decided_at`

func scanGoLive(sc interface{ Scan(...any) error }) (*users.GoLiveRequest, error) {
	var r users.GoLiveRequest
	var status string
	var created, decided int64
	if err := sc.Scan(&r.ID, &r.MerchantID, &status, &r.Note, &r.DecidedBy, &r.DecisionNote, &created, &decided); err != nil {
		return nil, err
	}
	r.Status, r.Created, r.DecidedAt = users.GoLiveStatus(status), fromMicros(created), fromMicros(decided)
	return &r, nil
}

// GoLiveRequest returns the go-live request id, or resource_missing.
func (c Control) GoLiveRequest(ctx context.Context, id string) (*users.GoLiveRequest, error) {
	r, err := scanGoLive(c.q(ctx).QueryRowContext(ctx, `SELECT `+goLiveCols+` FROM go_live_requests WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("go-live request", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read go-live request: %w", err)
	}
	return r, nil
}

// GoLiveRequests lists a merchant's go-live requests, newest first.
func (c Control) GoLiveRequests(ctx context.Context, merchantID string, limit int) ([]*users.GoLiveRequest, error) {
	return c.goLiveWhere(ctx, `merchant_id = $1`, merchantID, "DESC", limit)
}

// GoLiveRequestsByStatus lists requests in one status, oldest first: the
// admin console works through pending ones in arrival order.
func (c Control) GoLiveRequestsByStatus(ctx context.Context, status users.GoLiveStatus, limit int) ([]*users.GoLiveRequest, error) {
	return c.goLiveWhere(ctx, `status = $1`, string(status), "ASC", limit)
}

func (c Control) goLiveWhere(ctx context.Context, cond string, arg any, order string, limit int) ([]*users.GoLiveRequest, error) {
	rows, err := c.q(ctx).QueryContext(ctx, `SELECT `+goLiveCols+` FROM go_live_requests WHERE `+cond+` ORDER BY id `+order+` LIMIT $2`, arg, limit)
	if err != nil {
		return nil, fmt.Errorf("list go-live requests: %w", err)
	}
	defer rows.Close()
	var out []*users.GoLiveRequest
	for rows.Next() {
		r, err := scanGoLive(rows)
		if err != nil {
			return nil, fmt.Errorf("list go-live requests: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DecideGoLiveRequest approves or rejects a pending request. A request
// already decided is parameter_invalid, a missing one resource_missing.
func (c Control) DecideGoLiveRequest(ctx context.Context, id string, status users.GoLiveStatus, by, note string, at time.Time) error {
	if status != users.GoLiveApproved && status != users.GoLiveRejected {
		return openflex.Errorf(openflex.CodeParameterInvalid, "a go-live decision is approved or rejected")
	}
	return c.Write(ctx, func(ctx context.Context) error {
		res, err := c.q(ctx).ExecContext(ctx, `UPDATE go_live_requests SET status = $2, decided_by = $3, decision_note = $4, decided_at = $5
			WHERE id = $1 AND status = 'pending'`, id, string(status), by, note, micros(at))
		if err != nil {
			return fmt.Errorf("decide go-live request: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		if _, err := c.GoLiveRequest(ctx, id); err != nil {
			return err
		}
		return openflex.Errorf(openflex.CodeParameterInvalid, "the go-live request was already decided")
	})
}

// ListMerchants lists every merchant, newest first (the admin console).
func (c Control) ListMerchants(ctx context.Context, p openflex.ListParams) ([]openflex.Merchant, bool, error) {
	l := newList(`SELECT id, name, email, live_approved, approved_at, created FROM merchants WHERE 1 = 1`)
	query, args := l.page(p)
	rows, err := c.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list merchants: %w", err)
	}
	defer rows.Close()
	var out []openflex.Merchant
	for rows.Next() {
		var m openflex.Merchant
		var live int
		var approved, created int64
		if err := rows.Scan(&m.ID, &m.Name, &m.Email, &live, &approved, &created); err != nil {
			return nil, false, fmt.Errorf("list merchants: %w", err)
		}
		m.LiveApproved, m.ApprovedAt, m.Created = live == 1, fromMicros(approved), fromMicros(created)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list merchants: %w", err)
	}
	out, more := trim(l, out)
	return out, more, nil
}
