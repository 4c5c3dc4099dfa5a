package securitytest

import (
	"fmt"
	"testing"

	"github.com/openflex/openflex/internal/storetest"
)

// TestLineItemsMatchAmount: the lines a merchant sends are shown to the
// shopper (hosted checkout) and kept on the authorization next to the
// amount, so they may never tell another price: items of $1.00 on an
// amount of $5,000.00 are refused, naming items. Both routes take one
// line-item shape with every member required.
func TestLineItemsMatchAmount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := strictSetup(t, e)
		checkout := func(amount int64, items string) string {
			return fmt.Sprintf(`{"amount":%d,"currency":"CAD","store_id":%q,"success_url":"https://shop.example.com/ok",
				"cancel_url":"https://shop.example.com/cancel","items":%s}`, amount, w.storeID, items)
		}
		authorization := func(amount int64, items, taxes string) string {
			return fmt.Sprintf(`{"account_number":%q,"amount":%d,"currency":"CAD","store_id":%q,"channel":"online","items":%s%s}`,
				w.account, amount, w.storeID, items, taxes)
		}
		sofa := `[{"sku":"SOFA","description":"Sofa","quantity":1,"unit_price":100}]`
		twoLines := `[{"sku":"SOFA","description":"Sofa","quantity":2,"unit_price":100000},{"sku":"SHIP","description":"Delivery","quantity":1,"unit_price":5000}]`
		tests := []struct {
			name, path, body string
			code, param      string
		}{
			{"checkout: $1.00 of items for $5,000.00", "/v1/checkouts", checkout(5000_00, sofa), "parameter_invalid", "items"},
			{"checkout: lines one cent short", "/v1/checkouts", checkout(2050_01, twoLines), "parameter_invalid", "items"},
			{"checkout: an item with only a quantity", "/v1/checkouts", checkout(100, `[{"quantity":1}]`), "parameter_missing", "items[0].sku"},
			{"checkout: an empty description", "/v1/checkouts", checkout(100, `[{"sku":"A","description":"","quantity":1,"unit_price":100}]`),
				"parameter_invalid", "items[0].description"},
			{"checkout: a quantity so large the total overflows", "/v1/checkouts",
				checkout(100, `[{"sku":"A","description":"a","quantity":9223372036854775807,"unit_price":9999999999}]`), "parameter_invalid", "items"},
			{"authorization: $1.00 of items for $5,000.00", "/v1/authorizations", authorization(5000_00, sofa, ""), "parameter_invalid", "items"},
			{"authorization: lines without their taxes", "/v1/authorizations", authorization(2050_00+266_50, twoLines, ""), "parameter_invalid", "items"},
			{"authorization: an item with only a quantity", "/v1/authorizations", authorization(100, `[{"quantity":1}]`, ""), "parameter_missing", "items[0].sku"},
			{"authorization: an item without a unit price", "/v1/authorizations",
				authorization(100, `[{"sku":"A","description":"a","quantity":1}]`, ""), "parameter_missing", "items[0].unit_price"},
		}
		before := strictSnapshot(t, w)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := strictCall(t, w, "POST", tt.path, tt.body)
				if r.status != 400 || r.errField("code") != tt.code || r.errField("param") != tt.param {
					t.Fatalf("POST %s %s = %v; want 400 %s naming %q", tt.path, tt.body, r, tt.code, tt.param)
				}
			})
		}
		strictUnchanged(t, w, before)
		// Lines that add up, with taxes where the route takes them.
		if r := strictCall(t, w, "POST", "/v1/checkouts", checkout(2050_00, twoLines)); r.status != 201 {
			t.Errorf("checkout with matching lines = %v, want 201", r)
		}
		if r := strictCall(t, w, "POST", "/v1/authorizations", authorization(2050_00+266_50, twoLines, `,"taxes":{"gst_hst":26650,"pst":0}`)); r.status != 201 {
			t.Errorf("authorization with matching lines and taxes = %v, want 201", r)
		}
	})
}
