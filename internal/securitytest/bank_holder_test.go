package securitytest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/storetest"
)

// Second review, LOW 4: bank account holder names took control characters
// and other scripts, were limited in bytes while the message said
// characters, and one name the payment file could not carry failed the
// file for every merchant.

// TestSmallBankHolderNames: in the admin console a holder name outside
// what a CPA-005 record carries is refused with a 400 naming the character
// set, a 30-character French name (more than 30 bytes) is taken; and the
// payout file leaves out, with its reason, the one payee it cannot carry
// while it pays the others.
func TestSmallBankHolderNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e)
		ctx := context.Background()
		const email, pw = "ops@lender.example", "correct horse battery staple 42"
		if err := p.Main.Portal.BootstrapAdmin(ctx, email, pw); err != nil {
			t.Fatal(err)
		}
		b := smallNewBrowser(t, p.URL)
		if st, body := b.submit("/portal/login", "/portal/login", url.Values{"email": {email}, "password": {pw}}); st != http.StatusSeeOther {
			t.Fatalf("admin log-in = %d:\n%s", st, body)
		}
		action := "/portal/admin/merchants/" + p.Merchant.ID + "/bank-account"
		post := func(name string) (int, string) {
			res, err := b.client.Get(p.URL + "/portal/admin/settlements")
			if err != nil {
				t.Fatal(err)
			}
			html, _ := io.ReadAll(res.Body)
			res.Body.Close()
			m := regexp.MustCompile(`action="` + regexp.QuoteMeta(action) + `"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"`).FindSubmatch(html)
			if m == nil {
				t.Fatalf("no bank-account form for %s:\n%s", p.Merchant.ID, html)
			}
			form := url.Values{"csrf": {string(m[1])}, "institution": {"004"}, "transit": {"12345"}, "account": {"9876543"}, "holder_name": {name}}
			req, _ := http.NewRequest("POST", p.URL+action, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", p.URL)
			res, err = b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			out, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(out)
		}
		for _, name := range []string{"Maple\x00Furniture", "Maple\x1b[2JFurniture", "Maple\u202eFurniture", "家具店", strings.Repeat("é", 31)} {
			st, body := post(name)
			if st != http.StatusBadRequest || !strings.Contains(body, "1 to 30 characters: letters A-Z") {
				t.Errorf("holder name %q = %d, want 400 naming the character set", name, st)
			}
			if got, err := p.Main.Stores.Control.BankAccount(ctx, p.Merchant.ID); err == nil {
				t.Fatalf("holder name %q was stored: %+v", name, got)
			}
		}
		if st, body := post("Meubles Éléphant & Fils Québec"); st != http.StatusSeeOther {
			t.Fatalf("a 30-character French name = %d:\n%s", st, body)
		}

		o := settlement.Originator{ID: "0123456789", ShortName: "OF", LongName: "OpenFlex", DataCentre: "00310",
			Returns: openflex.BankAccount{Institution: "001", Transit: "00011", Account: "1234567"}}
		acct := openflex.BankAccount{Institution: "004", Transit: "12345", Account: "9876543"}
		var file bytes.Buffer
		skipped, err := settlement.WriteCPA005(&file, o, 1, time.Now(), []settlement.Credit{
			{Amount: 100, Account: acct, PayeeName: "Maple Furniture"},
			{Amount: 200, Account: acct, PayeeName: "\x00\x07\x7f"}, // stored before names were checked
			{Amount: 300, Account: acct, PayeeName: "Last Merchant"},
		})
		if err != nil || len(skipped) != 1 || skipped[0].Index != 1 || !strings.Contains(skipped[0].Reason, "A-Z") {
			t.Fatalf("WriteCPA005 = %+v, %v; want the one bad payee skipped with its reason", skipped, err)
		}
		if !strings.Contains(file.String(), "MAPLE FURNITURE") || !strings.Contains(file.String(), "LAST MERCHANT") {
			t.Fatal("the other merchants are not in the file")
		}
	})
}
