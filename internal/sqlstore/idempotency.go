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
// Without prepare (every money movement), the key is claimed inside the
// effect's own write transaction: the claim row is inserted first, then do
// runs, then the row is completed with the response, and all of it commits
// once. A concurrent duplicate waits — on the key's unique index on
// PostgreSQL, for the single writer on SQLite — and, once the first commits,
// finds the completed row and replays it (replayed is true); if the first
// rolled back, the duplicate's own insert succeeds and it runs. So a
// retry-safe write costs one commit, and a key bound to another request is
// still refused with idempotency_key_reused.
//
// With prepare (a credit bureau call, a verification code check), phase one
// claims the key in its own short transaction, so a slow outside call never
// sits inside a write transaction and is never made twice: a concurrent
// duplicate is told idempotency_key_in_use. prepare then runs, and phase two
// runs do in a write transaction that also stores the response, so the
// record exists if and only if the effect committed.
//
// When prepare or do fails, keep decides whether the failure is the key's
// final answer (a declined purchase, say): if so its response is stored for
// replay; if not (validation errors, internal errors) nothing of the
// request is kept, so a corrected retry may run.
func (db *DB) Idempotent(ctx context.Context, req openflex.IdempotentRequest,
	prepare func(ctx context.Context) error,
	do func(ctx context.Context) (openflex.StoredResponse, error),
	keep func(error) (openflex.StoredResponse, bool),
) (resp openflex.StoredResponse, replayed bool, err error) {
	if prepare == nil {
		return db.idempotentOneTx(ctx, req, do, keep)
	}
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

// idempotentOneTx is the single-transaction path of Idempotent.
func (db *DB) idempotentOneTx(ctx context.Context, req openflex.IdempotentRequest,
	do func(ctx context.Context) (openflex.StoredResponse, error),
	keep func(error) (openflex.StoredResponse, bool),
) (resp openflex.StoredResponse, replayed bool, err error) {
	err = db.Write(ctx, func(ctx context.Context) error {
		replayed = false
		stored, err := db.claimInTx(ctx, req)
		if err != nil || stored != nil {
			if stored != nil {
				resp, replayed = *stored, true
			}
			return err
		}
		r, err := do(ctx)
		if err != nil {
			return err
		}
		resp = r
		return db.completeClaimed(ctx, req, r)
	})
	if err == nil || replayed {
		return resp, replayed, err
	}
	final, ok := keep(err)
	if !ok {
		// The transaction rolled back with the claim: nothing is kept.
		return openflex.StoredResponse{}, false, err
	}
	// A final refusal is stored in a transaction of its own: the effect's
	// rolled back, claim included. A duplicate may have run in between;
	// then its stored answer is the key's, and this caller gets it too.
	stored, cerr := db.storeFinal(context.WithoutCancel(ctx), req, final)
	switch {
	case cerr != nil:
		return resp, false, errors.Join(err, cerr)
	case stored != nil:
		return *stored, true, nil
	}
	return resp, false, err
}

// claimInTx inserts the key's claim in the write transaction carried by ctx.
// ON CONFLICT DO NOTHING waits for a concurrent inserter of the same key to
// finish (PostgreSQL's unique index) without aborting the transaction; the
// row is then read as it committed.
func (db *DB) claimInTx(ctx context.Context, req openflex.IdempotentRequest) (*openflex.StoredResponse, error) {
	now := db.now()
	res, err := db.q(ctx).ExecContext(ctx, `INSERT INTO idempotency_keys
		(merchant_id, key, request_hash, method, path, state, locked_until, created)
		VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, $7)
		ON CONFLICT (merchant_id, key) DO NOTHING`,
		req.MerchantID, req.Key, req.Hash[:], req.Method, req.Path,
		micros(now.Add(openflex.IdempotencyLease)), micros(now))
	if err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, nil
	}
	return db.existingKey(ctx, req, now)
}

// existingKey decides what a request meets when its key is already there:
// a replay, a refusal, or (the first holder died mid-way) a takeover.
func (db *DB) existingKey(ctx context.Context, req openflex.IdempotentRequest, now time.Time) (*openflex.StoredResponse, error) {
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
		// Released between the insert and this read (a two-phase holder
		// whose request failed): the client retries and runs.
		return nil, inUse()
	case err != nil:
		return nil, fmt.Errorf("read idempotency key: %w", err)
	case !bytes.Equal(hash, req.Hash[:]):
		return nil, &openflex.Error{Code: openflex.CodeIdempotencyReused, Param: "Idempotency-Key",
			Message: "this Idempotency-Key was already used with a different request"}
	case state == "completed":
		plain, err := db.openResponse(req, body)
		if err != nil {
			return nil, err
		}
		return &openflex.StoredResponse{Status: status, Body: plain}, nil
	case fromMicros(lockedUntil).After(now):
		return nil, inUse()
	default:
		// The first attempt died without finishing: this one takes over.
		_, err = db.q(ctx).ExecContext(ctx, `UPDATE idempotency_keys SET locked_until = $3
			WHERE merchant_id = $1 AND key = $2`,
			req.MerchantID, req.Key, micros(now.Add(openflex.IdempotencyLease)))
		return nil, err
	}
}

// storeFinal records a final refusal as the key's answer, unless another
// attempt completed the key first (its answer is returned instead).
func (db *DB) storeFinal(ctx context.Context, req openflex.IdempotentRequest, r openflex.StoredResponse) (*openflex.StoredResponse, error) {
	var stored *openflex.StoredResponse
	err := db.Write(ctx, func(ctx context.Context) error {
		stored = nil
		now := db.now()
		res, err := db.q(ctx).ExecContext(ctx, `INSERT INTO idempotency_keys
			(merchant_id, key, request_hash, method, path, state, locked_until, response_status, response_body, created)
			VALUES ($1, $2, $3, $4, $5, 'completed', 0, $6, $7, $8)
			ON CONFLICT (merchant_id, key) DO NOTHING`,
			req.MerchantID, req.Key, req.Hash[:], req.Method, req.Path,
			r.Status, db.sealResponse(req, r.Body), micros(now))
		if err != nil {
			return fmt.Errorf("store idempotent response: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		if stored, err = db.existingKey(ctx, req, now); err != nil || stored != nil {
			return err
		}
		return db.completeKey(ctx, req, r) // taken over from a dead holder
	})
	return stored, err
}

// claimKey claims the key in a short transaction of its own (the two-phase
// path, for writes with an outside call first): the same decision as
// claimInTx, committed before the outside call.
func (db *DB) claimKey(ctx context.Context, req openflex.IdempotentRequest) (*openflex.StoredResponse, error) {
	var stored *openflex.StoredResponse
	err := db.Write(ctx, func(ctx context.Context) error {
		var err error
		stored, err = db.claimInTx(ctx, req)
		return err
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

// completeClaimed is completeKey for a key claimed by claimInTx in the same
// transaction, sent with execLater (with COMMIT, on PostgreSQL) because its
// row count cannot be anything but 1: that transaction inserted the row in
// progress, or locked it in progress (existingKey's FOR UPDATE) and took it
// over, and holds its lock until it ends, so no one else can complete,
// release or take over the key in between, and no effect touches it.
func (db *DB) completeClaimed(ctx context.Context, req openflex.IdempotentRequest, r openflex.StoredResponse) error {
	return db.execLater(ctx, "store idempotent response", `UPDATE idempotency_keys
		SET state = 'completed', response_status = $3, response_body = $4, locked_until = 0
		WHERE merchant_id = $1 AND key = $2 AND state = 'in_progress'`,
		req.MerchantID, req.Key, r.Status, db.sealResponse(req, r.Body))
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
