package api

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/storetest"
)

// TestVerificationLimits checks the windows of the verification limits on
// a controlled clock: Retry-After is the time until the oldest counted code
// leaves its window, and once it has, codes are sent again. The attack
// paths themselves are in internal/securitytest (TestFlood…).
func TestVerificationLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		// PRODUCTION's limits, on TRAINING's simulator (TRAINING's own are
		// in TestTrainingVerificationLimits).
		ev.credit[openflex.Training].Limits = credit.DefaultVerificationLimits()
		ma, mb := ev.merchant(openflex.Training), ev.merchant(openflex.Training)
		basic := func(mk merchantKeys) string { return "Basic " + mk.keySet.ClientID + ":" + mk.secret }
		number := ev.openAccount(t, basic(ma), ma.stores[0].ID, newApplicant("Zoë", credit.MagicApproveLowRisk))
		start := func(mk merchantKeys) reply {
			t.Helper()
			return ev.call("POST", "/v1/accounts/"+number+"/verifications", basic(mk), `{"channel":"sms"}`)
		}
		// want checks a reply; a 429's Retry-After must be retryAfter, the
		// time until the oldest counted code leaves its window. The clock
		// is real time moved forward by ev.advance, so the test's own
		// running time may take a few seconds off.
		want := func(what string, r reply, status int, retryAfter time.Duration) {
			t.Helper()
			ra := r.header.Get("Retry-After")
			secs, err := strconv.Atoi(ra)
			ok := r.status == status
			if status == 429 {
				hi := int(retryAfter / time.Second)
				ok = ok && r.code() == "rate_limited" && err == nil && secs <= hi && secs > hi-10 &&
					strings.Contains(r.message(), "; try again "+openflex.RetryIn(time.Duration(secs)*time.Second, "en"))
			} else {
				ok = ok && ra == ""
			}
			if !ok {
				t.Fatalf("%s = %d %s (Retry-After %q), want %d with Retry-After %v", what, r.status, r.raw, ra, status, retryAfter)
			}
		}

		// 3 codes in 10 minutes, across merchants.
		want("code 1 (merchant B)", start(mb), 201, 0)
		ev.advance(time.Minute)
		want("code 2 (merchant B)", start(mb), 201, 0)
		ev.advance(time.Minute)
		want("code 3 (merchant A)", start(ma), 201, 0)
		want("code 4 within 10 minutes", start(ma), 429, 8*time.Minute)
		ev.advance(8 * time.Minute)
		want("code 4 once the first has left the window", start(mb), 201, 0)

		// One merchant asks for at most 5 of the account's 10 daily codes.
		ev.advance(10 * time.Minute)
		want("code 5 (merchant B's 4th)", start(mb), 201, 0)
		ev.advance(10 * time.Minute)
		want("code 6 (merchant B's 5th)", start(mb), 201, 0)
		ev.advance(10 * time.Minute)
		// B's first code is 40 minutes old: it leaves the day in 23h20m.
		want("merchant B's 6th code in a day", start(mb), 429, credit.LimitDay-40*time.Minute)
		want("merchant A meanwhile", start(ma), 201, 0)

		// The day passes: everything is counted afresh.
		ev.advance(credit.LimitDay)
		want("merchant B the next day", start(mb), 201, 0)

		// Wrong codes: merchant B's share of the day's budget is 10.
		ev.advance(credit.LimitDay)
		for range 2 {
			r := start(mb)
			want("a code to guess", r, 201, 0)
			for i := range 5 {
				body := authorizationBody(number, mb.stores[0].ID, "in_store", 100_00, map[string]any{"id": r.json["id"], "code": strconv.Itoa(100_000 + i)}, nil)
				want("a wrong code", ev.call("POST", "/v1/authorizations", basic(mb), body), 402, 0)
			}
			ev.advance(5 * time.Minute)
		}
		want("merchant B after 10 wrong codes", start(mb), 429, credit.LimitDay-10*time.Minute)
		ev.advance(credit.LimitDay - 10*time.Minute)
		want("merchant B once they have left the day", start(mb), 201, 0)
	})
}

// TestTrainingVerificationLimits: TRAINING's per-account limits are ten
// times PRODUCTION's, so the README's walk and a few clerk tries never lock
// the demo account, and a refusal says when to try again, in words (in
// French too) as well as in Retry-After.
func TestTrainingVerificationLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		basic := "Basic " + mk.keySet.ClientID + ":" + mk.secret
		number := ev.openAccount(t, basic, mk.stores[0].ID, newApplicant("Zoë", credit.MagicApproveLowRisk))
		for i := range 30 {
			if r := ev.call("POST", "/v1/accounts/"+number+"/verifications", basic, `{"channel":"sms"}`); r.status != 201 {
				t.Fatalf("TRAINING code %d of 30 in 10 minutes = %d %s", i+1, r.status, r.raw)
			}
		}
		ev.advance(3 * time.Minute)
		r := ev.call("POST", "/v1/accounts/"+number+"/verifications", basic, `{"channel":"sms"}`)
		if r.status != 429 || r.header.Get("Retry-After") == "" || !strings.Contains(r.message(), "; try again in 7 minutes") {
			t.Fatalf("the 31st TRAINING code = %d %s (Retry-After %q), want 429 saying \"try again in 7 minutes\"", r.status, r.raw, r.header.Get("Retry-After"))
		}
		fr := ev.call("POST", "/v1/accounts/"+number+"/verifications", basic, `{"channel":"sms"}`, "Accept-Language", "fr-CA")
		if fr.status != 429 || !strings.Contains(fr.message(), "réessayez dans 7 minutes") {
			t.Fatalf("the refusal in French = %d %s, want \"réessayez dans 7 minutes\"", fr.status, fr.raw)
		}
	})
}
