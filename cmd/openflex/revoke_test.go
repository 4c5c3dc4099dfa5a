package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex/internal/storetest"
)

// TestCLIKeyChangesReachTheRunningServer: `openflex keys roll --expires-in
// now` and `openflex keys revoke`, run as another process on the same
// database, stop the old credentials on the running server, whose
// authentication answers from memory, within 3 s: less than its cache's
// own 5 s, so only the auth version can have done it.
func TestCLIKeyChangesReachTheRunningServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		c := config(t, e)
		var m created
		json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--json"), &m)
		clientID, secret := m.Keys.Training.ClientID, m.Keys.Training.ClientSecret
		srv := &Main{Config: c}
		if err := srv.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		base := "http://" + srv.Addr()
		token := func(secret string) string {
			t.Helper()
			res, err := http.PostForm(base+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			if json.NewDecoder(res.Body).Decode(&tok); res.StatusCode != 200 {
				t.Fatalf("token: %d", res.StatusCode)
			}
			return tok.AccessToken
		}
		stores := func(auth func(*http.Request)) int {
			t.Helper()
			req, _ := http.NewRequest("GET", base+"/v1/stores", nil)
			auth(req)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		bearer := func(tok string) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
		}
		basic := func(secret string) func(*http.Request) {
			return func(r *http.Request) { r.SetBasicAuth(clientID, secret) }
		}
		// refused waits, at most 3 s, for the server to answer 401.
		refused := func(what string, auth func(*http.Request)) {
			t.Helper()
			since := time.Now()
			for stores(auth) != http.StatusUnauthorized {
				if time.Since(since) > 3*time.Second {
					t.Fatalf("%s still accepted 3 s after the change", what)
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Logf("%s refused after %v", what, time.Since(since).Round(time.Millisecond))
		}
		accepted := func(what string, auth func(*http.Request)) {
			t.Helper()
			for range 3 { // the second and third from memory
				if s := stores(auth); s != 200 {
					t.Fatalf("%s: %d", what, s)
				}
			}
		}

		tok := token(secret)
		accepted("the first secret", basic(secret))
		accepted("its token", bearer(tok))
		var rolled keysOut
		json.Unmarshal(cli(t, c, "keys", "roll", clientID, "--expires-in", "now", "--json"), &rolled)
		refused("the rolled secret", basic(secret))
		refused("the rolled secret's token", bearer(tok))
		accepted("the new secret", basic(rolled.ClientSecret))

		tok = token(rolled.ClientSecret)
		accepted("the new secret's token", bearer(tok))
		cli(t, c, "keys", "revoke", rolled.ID)
		refused("the revoked key set's secret", basic(rolled.ClientSecret))
		refused("the revoked key set's token", bearer(tok))
	})
}

// TestCLIKeyChangesRefuseMistakes: an unknown key set, a grace past seven
// days or not a duration, and rolling a revoked key set are refused with
// the reason, and change nothing.
func TestCLIKeyChangesRefuseMistakes(t *testing.T) {
	c := config(t, storetest.Engines(t)[0])
	var m created
	json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--json"), &m)
	clientID := m.Keys.Training.ClientID
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"keys", "revoke", "ks_nope"}, "resource_missing"},
		{[]string{"keys", "roll", "ofk_train_nope"}, "resource_missing"},
		{[]string{"keys", "roll", clientID, "--expires-in", "200h"}, "at most 7 days"},
		{[]string{"keys", "roll", clientID, "--expires-in", "tomorrow"}, `"now"`},
		{[]string{"keys", "revoke"}, "usage: openflex keys revoke"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), append(tc.args, "--data-dir", c.DataDir), &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("openflex %s = %v, want an error with %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
	cli(t, c, "keys", "revoke", clientID)
	cli(t, c, "keys", "revoke", clientID) // already revoked: still revoked, no error
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"keys", "roll", clientID, "--data-dir", c.DataDir}, &out, &errb); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("rolling a revoked key set: %v", err)
	}
}
