package securitytest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/storetest"
)

// Second review, HIGH: merchant A's applicant waits for review; merchant B
// posts an application with the same name and date of birth and gets its
// own pending copy. Approving that copy (staff in PRODUCTION, B alone
// through the TRAINING test helper) opened a second account in the
// customer's name and gave B standing consent on it. A repeat must open
// nothing and grant nothing: only the application the customer made opens
// the account, and only its merchant gets consent.

// repeatPending is a person the simulated bureau sends to manual review.
func repeatPending(first, last string) consentPerson {
	return consentPerson{first: first, last: last, dob: "1983-09-21"}
}

func (p consentPerson) pendingBody(store, email string) string {
	var m map[string]any
	_ = json.Unmarshal([]byte(p.body(store)), &m)
	a := m["applicant"].(map[string]any)
	a["middle_name"], a["email"], a["annual_income"] = credit.MagicPending, email, 250_000_00
	b, _ := json.Marshal(m)
	return string(b)
}

// repeatAccounts counts the accounts in the person's name, as search finds them.
func (cp *consentPlatform) repeatAccounts(t *testing.T, m consentMerchant, p consentPerson) []string {
	t.Helper()
	q := url.Values{"first_name": {p.first}, "last_name": {p.last}, "date_of_birth": {p.dob}}
	r := cp.consentMust(t, 200, cp.consentCall(t, m, "GET", "/v1/customers/search?"+q.Encode(), "", ""), "search")
	var out []string
	data, _ := r.json["data"].([]any)
	for _, d := range data {
		out = append(out, d.(map[string]any)["account_number"].(string))
	}
	return out
}

// TestRepeatApplicationOpensNothingForAnotherMerchant is the attack, in
// both environments, on every engine: B's copy of A's pending application
// cannot be decided on its own (not by B's test helper, not by staff); it
// follows A's decision, which opens one account with consent for A alone;
// B's online purchase on it needs the customer's code, and B's copy never
// had an account of its own to send codes for.
func TestRepeatApplicationOpensNothingForAnotherMerchant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		cp := consentStart(t, e)
		ctx := context.Background()
		for i, env := range []openflex.Environment{openflex.Training, openflex.Production} {
			t.Run(string(env), func(t *testing.T) {
				owner := cp.consentFirstMerchant(env)
				attacker := cp.consentNewMerchant(t, env, "Copycat Merchant")
				victim := repeatPending("Léa", fmt.Sprintf("Gagnon%c", 'a'+i))

				orig := cp.consentMust(t, 201, cp.consentCall(t, owner, "POST", "/v1/applications", "", victim.pendingBody(owner.Store, "lea@example.com")), "A's application")
				if orig.json["status"] != "pending" {
					t.Fatalf("A's application = %s, want pending", orig.raw)
				}
				origID := orig.json["id"].(string)

				// B's copy: pending too, with no account.
				cp1 := cp.consentMust(t, 201, cp.consentCall(t, attacker, "POST", "/v1/applications", "", victim.pendingBody(attacker.Store, "attacker@example.net")), "B's repeat")
				if cp1.json["status"] != "pending" || cp1.json["account"] != nil {
					t.Fatalf("B's repeat = %s, want pending without an account", cp1.raw)
				}
				copyID := cp1.json["id"].(string)
				if copyID == origID {
					t.Fatalf("B got A's application id %s", origID)
				}

				// B approves its copy: TRAINING through the test helper, PRODUCTION as staff would.
				if env == openflex.Training {
					r := cp.consentCall(t, attacker, "POST", "/v1/test_helpers/applications/"+copyID+"/decide", "", `{"status":"approved"}`)
					if r.status != 400 || r.errorField("code") != "parameter_invalid" {
						t.Fatalf("B deciding its repeat = %d %s, want 400 parameter_invalid", r.status, r.raw)
					}
				}
				for _, status := range []openflex.ApplicationStatus{openflex.ApplicationApproved, openflex.ApplicationDeclined} {
					if _, acct, err := cp.Main.Credit[env].Decide(ctx, "", copyID, status, 0); openflex.ErrorCode(err) != openflex.CodeParameterInvalid || acct != nil {
						t.Fatalf("staff deciding the repeat %s = %v, %v; want parameter_invalid (decide %s)", status, acct, err, origID)
					}
				}
				if got := cp.repeatAccounts(t, owner, victim); len(got) != 0 {
					t.Fatalf("accounts after B's tries = %v, want none", got)
				}

				// The review queue shows the copy as a repeat of A's application.
				pending, err := cp.Main.Credit[env].Pending(ctx, 100)
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]string{}
				for _, a := range pending {
					seen[a.ID] = a.RepeatOf
				}
				if r, ok := seen[copyID]; !ok || r != origID {
					t.Fatalf("review queue shows the copy %s as a repeat of %q (listed %v), want %s", copyID, r, ok, origID)
				}
				if seen[origID] != "" {
					t.Fatalf("A's own application is listed as a repeat of %s", seen[origID])
				}

				// A's application is decided: one account, consent for A alone.
				app, acct, err := cp.Main.Credit[env].Decide(ctx, "", origID, openflex.ApplicationApproved, 0)
				if err != nil || acct == nil {
					t.Fatalf("deciding A's application = %v, %v", app, err)
				}
				number := acct.Number
				if got := cp.repeatAccounts(t, owner, victim); len(got) != 1 || got[0] != number {
					t.Fatalf("accounts = %v, want only %s", got, number)
				}
				if _, c := cp.consentAccount(t, owner, number); c == nil || c["source"] != "application" {
					t.Fatalf("A's consent = %v, want by application", c)
				}
				if _, c := cp.consentAccount(t, attacker, number); c != nil {
					t.Fatalf("B holds consent %v", c)
				}

				// B's copy followed: approved, on the same account; B can
				// charge it only with the customer's code.
				got := cp.consentMust(t, 200, cp.consentCall(t, attacker, "GET", "/v1/applications/"+copyID, "", ""), "B's copy")
				if a, _ := got.json["account"].(map[string]any); got.json["status"] != "approved" || a == nil || a["account_number"] != number {
					t.Fatalf("B's copy after A's decision = %s, want approved on %s", got.raw, number)
				}
				cp.consentRefused(t, attacker, number, "", consentPurchase(number, attacker.Store, "online", nil), 403, "customer_consent_required")

				// A repeat after the decision opens nothing either.
				again := cp.consentMust(t, 201, cp.consentCall(t, attacker, "POST", "/v1/applications", "", victim.pendingBody(attacker.Store, "attacker@example.net")), "B's second repeat")
				if a, _ := again.json["account"].(map[string]any); a == nil || a["account_number"] != number {
					t.Fatalf("B's second repeat = %s, want the one account", again.raw)
				}
				if got := cp.repeatAccounts(t, owner, victim); len(got) != 1 {
					t.Fatalf("accounts = %v, want one", got)
				}
				if _, c := cp.consentAccount(t, attacker, number); c != nil {
					t.Fatalf("B holds consent %v", c)
				}
			})
		}
	})
}

// TestRepeatApplicationAfterTheWindowKeepsOneAccount: past the 30-day
// window a new application of a person who holds an open account answers
// with that account (no bureau inquiry, no consent for the new merchant);
// only staff open a second one, deliberately, with a reason.
func TestRepeatApplicationAfterTheWindowKeepsOneAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		cp := consentStart(t, e)
		ctx := context.Background()
		env := openflex.Production
		owner := cp.consentFirstMerchant(env)
		other := cp.consentNewMerchant(t, env, "Later Merchant")
		person := consentPerson{first: "Noé", last: "Bouchard", dob: "1975-01-30"}
		number := cp.consentOpenAccount(t, owner, person)

		later := *cp.Main.Credit[env]
		later.Now = func() time.Time { return time.Now().Add(credit.DuplicateWindow + 24*time.Hour) }
		p, err := later.Prepare(ctx, credit.ApplyRequest{MerchantID: other.ID, StoreID: other.Store, Applicant: person.applicant(),
			Consent: openflex.Consent{CreditCheck: true, TermsAccepted: true, IP: "203.0.113.7"}})
		if err != nil {
			t.Fatal(err)
		}
		app, acct, err := later.Commit(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Repeat() || acct == nil || acct.Number != number || app.RepeatOf == "" {
			t.Fatalf("application past the window = %+v, %v; want a repeat answering account %s", app, acct, number)
		}
		if got := cp.repeatAccounts(t, owner, person); len(got) != 1 {
			t.Fatalf("accounts = %v, want one", got)
		}
		if _, c := cp.consentAccount(t, other, number); c != nil {
			t.Fatalf("the later merchant holds consent %v", c)
		}
	})
}

// TestRepeatApplicationConcurrentFirstsOpenOneAccount: two merchants'
// applications of one new person, both decided by the bureau before
// either is stored, commit at once: one opens the account (with consent
// for its merchant), the other becomes its repeat, with no consent.
func TestRepeatApplicationConcurrentFirstsOpenOneAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		cp := consentStart(t, e)
		ctx := context.Background()
		env := openflex.Production
		a, b := cp.consentFirstMerchant(env), cp.consentNewMerchant(t, env, "Racing Merchant")
		person := consentPerson{first: "Éloi", last: "Concurrent", dob: "1986-11-11"}
		svc := cp.Main.Credit[env]
		var preps []*credit.Prepared
		for _, m := range []consentMerchant{a, b} {
			p, err := svc.Prepare(ctx, credit.ApplyRequest{MerchantID: m.ID, StoreID: m.Store, Applicant: person.applicant(),
				Consent: openflex.Consent{CreditCheck: true, TermsAccepted: true, IP: "203.0.113.9"}})
			if err != nil || p.Repeat() {
				t.Fatalf("Prepare = %v, repeat %v", err, p != nil && p.Repeat())
			}
			preps = append(preps, p)
		}
		type result struct {
			app *openflex.Application
			err error
		}
		results := make(chan result, 2)
		for _, p := range preps {
			go func() {
				app, _, err := svc.Commit(ctx, p)
				results <- result{app, err}
			}()
		}
		opened, repeats := 0, 0
		for range 2 {
			r := <-results
			switch {
			case r.err != nil:
				t.Fatal(r.err)
			case r.app.RepeatOf == "":
				opened++
			default:
				repeats++
			}
		}
		if opened != 1 || repeats != 1 {
			t.Fatalf("opened %d, repeats %d; want one of each", opened, repeats)
		}
		got := cp.repeatAccounts(t, a, person)
		if len(got) != 1 {
			t.Fatalf("accounts = %v, want one", got)
		}
		consents := 0
		for _, m := range []consentMerchant{a, b} {
			if _, c := cp.consentAccount(t, m, got[0]); c != nil {
				consents++
			}
		}
		if consents != 1 {
			t.Fatalf("%d merchants hold consent on the one account, want 1", consents)
		}
	})
}
