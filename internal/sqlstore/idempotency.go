package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/dberr"
)

// Idempotent runs a retry-safe write.
//
// Phase one claims the key in its own short transaction: a completed key
// replays its stored response (replayed is true), a key bound to another
// request is refused with idempotency_key_reused, a key whose first request
// is still running with idempotency_key_in_use. Phase two runs do inside a
// write transaction and, in that same transaction, stores its response, so
// the record exists if and only if the effect committed.
//
// prepare, when not nil, runs after the claim and before the transaction:
// slow outside calls (a credit bureau) belong there, so a retry never makes
// them twice and no write transaction waits on them.
//
// When prepare or do fails, keep decides whether the failure is the key's final answer
// (a declined purchase, say): if so its response is stored for replay; if not
// (validation errors, internal errors) the claim is dropped so a corrected
// retry may run.
func (db *DB) Idempotent(ctx context.Context, req openflex.IdempotentRequest,
	prepare func(ctx context.Context) error,
	do func(ctx context.Context) (openflex.StoredResponse, error),
	keep func(error) (openflex.StoredResponse, bool),
) (resp openflex.StoredResponse, replayed bool, err error) {
	released := false
	release := func() {
		released = true
		// A fresh context: the request's may be cancelled already. Deleting
		// only an unfinished claim is right whatever an uncertain COMMIT
		// did: a completed key stays, an unfinished one is freed for the
		// client's retry instead of answering "in use" until its lease ends.
		bg := context.WithoutCancel(ctx)
		del := func(ctx context.Context) error {
			_, err := db.q(ctx).ExecContext(ctx,
				`DELETE FROM idempotency_keys WHERE merchant_id = $1 AND key = $2 AND state = 'in_progress'`,
				req.MerchantID, req.Key)
			return err
		}
		if err := db.Write(bg, del); err != nil && dberr.Unavailable(err) {
			// The database is failing over. The client has its 503 now;
			// freeing the key goes on in the background, so its retry does
			// not meet "in use" for the whole lease. Should it free a later
			// claim at the lease's end, that claim's effect cannot commit
			// (completeKey), so nothing runs twice.
			go func() {
				deadline := time.Now().Add(openflex.IdempotencyLease - 10*time.Second)
				for time.Now().Before(deadline) {
					if err := db.Write(bg, del); err == nil || !dberr.Unavailable(err) {
						return
					}
				}
			}()
		}
	}
	stored, err := db.claimKey(ctx, req)
	if err != nil || stored != nil {
		if stored != nil {
			return *stored, true, nil
		}
		if openflex.ErrorCode(err) == openflex.CodeUnavailable {
			// The claim's own COMMIT may have landed. A concurrent request
			// with the same key cannot be hurt by this: its effect commits
			// only if it still finds its claim in progress (completeKey).
			release()
		}
		return resp, false, err
	}
	defer func() {
		if p := recover(); p != nil {
			if !released {
				release()
			}
			panic(p)
		}
	}()
	if prepare != nil {
		err = prepare(ctx)
	}
	if err == nil {
		err = db.Write(ctx, func(ctx context.Context) error {
			r, err := do(ctx)
			if err != nil {
				return err
			}
			resp = r
			return db.completeKey(ctx, req, r)
		})
	}
	if err == nil {
		return resp, false, nil
	}
	if r, ok := keep(err); ok {
		if cerr := db.Write(context.WithoutCancel(ctx), func(ctx context.Context) error {
			return db.completeKey(ctx, req, r)
		}); cerr != nil {
			return resp, false, errors.Join(err, cerr)
		}
		return resp, false, err
	}
	release()
	return resp, false, err
}

func (db *DB) claimKey(ctx context.Context, req openflex.IdempotentRequest) (*openflex.StoredResponse, error) {
	var stored *openflex.StoredResponse
	err := db.Write(ctx, func(ctx context.Context) error {
		now := db.now()
		var (
			hash        []byte
			state       string
			lockedUntil int64
			status      int
			body        []byte
		)
		err := db.q(ctx).QueryRowContext(ctx, `SELECT request_hash, state, locked_until, response_status, response_body
			FROM idempotency_keys WHERE merchant_id = $1 AND key = $2`+db.forUpdate(),
			req.MerchantID, req.Key).Scan(&hash, &state, &lockedUntil, &status, &body)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = db.q(ctx).ExecContext(ctx, `INSERT INTO idempotency_keys
				(merchant_id, key, request_hash, method, path, state, locked_until, created)
				VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, $7)`,
				req.MerchantID, req.Key, req.Hash[:], req.Method, req.Path,
				micros(now.Add(openflex.IdempotencyLease)), micros(now))
			if isUniqueViolation(err) {
				return inUse()
			}
			return err
		case err != nil:
			return fmt.Errorf("read idempotency key: %w", err)
		case !bytes.Equal(hash, req.Hash[:]):
			return &openflex.Error{Code: openflex.CodeIdempotencyReused, Param: "Idempotency-Key",
				Message: "this Idempotency-Key was already used with a different request"}
		case state == "completed":
			plain, err := db.openResponse(req, body)
			if err != nil {
				return err
			}
			stored = &openflex.StoredResponse{Status: status, Body: plain}
			return nil
		case fromMicros(lockedUntil).After(now):
			return inUse()
		default:
			// The first attempt died without finishing: this retry takes over.
			_, err = db.q(ctx).ExecContext(ctx, `UPDATE idempotency_keys SET locked_until = $3
				WHERE merchant_id = $1 AND key = $2`,
				req.MerchantID, req.Key, micros(now.Add(openflex.IdempotencyLease)))
			return err
		}
	})
	return stored, err
}

func inUse() error {
	return &openflex.Error{Code: openflex.CodeIdempotencyInUse, Param: "Idempotency-Key",
		Message: "a request with this Idempotency-Key is still being processed; retry shortly"}
}

func (db *DB) completeKey(ctx context.Context, req openflex.IdempotentRequest, r openflex.StoredResponse) error {
	res, err := db.q(ctx).ExecContext(ctx, `UPDATE idempotency_keys
		SET state = 'completed', response_status = $3, response_body = $4, locked_until = 0
		WHERE merchant_id = $1 AND key = $2 AND state = 'in_progress'`,
		req.MerchantID, req.Key, r.Status, db.sealResponse(req, r.Body))
	if err != nil {
		return fmt.Errorf("store idempotent response: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return inUse()
	}
	return nil
}

// PurgeIdempotencyKeys deletes records older than the retention and returns
// how many went.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, olderThan time.Time) (int64, error) {
	var n int64
	err := db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created < $1 AND state = 'completed'`, micros(olderThan))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// forUpdate locks the row read on PostgreSQL; SQLite's single writer
// already serialises every write transaction.
func (db *DB) forUpdate() string {
	if db.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Stored responses can hold what must not sit in clear at rest (a hosted
// checkout's URL token, names): they are sealed like personal data, bound
// to their merchant and key.
func (db *DB) sealResponse(req openflex.IdempotentRequest, body []byte) []byte {
	if db.Vault == nil {
		return body
	}
	return db.Vault.Seal(body, []byte("idempotency "+req.MerchantID+" "+req.Key))
}

func (db *DB) openResponse(req openflex.IdempotentRequest, sealed []byte) ([]byte, error) {
	if db.Vault == nil {
		return sealed, nil
	}
	b, err := db.Vault.Open(sealed, []byte("idempotency "+req.MerchantID+" "+req.Key))
	if err != nil {
		return nil, fmt.Errorf("open stored response: %w", err)
	}
	return b, nil
}
