package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openflex/openflex"
)

func (c Control) seal(id, secret string) []byte {
	if secret == "" {
		return nil
	}
	return c.Vault.Seal([]byte(secret), []byte("webhook "+id))
}

func (c Control) open(id string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	b, err := c.Vault.Open(sealed, []byte("webhook "+id))
	return string(b), err
}

// CreateWebhookEndpoint stores w with its secret sealed.
func (c Control) CreateWebhookEndpoint(ctx context.Context, w *openflex.WebhookEndpoint) error {
	events, _ := json.Marshal(w.Events)
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `INSERT INTO webhook_endpoints (id, merchant_id, environment, key_set_id, url, events, secret, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, w.ID, w.MerchantID, string(w.Environment), w.KeySetID, w.URL, string(events),
			c.seal(w.ID, w.Secret), micros(w.Created))
		if err != nil {
			return fmt.Errorf("insert webhook endpoint: %w", err)
		}
		return nil
	})
}

const endpointCols = `id, merchant_id, environment, key_set_id, url, events, secret, old_secret, old_expires_at, created`

func (c Control) scanEndpoint(sc interface{ Scan(...any) error }) (*openflex.WebhookEndpoint, error) {
	var w openflex.WebhookEndpoint
	var env, events string
	var secret, old []byte
	var oldExp, created int64
	if err := sc.Scan(&w.ID, &w.MerchantID, &env, &w.KeySetID, &w.URL, &events, &secret, &old, &oldExp, &created); err != nil {
		return nil, err
	}
	w.Environment, w.OldExpiresAt, w.Created = openflex.Environment(env), fromMicros(oldExp), fromMicros(created)
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return nil, err
	}
	var err error
	if w.Secret, err = c.open(w.ID, secret); err != nil {
		return nil, fmt.Errorf("open webhook secret: %w", err)
	}
	if w.OldSecret, err = c.open(w.ID, old); err != nil {
		return nil, fmt.Errorf("open webhook secret: %w", err)
	}
	return &w, nil
}

// WebhookEndpoint returns merchantID's live endpoint id in env.
func (c Control) WebhookEndpoint(ctx context.Context, merchantID string, env openflex.Environment, id string) (*openflex.WebhookEndpoint, error) {
	w, err := c.scanEndpoint(c.q(ctx).QueryRowContext(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints
		WHERE id = $1 AND merchant_id = $2 AND environment = $3 AND deleted_at = 0`, id, merchantID, string(env)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("webhook endpoint", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read webhook endpoint: %w", err)
	}
	return w, nil
}

// WebhookEndpoints lists merchantID's live endpoints in env, oldest first.
func (c Control) WebhookEndpoints(ctx context.Context, merchantID string, env openflex.Environment) ([]*openflex.WebhookEndpoint, error) {
	rows, err := c.q(ctx).QueryContext(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints
		WHERE merchant_id = $1 AND environment = $2 AND deleted_at = 0 ORDER BY id`, merchantID, string(env))
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	defer rows.Close()
	var out []*openflex.WebhookEndpoint
	for rows.Next() {
		w, err := c.scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeleteWebhookEndpoint stops an endpoint; its delivery log stays.
func (c Control) DeleteWebhookEndpoint(ctx context.Context, merchantID string, env openflex.Environment, id string, at time.Time) error {
	return c.Write(ctx, func(ctx context.Context) error {
		res, err := c.q(ctx).ExecContext(ctx, `UPDATE webhook_endpoints SET deleted_at = $4
			WHERE id = $1 AND merchant_id = $2 AND environment = $3 AND deleted_at = 0`, id, merchantID, string(env), micros(at))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return openflex.NotFound("webhook endpoint", id)
		}
		return nil
	})
}

// RollWebhookSecret replaces an endpoint's secret; the old one keeps
// signing until oldExpires.
func (c Control) RollWebhookSecret(ctx context.Context, id, oldSecret, newSecret string, oldExpires time.Time) error {
	return c.Write(ctx, func(ctx context.Context) error {
		_, err := c.q(ctx).ExecContext(ctx, `UPDATE webhook_endpoints SET secret = $2, old_secret = $3, old_expires_at = $4 WHERE id = $1`,
			id, c.seal(id, newSecret), c.seal(id, oldSecret), micros(oldExpires))
		return err
	})
}

// UndispatchedEvents returns events not yet fanned out, oldest first.
func (db *DB) UndispatchedEvents(ctx context.Context, limit int) ([]*openflex.Event, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, merchant_id, type, object, created FROM events WHERE dispatched = 0 ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*openflex.Event
	for rows.Next() {
		var e openflex.Event
		var obj string
		var created int64
		if err := rows.Scan(&e.ID, &e.MerchantID, &e.Type, &obj, &created); err != nil {
			return nil, err
		}
		e.Object, e.Created = []byte(obj), fromMicros(created)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// MarkDispatched records that events were fanned out, in one statement, and
// returns the ids it marked: an id missing from the answer was marked by
// another node first (the caller's deliveries for it must not be made).
func (db *DB) MarkDispatched(ctx context.Context, eventIDs []string) (map[string]bool, error) {
	marked := make(map[string]bool, len(eventIDs))
	if len(eventIDs) == 0 {
		return marked, nil
	}
	// One statement text whatever the batch's size, so it is prepared once.
	q := `UPDATE events SET dispatched = 1 WHERE dispatched = 0 AND id = ANY($1) RETURNING id`
	var arg any = eventIDs
	if db.Dialect == SQLite {
		q = `UPDATE events SET dispatched = 1 WHERE dispatched = 0 AND id IN (SELECT value FROM json_each($1)) RETURNING id`
		b, err := json.Marshal(eventIDs)
		if err != nil {
			return nil, err
		}
		arg = string(b)
	}
	err := db.Write(ctx, func(ctx context.Context) error {
		clear(marked)
		rows, err := db.q(ctx).QueryContext(ctx, q, arg)
		if err != nil {
			return fmt.Errorf("mark events dispatched: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			marked[id] = true
		}
		return rows.Err()
	})
	return marked, err
}

// CreateDelivery queues d.
func (db *DB) CreateDelivery(ctx context.Context, d *openflex.Delivery) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, merchant_id, status, attempts, next_attempt_at, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.ID, d.EventID, d.EndpointID, d.MerchantID, d.Status, d.Attempts, micros(d.NextAttemptAt), micros(d.Created))
		if err != nil {
			return fmt.Errorf("insert delivery: %w", err)
		}
		return nil
	})
}

const deliveryCols = `d.id, d.event_id, d.endpoint_id, d.merchant_id, d.status, d.attempts, d.next_attempt_at, d.last_status, d.created`

func scanDelivery(sc interface{ Scan(...any) error }, withEvent bool) (*openflex.Delivery, error) {
	var d openflex.Delivery
	var next, created int64
	dest := []any{&d.ID, &d.EventID, &d.EndpointID, &d.MerchantID, &d.Status, &d.Attempts, &next, &d.LastStatus, &created}
	var e openflex.Event
	var obj string
	var ecreated int64
	if withEvent {
		dest = append(dest, &e.Type, &obj, &ecreated)
	}
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.Created = fromMicros(next), fromMicros(created)
	if withEvent {
		e.ID, e.MerchantID, e.Object, e.Created = d.EventID, d.MerchantID, []byte(obj), fromMicros(ecreated)
		d.Event = &e
	}
	return &d, nil
}

// ClaimDueDeliveries leases up to limit pending deliveries that are due,
// leaving out the endpoints in skip (already as busy as the caller lets
// them be), so that of several nodes exactly one attempts each. A lease
// that lapses (the node died mid-attempt) makes the delivery due again.
// Each delivery carries its lease's end, which names the claim.
func (db *DB) ClaimDueDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int, skip []string) ([]*openflex.Delivery, error) {
	until := micros(now.Add(lease))
	args := []any{micros(now), until, limit}
	exclude := ""
	if len(skip) > 0 {
		var ph string
		ph, args = inList(args, skip)
		exclude = " AND endpoint_id NOT IN (" + ph + ")"
	}
	var ids []string
	err := db.Write(ctx, func(ctx context.Context) error {
		rows, err := db.q(ctx).QueryContext(ctx, `UPDATE webhook_deliveries SET locked_until = $2
			WHERE status = 'pending' AND next_attempt_at <= $1 AND locked_until <= $1 AND id IN (
				SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 AND locked_until <= $1`+exclude+`
				ORDER BY next_attempt_at LIMIT $3)
			RETURNING id`, args...)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		ids, err = column(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]*openflex.Delivery, 0, len(ids))
	for _, id := range ids {
		d, err := scanDelivery(db.q(ctx).QueryRowContext(ctx, `SELECT `+deliveryCols+`, e.type, e.object, e.created
			FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = $1`, id), true)
		if err != nil {
			return nil, err
		}
		d.Lease = fromMicros(until)
		out = append(out, d)
	}
	return out, nil
}

// ReleaseDelivery gives a claimed delivery back unattempted, so it is due
// again at once; a lease that is no longer d's is left alone.
func (db *DB) ReleaseDelivery(ctx context.Context, d *openflex.Delivery) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET locked_until = 0 WHERE id = $1 AND locked_until = $2`,
			d.ID, micros(d.Lease))
		return err
	})
}

// RecordAttempt logs an attempt and saves the delivery's new state, only
// while d's claim still holds the lease: a holder whose lease passed to
// another claim gets openflex.ErrLeaseLost and records nothing.
func (db *DB) RecordAttempt(ctx context.Context, d *openflex.Delivery, a *openflex.DeliveryAttempt) error {
	return db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4, last_status = $5, locked_until = 0
			WHERE id = $1 AND locked_until = $6`, d.ID, d.Status, d.Attempts, micros(d.NextAttemptAt), d.LastStatus, micros(d.Lease))
		if err != nil {
			return fmt.Errorf("update delivery: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return openflex.ErrLeaseLost
		}
		if _, err := db.q(ctx).ExecContext(ctx, `INSERT INTO webhook_attempts (id, delivery_id, at, status_code, latency_us, excerpt, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.ID, d.ID, micros(a.At), a.StatusCode, a.Latency.Microseconds(), a.Excerpt, a.Error); err != nil {
			return fmt.Errorf("insert attempt: %w", err)
		}
		return nil
	})
}

// Deliveries lists a merchant's deliveries (of one endpoint when given),
// newest first.
func (db *DB) Deliveries(ctx context.Context, merchantID, endpointID string, p openflex.ListParams) ([]*openflex.Delivery, bool, error) {
	l := newList(`SELECT `+deliveryCols+` FROM webhook_deliveries d WHERE d.merchant_id = $1`, merchantID)
	if endpointID != "" {
		l.where("d.endpoint_id = ?", endpointID)
	}
	return listRows(ctx, db, l, p, func(sc interface{ Scan(...any) error }) (*openflex.Delivery, error) { return scanDelivery(sc, false) })
}

// Attempts returns a delivery's attempts, oldest first.
func (db *DB) Attempts(ctx context.Context, deliveryID string) ([]*openflex.DeliveryAttempt, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, at, status_code, latency_us, excerpt, error FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id`, deliveryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*openflex.DeliveryAttempt
	for rows.Next() {
		a := openflex.DeliveryAttempt{DeliveryID: deliveryID}
		var at, lat int64
		if err := rows.Scan(&a.ID, &at, &a.StatusCode, &lat, &a.Excerpt, &a.Error); err != nil {
			return nil, err
		}
		a.At, a.Latency = fromMicros(at), time.Duration(lat)*time.Microsecond
		out = append(out, &a)
	}
	return out, rows.Err()
}

// Event returns merchantID's event id.
func (db *DB) Event(ctx context.Context, merchantID, id string) (*openflex.Event, error) {
	var e openflex.Event
	var obj string
	var created int64
	err := db.q(ctx).QueryRowContext(ctx, `SELECT id, merchant_id, type, object, created FROM events WHERE id = $1 AND merchant_id = $2`, id, merchantID).
		Scan(&e.ID, &e.MerchantID, &e.Type, &obj, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("event", id)
	}
	if err != nil {
		return nil, err
	}
	e.Object, e.Created = []byte(obj), fromMicros(created)
	return &e, nil
}
