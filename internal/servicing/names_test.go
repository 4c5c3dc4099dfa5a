package servicing_test

import (
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

// TestStatementNamesMerchantAndStore: a statement names each charge's
// merchant and store by the names recorded with the purchase (a return's
// credit too), in both
// languages, the plan by its merchant's; a purchase recorded before names
// were (its state has ids only) still reads as it always did.
func TestStatementNamesMerchantAndStore(t *testing.T) {
	deferred := finance.Terms{Category: finance.Deferred, Months: 12, AnnualRate: 29_990}
	for _, tc := range []struct {
		name, lang              string
		merchantName, storeName string
		want                    []string
		notWant                 []string
	}{
		{"names, English", "en", "Maple Furniture", "Downtown",
			[]string{"Purchase — Maple Furniture — Downtown — Armchair", "Purchase — Maple Furniture — Downtown — Television",
				"Return — Maple Furniture — Downtown — Armchair", "Television (Maple Furniture)"},
			[]string{"mer_maple", "str_downtown"}},
		{"names, French", "fr", "Maple Furniture", "Downtown",
			[]string{"Achat — Maple Furniture — Downtown — Armchair", "Retour — Maple Furniture — Downtown — Armchair", "Television (Maple Furniture)"},
			[]string{"mer_maple", "str_downtown"}},
		{"recorded before names", "en", "", "",
			[]string{"Purchase — mer_maple — str_downtown — Armchair", "Television (mer_maple)"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := open(t, d(2025, 3, 1), "ON")
			a.Opening.Language = tc.lang
			for _, p := range []servicing.Purchase{
				{ID: "cap_1", Amount: 500_00, Terms: regular, Description: "Armchair"},
				{ID: "cap_2", Amount: 1_500_00, Terms: deferred, Description: "Television"},
			} {
				p.Date, p.Merchant, p.Store, p.MerchantName, p.StoreName = d(2025, 3, 1), "mer_maple", "str_downtown", tc.merchantName, tc.storeName
				must(t)(a.Purchase(p))
			}
			run(t, a, d(2025, 3, 10))
			must(t)(a.Return(servicing.Return{ID: "ret_1", PurchaseID: "cap_1", Date: a.OpenDay(), Amount: 50_00, Description: "Armchair",
				Merchant: "mer_maple", Store: "str_downtown", MerchantName: tc.merchantName, StoreName: tc.storeName}))
			st := run(t, a, d(2025, 3, 31))
			if len(st) != 1 {
				t.Fatalf("statements = %d, want 1", len(st))
			}
			text := servicing.Render(st[0])
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the statement lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("the statement shows the id %q:\n%s", w, text)
				}
			}
			if l := st[0].Lines[0]; l.Merchant != "mer_maple" || l.Store != "str_downtown" {
				t.Errorf("line ids = %q, %q; machines keep reading the ids", l.Merchant, l.Store)
			}
		})
	}
}
