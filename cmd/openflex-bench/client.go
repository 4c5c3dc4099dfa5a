package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// client talks to the server over keep-alive connections with one key
// set's bearer token.
type client struct {
	base         string
	http         *http.Client
	clientID     string
	clientSecret string
	token        atomic.Pointer[string]
}

func newClient(base, clientID, clientSecret string, o *options) *client {
	tr := &http.Transport{
		Proxy:               nil, // the server under test, never a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        o.Conns,
		MaxIdleConnsPerHost: o.Conns,
		MaxConnsPerHost:     o.Conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &client{base: base, http: &http.Client{Transport: tr, Timeout: o.Timeout}, clientID: clientID, clientSecret: clientSecret}
}

// reply is an answer: its status, its body and, for an error, its code.
type reply struct {
	status int
	body   []byte
	code   string
}

// ok reports whether the request succeeded (2xx).
func (r reply) ok() bool { return r.status >= 200 && r.status < 300 }

// errorCode is the error code of an API error body
// ({"error":{"code":…}}) or of an OAuth one ({"error":"invalid_client"}).
func errorCode(body []byte) string {
	var env struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Error) == 0 {
		return ""
	}
	var api struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(env.Error, &api) == nil && api.Code != "" {
		return api.Code
	}
	var oauth string
	if json.Unmarshal(env.Error, &oauth) == nil {
		return oauth
	}
	return ""
}

// call sends one request with the current bearer token. A transport
// failure is an error; any HTTP answer is a reply.
func (c *client) call(ctx context.Context, method, path string, body any, idemKey string) (reply, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	req.Header.Set("Authorization", "Bearer "+*c.token.Load())
	return c.send(req)
}

func (c *client) send(req *http.Request) (reply, error) {
	res, err := c.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body) // read to the end, so the connection is reused
	if err != nil {
		return reply{}, err
	}
	r := reply{status: res.StatusCode, body: b}
	if !r.ok() {
		r.code = errorCode(b)
	}
	return r, nil
}

// token is POST /oauth/token with the key set's credentials; on success
// the new token is used by every later request.
func (c *client) tokenRequest(ctx context.Context) (reply, error) {
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/oauth/token", strings.NewReader(form))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.clientID), url.QueryEscape(c.clientSecret))
	r, err := c.send(req)
	if err != nil || !r.ok() {
		return r, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &tok); err != nil || tok.AccessToken == "" {
		return r, fmt.Errorf("token response without access_token: %.200s", r.body)
	}
	c.token.Store(&tok.AccessToken)
	return r, nil
}

// refreshToken gets the first token, failing on any refusal.
func (c *client) refreshToken(ctx context.Context) error {
	r, err := c.tokenRequest(ctx)
	if err != nil {
		return err
	}
	if !r.ok() {
		return fmt.Errorf("POST /oauth/token: %d %s", r.status, r.code)
	}
	return nil
}
