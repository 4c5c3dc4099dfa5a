package storefront

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// client is all of OpenFlex this store needs: four calls of the merchant
// API, authenticated with the key set's Client ID and Secret. It runs on
// the server only; the secret never reaches a browser.
type client struct {
	base, id, secret string
	http             *http.Client
}

// APIError is an error reply of the OpenFlex API.
type APIError struct {
	Status    int
	Code      string `json:"code"`
	Param     string `json:"param"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("openflex: %d %s: %s (request %s)", e.Status, e.Code, e.Message, e.RequestID)
}

// checkout is the part of an OpenFlex checkout the store reads.
type checkout struct {
	ID              string `json:"id"`
	Status          string `json:"status"` // open, completed, cancelled, expired
	Amount          int64  `json:"amount"`
	Reference       string `json:"reference"`
	URL             string `json:"url"` // only in the reply of the creation
	AuthorizationID string `json:"authorization_id"`
}

// authorization is the part of an OpenFlex authorization the store reads.
type authorization struct {
	ID             string `json:"id"`
	Status         string `json:"status"` // pending, partially_captured, captured, released, expired
	Amount         int64  `json:"amount"`
	CapturedAmount int64  `json:"captured_amount"`
	Financing      *struct {
		PlanID     string `json:"plan_id"`
		TermMonths int    `json:"term_months"`
	} `json:"financing"`
	Captures []struct {
		ID     string `json:"id"`
		Amount int64  `json:"amount"`
	} `json:"captures"`
}

type lineItem struct {
	SKU         string `json:"sku"`
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
	UnitPrice   int64  `json:"unit_price"`
}

type checkoutParams struct {
	Amount      int64      `json:"amount"`
	Currency    string     `json:"currency"`
	StoreID     string     `json:"store_id"`
	Reference   string     `json:"reference"`
	Items       []lineItem `json:"items"`
	Flow        string     `json:"flow"`
	AutoCapture bool       `json:"auto_capture"`
	SuccessURL  string     `json:"success_url"`
	CancelURL   string     `json:"cancel_url"`
	Language    string     `json:"language"`
}

// createCheckout is POST /v1/checkouts. The idempotency key makes a retry
// (a double click, a timeout) return the same checkout.
func (c *client) createCheckout(ctx context.Context, p checkoutParams, idempotencyKey string) (*checkout, error) {
	var out checkout
	return &out, c.do(ctx, http.MethodPost, "/v1/checkouts", idempotencyKey, p, &out)
}

// getCheckout is GET /v1/checkouts/{id}.
func (c *client) getCheckout(ctx context.Context, id string) (*checkout, error) {
	var out checkout
	return &out, c.do(ctx, http.MethodGet, "/v1/checkouts/"+url.PathEscape(id), "", nil, &out)
}

// getAuthorization is GET /v1/authorizations/{id}.
func (c *client) getAuthorization(ctx context.Context, id string) (*authorization, error) {
	var out authorization
	return &out, c.do(ctx, http.MethodGet, "/v1/authorizations/"+url.PathEscape(id), "", nil, &out)
}

// capture is POST /v1/authorizations/{id}/captures: with an empty body it
// captures everything that remains.
func (c *client) capture(ctx context.Context, authorizationID, idempotencyKey string) (*authorization, error) {
	var out authorization
	return &out, c.do(ctx, http.MethodPost, "/v1/authorizations/"+url.PathEscape(authorizationID)+"/captures", idempotencyKey, struct{}{}, &out)
}

// firstStore is GET /v1/stores, for a default store ID.
func (c *client) firstStore(ctx context.Context) (string, error) {
	var out struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/stores?limit=1", "", nil, &out); err != nil {
		return "", err
	}
	if len(out.Data) == 0 {
		return "", fmt.Errorf("openflex: this merchant has no stores")
	}
	return out.Data[0].ID, nil
}

func (c *client) do(ctx context.Context, method, path, idempotencyKey string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.base, "/")+path, body)
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.id, c.secret)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		var e struct {
			Error APIError `json:"error"`
		}
		if json.Unmarshal(b, &e) != nil || e.Error.Code == "" {
			e.Error = APIError{Code: "http_error", Message: http.StatusText(res.StatusCode)}
		}
		e.Error.Status = res.StatusCode
		return &e.Error
	}
	return json.Unmarshal(b, out)
}

// trustURLs returns the Trust URLs of the key set the client uses
// (GET /v1/key_set).
func (c *client) trustURLs(ctx context.Context) ([]string, error) {
	var out struct {
		TrustURLs []string `json:"trust_urls"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/key_set", "", nil, &out); err != nil {
		return nil, err
	}
	return out.TrustURLs, nil
}
