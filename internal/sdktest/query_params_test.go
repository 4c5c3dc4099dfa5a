package sdktest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex/sdk"
)

// queryRecorder is a client's transport: it grants a token, answers every
// other call with an empty list and keeps the query each path was sent.
type queryRecorder struct {
	mu   sync.Mutex
	sent map[string][]string // path → the query's parameter names, sorted
}

func (q *queryRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	body := `{"object":"list","data":[],"has_more":false}`
	if r.URL.Path == "/oauth/token" {
		body = `{"access_token":"tok","token_type":"Bearer","expires_in":3600,"environment":"training"}`
	} else {
		var names []string
		for k := range r.URL.Query() {
			names = append(names, k)
		}
		slices.Sort(names)
		q.mu.Lock()
		q.sent[r.URL.Path] = names
		q.mu.Unlock()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// fill sets every field of the struct v points to (embedded ones too) to
// a value that is not zero, so that the SDK sends every parameter it can.
func fill(v reflect.Value) {
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case !f.CanSet():
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)))
		case f.Kind() == reflect.Struct:
			fill(f)
		case f.Kind() == reflect.String:
			f.SetString("x")
		case f.Kind() == reflect.Int || f.Kind() == reflect.Int64:
			f.SetInt(5)
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		}
	}
}

// contractQuery is the query parameters the contract documents for
// GET path (a template such as /v1/settlements/{id}/lines), sorted.
func contractQuery(t *testing.T, path string) []string {
	t.Helper()
	var doc struct {
		Paths map[string]struct {
			Get *struct {
				Parameters []struct {
					Ref  string `json:"$ref"`
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
			} `json:"get"`
		} `json:"paths"`
		Components struct {
			Parameters map[string]struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"components"`
	}
	b, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	op := doc.Paths[path].Get
	if op == nil {
		t.Fatalf("the contract has no GET %s", path)
	}
	var names []string
	for _, p := range op.Parameters {
		if p.Ref != "" {
			c := doc.Components.Parameters[p.Ref[strings.LastIndex(p.Ref, "/")+1:]]
			p.Name, p.In = c.Name, c.In
		}
		if p.In == "query" {
			names = append(names, p.Name)
		}
	}
	slices.Sort(names)
	return names
}

// TestQueryParametersMatchTheContract fills every field of each list's
// (and each search's) parameters and checks that the SDK sends exactly
// the query parameters the contract documents for it: no more (the
// server refuses an unknown one, as /v1/settlements refused created_from)
// and no fewer (a filter the SDK cannot ask for).
func TestQueryParametersMatchTheContract(t *testing.T) {
	rec := &queryRecorder{sent: map[string][]string{}}
	c, err := sdk.New("ofk_train_test", secretFor("train"), sdk.WithBaseURL("https://api.lender.example"), sdk.WithHTTPClient(&http.Client{Transport: rec}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		contract string // the contract's path
		sent     string // the path the call reaches
		params   any
		call     func(p any) error
	}{
		{"/v1/stores", "/v1/stores", &sdk.StoreListParams{}, func(p any) error {
			_, err := c.Stores.List(ctx, p.(*sdk.StoreListParams))
			return err
		}},
		{"/v1/stores/{id}/summary", "/v1/stores/str_1/summary", &sdk.StoreSummaryParams{}, func(p any) error {
			_, err := c.Stores.Summary(ctx, "str_1", p.(*sdk.StoreSummaryParams))
			return err
		}},
		{"/v1/customers/search", "/v1/customers/search", &sdk.AccountSearchParams{}, func(p any) error {
			_, err := c.Accounts.Search(ctx, p.(*sdk.AccountSearchParams))
			return err
		}},
		{"/v1/authorizations", "/v1/authorizations", &sdk.AuthorizationListParams{}, func(p any) error {
			_, err := c.Authorizations.List(ctx, p.(*sdk.AuthorizationListParams))
			return err
		}},
		{"/v1/captures", "/v1/captures", &sdk.CaptureListParams{}, func(p any) error {
			_, err := c.Captures.List(ctx, p.(*sdk.CaptureListParams))
			return err
		}},
		{"/v1/returns", "/v1/returns", &sdk.ReturnListParams{}, func(p any) error {
			_, err := c.Returns.List(ctx, p.(*sdk.ReturnListParams))
			return err
		}},
		{"/v1/transactions", "/v1/transactions", &sdk.TransactionListParams{}, func(p any) error {
			_, err := c.Transactions.List(ctx, p.(*sdk.TransactionListParams))
			return err
		}},
		{"/v1/events", "/v1/events", &sdk.EventListParams{}, func(p any) error {
			_, err := c.Events.List(ctx, p.(*sdk.EventListParams))
			return err
		}},
		{"/v1/webhook_endpoints/{id}/deliveries", "/v1/webhook_endpoints/we_1/deliveries", &sdk.WebhookDeliveryListParams{}, func(p any) error {
			_, err := c.WebhookEndpoints.Deliveries(ctx, "we_1", p.(*sdk.WebhookDeliveryListParams))
			return err
		}},
		{"/v1/settlements", "/v1/settlements", &sdk.SettlementListParams{}, func(p any) error {
			_, err := c.Settlements.List(ctx, p.(*sdk.SettlementListParams))
			return err
		}},
		{"/v1/settlements/{id}/lines", "/v1/settlements/stl_1/lines", &sdk.ListParams{}, func(p any) error {
			_, err := c.Settlements.Lines(ctx, "stl_1", p.(*sdk.ListParams))
			return err
		}},
		{"/v1/public/promotions", "/v1/public/promotions", nil, func(any) error {
			_, err := c.Promotions.Get(ctx, 500_00)
			return err
		}},
		{"/v1/plans", "/v1/plans", nil, func(any) error {
			_, err := c.Plans.List(ctx)
			return err
		}},
		{"/v1/webhook_endpoints", "/v1/webhook_endpoints", nil, func(any) error {
			_, err := c.WebhookEndpoints.List(ctx)
			return err
		}},
	} {
		if tc.params != nil {
			fill(reflect.ValueOf(tc.params).Elem())
		}
		if err := tc.call(tc.params); err != nil {
			t.Errorf("GET %s: %v", tc.sent, err)
			continue
		}
		rec.mu.Lock()
		got, ok := rec.sent[tc.sent]
		rec.mu.Unlock()
		if !ok {
			t.Errorf("the call for %s reached no such path (sent: %v)", tc.contract, rec.sent)
			continue
		}
		if want := contractQuery(t, tc.contract); !slices.Equal(got, want) {
			t.Errorf("GET %s: the SDK sends %v, the contract documents %v", tc.contract, got, want)
		}
	}
}
