package lending_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/storetest"
)

// model is what the ledger must agree with after every step: a plain
// in-memory account, its authorizations and captures.
type model struct {
	limit, held, posted int64
	auths               []*modelAuth
	caps                []*modelCap
}

type modelAuth struct {
	id               string
	amount, cap, rel int64
	open             bool
}

type modelCap struct {
	id               string
	amount, returned int64
}

func (m *model) available() int64 { return m.limit - m.held - m.posted }

// TestLedgerAgainstModel runs random sequences of authorize, capture,
// release, expire, return and pay, and after every step checks the account
// against the model and the ledger against the balances.
func TestLedgerAgainstModel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		le := newLedger(t, e)
		rapid.Check(t, func(rt *rapid.T) {
			m := &model{limit: rapid.Int64Range(1, 5000_00).Draw(rt, "limit")}
			n := le.account(m.limit)
			steps := rapid.IntRange(1, 30).Draw(rt, "steps")
			for i := 0; i < steps; i++ {
				step(rt, le, m, n)
				_, held, posted, avail := le.balances(n)
				if held != m.held || posted != m.posted || avail != max(m.available(), 0) {
					rt.Fatalf("after step %d: held %d posted %d available %d; model %d %d %d", i, held, posted, avail, m.held, m.posted, m.available())
				}
				if avail < 0 || held < 0 {
					rt.Fatalf("negative balance: held %d available %d", held, avail)
				}
			}
			bad, err := le.db.VerifyLedger(le.ctx)
			if err != nil || len(bad) > 0 {
				rt.Fatalf("ledger mismatch: %+v %v", bad, err)
			}
		})
	})
}

func step(rt *rapid.T, le *ledgerEnv, m *model, n string) {
	var open []*modelAuth
	for _, a := range m.auths {
		if a.open {
			open = append(open, a)
		}
	}
	switch rapid.IntRange(0, 5).Draw(rt, "action") {
	case 0: // authorize
		amount := rapid.Int64Range(1, m.limit+m.limit/5+1).Draw(rt, "amount")
		v, err := le.authorize(n, amount)
		if amount > m.available() {
			if openflex.ErrorCode(err) != openflex.CodeInsufficientCred {
				rt.Fatalf("authorize %d with %d available: %v, want insufficient_credit", amount, m.available(), err)
			}
			return
		}
		if err != nil {
			rt.Fatalf("authorize %d: %v", amount, err)
		}
		m.held += amount
		m.auths = append(m.auths, &modelAuth{id: v.ID, amount: amount, open: true})
	case 1: // capture
		if len(open) == 0 {
			return
		}
		a := rapid.SampledFrom(open).Draw(rt, "auth")
		remaining := a.amount - a.cap - a.rel
		amount := rapid.Int64Range(0, remaining+2).Draw(rt, "capture")
		final := rapid.Bool().Draw(rt, "final")
		_, c, err := le.svc.Capture(le.ctx, "mer_test", a.id, amount, "", final)
		if amount > remaining {
			if openflex.ErrorCode(err) != openflex.CodeAmountExceeds {
				rt.Fatalf("capture %d of %d: %v, want amount_exceeds_remaining", amount, remaining, err)
			}
			return
		}
		if err != nil {
			rt.Fatalf("capture: %v", err)
		}
		if amount == 0 {
			amount = remaining
		}
		a.cap += amount
		m.held -= amount
		m.posted += amount
		mc := &modelCap{id: c.ID, amount: amount}
		m.caps = append(m.caps, mc)
		if rest := a.amount - a.cap - a.rel; rest == 0 || final {
			a.rel += rest
			m.held -= rest
			a.open = false
		}
	case 2, 3: // release or expire
		if len(m.auths) == 0 {
			return
		}
		a := rapid.SampledFrom(m.auths).Draw(rt, "auth")
		var err error
		if rapid.Bool().Draw(rt, "expire") {
			_, err = le.svc.Expire(le.ctx, "mer_test", a.id)
		} else {
			_, err = le.svc.Release(le.ctx, "mer_test", a.id)
		}
		if !a.open {
			if openflex.ErrorCode(err) != openflex.CodeAuthNotOpen {
				rt.Fatalf("ending a closed authorization: %v", err)
			}
			return
		}
		if err != nil {
			rt.Fatalf("release: %v", err)
		}
		rest := a.amount - a.cap - a.rel
		a.rel += rest
		m.held -= rest
		a.open = false
	case 4: // return
		if len(m.caps) == 0 {
			return
		}
		c := rapid.SampledFrom(m.caps).Draw(rt, "capture")
		left := c.amount - c.returned
		full := rapid.Bool().Draw(rt, "full")
		amount := left
		req := lendingReturn(c.id, 0, true)
		if !full {
			amount = rapid.Int64Range(1, c.amount+1).Draw(rt, "return")
			req = lendingReturn(c.id, amount, false)
		}
		_, err := le.svc.Return(le.ctx, req)
		if amount > left || amount == 0 {
			if openflex.ErrorCode(err) != openflex.CodeReturnExceeds {
				rt.Fatalf("return %d of %d left: %v, want return_exceeds_captured", amount, left, err)
			}
			return
		}
		if err != nil {
			rt.Fatalf("return: %v", err)
		}
		c.returned += amount
		m.posted -= amount
	case 5: // customer payment
		// Returns after payments can leave a credit balance (posted < 0).
		amount := rapid.Int64Range(1, max(m.posted, 0)+2).Draw(rt, "payment")
		_, err := le.svc.Pay(le.ctx, n, amount)
		if amount > m.posted {
			if openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
				rt.Fatalf("overpayment %d of %d owed: %v", amount, m.posted, err)
			}
			return
		}
		if err != nil {
			rt.Fatalf("pay: %v", err)
		}
		m.posted -= amount
	}
}

func lendingReturn(captureID string, amount int64, full bool) lending.ReturnRequest {
	return lending.ReturnRequest{MerchantID: "mer_test", CaptureID: captureID, Amount: amount, Full: full}
}
