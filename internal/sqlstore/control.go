package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
)

// Control is the control plane: merchants, stores, key sets, tokens and the
// audit log. It is shared by both environments.
type Control struct{ *DB }

// CreateMerchant inserts m.
func (c Control) CreateMerchant(ctx context.Context, m *openflex.Merchant) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO merchants (id, name, email, live_approved, approved_at, created)
			VALUES ($1, $2, $3, $4, $5, $6)`, m.ID, m.Name, m.Email, boolInt(m.LiveApproved), micros(m.ApprovedAt), micros(m.Created))
		if err != nil {
			return fmt.Errorf("insert merchant: %w", err)
		}
		return nil
	})
}

// Merchant returns the merchant with id, or resource_missing.
func (c Control) Merchant(ctx context.Context, id string) (*openflex.Merchant, error) {
	var m openflex.Merchant
	var live int
	var approved, created int64
	err := c.q(ctx).QueryRowContext(ctx, `SELECT id, name, email, live_approved, approved_at, created FROM merchants WHERE id = $1`, id).
		Scan(&m.ID, &m.Name, &m.Email, &live, &approved, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("merchant", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read merchant: %w", err)
	}
	m.LiveApproved, m.ApprovedAt, m.Created = live == 1, fromMicros(approved), fromMicros(created)
	return &m, nil
}

// ApproveMerchant records the lender's go-live approval.
func (c Control) ApproveMerchant(ctx context.Context, id string, at time.Time) error {
	return c.Write(ctx, func(ctx context.Context) error {
		res, err := c.q(ctx).ExecContext(ctx, `UPDATE merchants SET live_approved = 1, approved_at = $2 WHERE id = $1 AND live_approved = 0`, id, micros(at))
		if err != nil {
			return fmt.Errorf("approve merchant: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err := c.Merchant(ctx, id)
			return err // missing, or already approved (nil)
		}
		return nil
	})
}

// CreateStore inserts s.
func (c Control) CreateStore(ctx context.Context, s *openflex.Store) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO stores (id, merchant_id, name, external_location_id, province, time_zone, status, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			s.ID, s.MerchantID, s.Name, s.ExternalLocationID, string(s.Province), s.TimeZone, string(s.Status), micros(s.Created))
		if err != nil {
			return fmt.Errorf("insert store: %w", err)
		}
		return nil
	})
}

const storeCols = `id, merchant_id, name, external_location_id, province, time_zone, status, created`

func scanStore(sc interface{ Scan(...any) error }) (openflex.Store, error) {
	var s openflex.Store
	var prov, status string
	var created int64
	err := sc.Scan(&s.ID, &s.MerchantID, &s.Name, &s.ExternalLocationID, &prov, &s.TimeZone, &status, &created)
	s.Province, s.Status, s.Created = openflex.Province(prov), openflex.StoreStatus(status), fromMicros(created)
	return s, err
}

// Store returns merchantID's store id; another merchant's store is
// resource_missing, exactly like one that does not exist.
func (c Control) Store(ctx context.Context, merchantID, id string) (*openflex.Store, error) {
	s, err := scanStore(c.q(ctx).QueryRowContext(ctx, `SELECT `+storeCols+` FROM stores WHERE id = $1 AND merchant_id = $2`, id, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("store", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read store: %w", err)
	}
	return &s, nil
}

// PurchaseNames returns the names a customer knows a purchase's merchant
// and store by, in one read (servicing records them with each purchase):
// the store's is "" when storeID is "" or not one of the merchant's; an
// unknown merchant is resource_missing.
func (c Control) PurchaseNames(ctx context.Context, merchantID, storeID string) (merchant, store string, err error) {
	err = c.q(ctx).QueryRowContext(ctx, `SELECT m.name, COALESCE(s.name, '') FROM merchants m
		LEFT JOIN stores s ON s.id = $2 AND s.merchant_id = m.id WHERE m.id = $1`, merchantID, storeID).Scan(&merchant, &store)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", openflex.NotFound("merchant", merchantID)
	}
	if err != nil {
		return "", "", fmt.Errorf("read purchase names: %w", err)
	}
	return merchant, store, nil
}

// Stores lists merchantID's stores, newest first.
func (c Control) Stores(ctx context.Context, merchantID string, p openflex.ListParams) ([]openflex.Store, bool, error) {
	l := newList(`SELECT `+storeCols+` FROM stores WHERE merchant_id = $1`, merchantID)
	if err := l.checkCursor(ctx, c.q(ctx), p); err != nil {
		return nil, false, err
	}
	query, args := l.page(p)
	rows, err := c.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list stores: %w", err)
	}
	defer rows.Close()
	var out []openflex.Store
	for rows.Next() {
		s, err := scanStore(rows)
		if err != nil {
			return nil, false, fmt.Errorf("list stores: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list stores: %w", err)
	}
	out, more := trim(l, out)
	return out, more, nil
}

// CreateKeySet inserts k with its secrets (their hashes only).
func (c Control) CreateKeySet(ctx context.Context, k *openflex.KeySet) error {
	return c.Write(ctx, func(ctx context.Context) error {
		urls, _ := json.Marshal(nonNil(k.TrustURLs))
		ips, _ := json.Marshal(nonNil(k.TrustIPs))
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO key_sets (id, merchant_id, environment, name, client_id, trust_urls, trust_ips, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			k.ID, k.MerchantID, string(k.Environment), k.Name, k.ClientID, string(urls), string(ips), micros(k.Created))
		if err != nil {
			return fmt.Errorf("insert key set: %w", err)
		}
		// A node may have cached this Client ID as unknown.
		if err := c.bumpAuthVersion(ctx); err != nil {
			return err
		}
		for _, s := range k.Secrets {
			if err := c.AddSecret(ctx, k.ID, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddSecret stores a new secret hash for key set id.
func (c Control) AddSecret(ctx context.Context, keySetID string, s openflex.Secret) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO key_secrets (id, key_set_id, hash, last4, created, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			s.ID, keySetID, s.Hash, s.Last4, micros(s.Created), micros(s.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert secret: %w", err)
		}
		return c.bumpAuthVersion(ctx)
	})
}

// ExpireSecrets sets the expiry of every still-unexpiring secret of a key set
// (the ones a roll replaces) to at, unless they already expire sooner.
func (c Control) ExpireSecrets(ctx context.Context, keySetID string, at time.Time) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `UPDATE key_secrets SET expires_at = $2 WHERE key_set_id = $1 AND (expires_at = 0 OR expires_at > $2)`,
			keySetID, micros(at))
		if err != nil {
			return fmt.Errorf("expire secrets: %w", err)
		}
		return c.bumpAuthVersion(ctx)
	})
}

const keySetCols = `id, merchant_id, environment, name, client_id, trust_urls, trust_ips, created, revoked_at, last_used_at`

func (c Control) keySetWhere(ctx context.Context, cond string, arg any) ([]*openflex.KeySet, error) {
	rows, err := c.q(ctx).QueryContext(ctx, `SELECT `+keySetCols+` FROM key_sets WHERE `+cond+` ORDER BY id`, arg)
	if err != nil {
		return nil, fmt.Errorf("read key set: %w", err)
	}
	defer rows.Close()
	var out []*openflex.KeySet
	for rows.Next() {
		var k openflex.KeySet
		var env, urls, ips string
		var created, revoked, used int64
		if err := rows.Scan(&k.ID, &k.MerchantID, &env, &k.Name, &k.ClientID, &urls, &ips, &created, &revoked, &used); err != nil {
			return nil, fmt.Errorf("read key set: %w", err)
		}
		k.Environment = openflex.Environment(env)
		if err := json.Unmarshal([]byte(urls), &k.TrustURLs); err != nil {
			return nil, fmt.Errorf("read key set trust urls: %w", err)
		}
		if err := json.Unmarshal([]byte(ips), &k.TrustIPs); err != nil {
			return nil, fmt.Errorf("read key set trust ips: %w", err)
		}
		k.Created, k.RevokedAt, k.LastUsedAt = fromMicros(created), fromMicros(revoked), fromMicros(used)
		out = append(out, &k)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for _, k := range out {
		if k.Secrets, err = c.secrets(ctx, k.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c Control) secrets(ctx context.Context, keySetID string) ([]openflex.Secret, error) {
	rows, err := c.q(ctx).QueryContext(ctx, `SELECT id, hash, last4, created, expires_at FROM key_secrets WHERE key_set_id = $1 ORDER BY id`, keySetID)
	if err != nil {
		return nil, fmt.Errorf("read secrets: %w", err)
	}
	defer rows.Close()
	var out []openflex.Secret
	for rows.Next() {
		var s openflex.Secret
		var created, expires int64
		if err := rows.Scan(&s.ID, &s.Hash, &s.Last4, &created, &expires); err != nil {
			return nil, fmt.Errorf("read secrets: %w", err)
		}
		s.Created, s.ExpiresAt = fromMicros(created), fromMicros(expires)
		out = append(out, s)
	}
	return out, rows.Err()
}

// KeySetByClientID returns the key set of a Client ID, revoked or not.
func (c Control) KeySetByClientID(ctx context.Context, clientID string) (*openflex.KeySet, error) {
	ks, err := c.keySetWhere(ctx, "client_id = $1", clientID)
	if err != nil {
		return nil, err
	}
	if len(ks) == 0 {
		return nil, openflex.NotFound("key set", clientID)
	}
	return ks[0], nil
}

// KeySet returns the key set with id.
func (c Control) KeySet(ctx context.Context, id string) (*openflex.KeySet, error) {
	ks, err := c.keySetWhere(ctx, "id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(ks) == 0 {
		return nil, openflex.NotFound("key set", id)
	}
	return ks[0], nil
}

// KeySets lists a merchant's key sets, oldest first.
func (c Control) KeySets(ctx context.Context, merchantID string) ([]*openflex.KeySet, error) {
	return c.keySetWhere(ctx, "merchant_id = $1", merchantID)
}

// RevokeKeySet stops a key set at once: its secrets and tokens die with it.
func (c Control) RevokeKeySet(ctx context.Context, id string, at time.Time) error {
	return c.Write(ctx, func(ctx context.Context) error {
		res, err := c.q(ctx).ExecContext(ctx, `UPDATE key_sets SET revoked_at = $2 WHERE id = $1 AND revoked_at = 0`, id, micros(at))
		if err != nil {
			return fmt.Errorf("revoke key set: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := c.KeySet(ctx, id); err != nil {
				return err
			}
		}
		if _, err = c.q(ctx).ExecContext(ctx, `DELETE FROM access_tokens WHERE key_set_id = $1`, id); err != nil {
			return fmt.Errorf("revoke key set tokens: %w", err)
		}
		return c.bumpAuthVersion(ctx)
	})
}

// SetTrust replaces a key set's Trust URLs and IPs.
func (c Control) SetTrust(ctx context.Context, id string, urls, ips []string) error {
	return c.Write(ctx, func(ctx context.Context) error {
		u, _ := json.Marshal(nonNil(urls))
		i, _ := json.Marshal(nonNil(ips))
		res, err := c.q(ctx).ExecContext(ctx, `UPDATE key_sets SET trust_urls = $2, trust_ips = $3 WHERE id = $1`, id, string(u), string(i))
		if err != nil {
			return fmt.Errorf("set trust lists: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return openflex.NotFound("key set", id)
		}
		return c.bumpAuthVersion(ctx)
	})
}

// TouchKeySet records use of a key set. It is written at most once a minute
// per key set so hot keys do not turn every request into a write.
func (c Control) TouchKeySet(ctx context.Context, id string, at time.Time) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `UPDATE key_sets SET last_used_at = $2 WHERE id = $1 AND last_used_at < $3`,
			id, micros(at), micros(at.Add(-time.Minute)))
		return err
	})
}

// CreateToken stores an access token's hash.
func (c Control) CreateToken(ctx context.Context, t keys.Token) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO access_tokens (hash, key_set_id, secret_id, created, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			t.Hash, t.KeySetID, t.SecretID, micros(t.Created), micros(t.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return nil
	})
}

// TokenByHash returns the token with hash, or invalid_token.
func (c Control) TokenByHash(ctx context.Context, hash []byte) (*keys.Token, error) {
	t := keys.Token{Hash: hash}
	var created, expires int64
	err := c.q(ctx).QueryRowContext(ctx, `SELECT key_set_id, secret_id, created, expires_at FROM access_tokens WHERE hash = $1`, hash).
		Scan(&t.KeySetID, &t.SecretID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.Errorf(openflex.CodeInvalidToken, "the access token is not valid")
	}
	if err != nil {
		return nil, fmt.Errorf("read token: %w", err)
	}
	t.Created, t.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &t, nil
}

// PurgeTokens deletes tokens that expired before t.
func (c Control) PurgeTokens(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := c.Write(ctx, func(ctx context.Context) error {
		res, err := c.q(ctx).ExecContext(ctx, `DELETE FROM access_tokens WHERE expires_at < $1`, micros(t))
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}

// Audit appends e to the audit log.
func (c Control) Audit(ctx context.Context, e openflex.AuditEntry) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO audit_log (id, at, actor, action, merchant_id, object_id, detail, remote_addr)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.ID, micros(e.At), e.Actor, e.Action, e.MerchantID, e.ObjectID, e.Detail, e.RemoteAddr)
		if err != nil {
			return fmt.Errorf("insert audit entry: %w", err)
		}
		return nil
	})
}

// AuditLog returns a merchant's audit entries, newest first.
func (c Control) AuditLog(ctx context.Context, merchantID string, limit int) ([]openflex.AuditEntry, error) {
	rows, err := c.q(ctx).QueryContext(ctx, `SELECT id, at, actor, action, merchant_id, object_id, detail, remote_addr
		FROM audit_log WHERE merchant_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, merchantID, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []openflex.AuditEntry
	for rows.Next() {
		var e openflex.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.MerchantID, &e.ObjectID, &e.Detail, &e.RemoteAddr); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// MerchantByEmail returns the merchant registered with email.
func (c Control) MerchantByEmail(ctx context.Context, email string) (*openflex.Merchant, error) {
	var id string
	err := c.q(ctx).QueryRowContext(ctx, `SELECT id FROM merchants WHERE email = $1 ORDER BY id LIMIT 1`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("merchant", email)
	}
	if err != nil {
		return nil, fmt.Errorf("read merchant: %w", err)
	}
	return c.Merchant(ctx, id)
}
