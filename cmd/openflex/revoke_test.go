package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/storetest"
)

// TestRevocationReachesTheRunningServer: a key set revoked by another
// process on the same database (the CLI, another node) stops working on
// the running server, whose authentication answers from memory, well
// within its cache's five seconds.
func TestRevocationReachesTheRunningServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		c := config(t, e)
		var m created
		json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--json"), &m)
		srv := &Main{Config: c}
		if err := srv.Run(ctx); err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		base := "http://" + srv.Addr()
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {m.Keys.Training.ClientID}, "client_secret": {m.Keys.Training.ClientSecret}}
		res, err := http.PostForm(base+"/oauth/token", form)
		if err != nil {
			t.Fatal(err)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		json.NewDecoder(res.Body).Decode(&tok)
		res.Body.Close()
		stores := func(auth func(*http.Request)) int {
			req, _ := http.NewRequest("GET", base+"/v1/stores", nil)
			auth(req)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok.AccessToken) }
		basic := func(r *http.Request) { r.SetBasicAuth(m.Keys.Training.ClientID, m.Keys.Training.ClientSecret) }
		for range 3 {
			if a, b := stores(bearer), stores(basic); a != 200 || b != 200 {
				t.Fatalf("before the revocation: bearer %d, basic %d", a, b)
			}
		}

		other := &Main{Config: c} // a second process on the same database
		if err := other.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		ks, err := other.Stores.Control.KeySetByClientID(ctx, m.Keys.Training.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		if err := other.Keys.Revoke(ctx, ks.ID, keys.Actor{Name: "cli"}); err != nil {
			t.Fatal(err)
		}
		// Three seconds: less than the cache's own five, so only the auth
		// version can have made the server refuse.
		revoked := time.Now()
		for _, auth := range []struct {
			name string
			set  func(*http.Request)
		}{{"bearer", bearer}, {"basic", basic}} {
			for stores(auth.set) != http.StatusUnauthorized {
				if time.Since(revoked) > 3*time.Second {
					t.Fatalf("%s credentials still accepted 3 s after the revocation", auth.name)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		t.Logf("refused %v after the revocation", time.Since(revoked).Round(time.Millisecond))
	})
}
