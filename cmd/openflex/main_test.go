package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/openflex/openflex/internal/storetest"
)

// config returns a server configuration on engine e, listening on a free port.
func config(t *testing.T, e storetest.Engine) Config {
	sc := e.Config(t)
	c := Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: sc.DatabaseURL, SchemaPrefix: sc.SchemaPrefix, GroupCommit: sc.GroupCommit, RateTraining: 10000, RateProduction: 10000}
	if sc.DataDir != "" {
		c.DataDir = sc.DataDir
	}
	// A lender's commands act on a server's existing data: create it the
	// way an operator would, before the first command.
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--data-dir", c.DataDir, "--database-url", c.DatabaseURL, "--schema-prefix", c.SchemaPrefix}, &out, &errb); err != nil {
		t.Fatalf("openflex migrate: %v\n%s", err, errb.String())
	}
	return c
}

// cli runs an openflex command the way a lender's script would.
func cli(t *testing.T, c Config, args ...string) []byte {
	t.Helper()
	t.Setenv("OPENFLEX_DATA_DIR", c.DataDir)
	t.Setenv("OPENFLEX_DATABASE_URL", c.DatabaseURL)
	t.Setenv("OPENFLEX_SCHEMA_PREFIX", c.SchemaPrefix)
	var out, errb bytes.Buffer
	if err := run(context.Background(), args, &out, &errb); err != nil {
		t.Fatalf("openflex %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.Bytes()
}

type created struct {
	MerchantID string `json:"merchant_id"`
	Stores     []struct{ ID, Name string }
	Keys       struct {
		Training struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
		}
	}
}

func TestCommandLine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		c := config(t, e)
		var m created
		if err := json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example",
			"--store", "Toronto:ON", "--store", "Vancouver:BC", "--json"), &m); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(m.MerchantID, "mer_") || len(m.Stores) != 2 || !strings.HasPrefix(m.Keys.Training.ClientSecret, "ofs_train_") {
			t.Fatalf("merchant create --json = %+v", m)
		}
		// PRODUCTION keys only after go-live.
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{"keys", "create", "--merchant", m.MerchantID, "--env", "production", "--trusted-ip", "203.0.113.0/24"}, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), "environment_not_enabled") {
			t.Fatalf("PRODUCTION keys before approval: %v", err)
		}
		cli(t, c, "merchant", "approve", m.MerchantID)
		var k keysOut
		json.Unmarshal(cli(t, c, "keys", "create", "--merchant", m.MerchantID, "--env", "production", "--trusted-ip", "127.0.0.1/32", "--json"), &k)
		if k.Environment != "production" || !strings.HasPrefix(k.ClientID, "ofk_prod_") {
			t.Fatalf("keys create --json = %+v", k)
		}

		srv := &Main{Config: c}
		if err := srv.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		for _, pair := range [][2]string{{m.Keys.Training.ClientID, m.Keys.Training.ClientSecret}, {k.ClientID, k.ClientSecret}} {
			req, _ := http.NewRequest("GET", "http://"+srv.Addr()+"/v1/stores", nil)
			req.SetBasicAuth(pair[0], pair[1])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.Contains(string(body), "Vancouver") {
				t.Fatalf("stores with %s: %d %s", pair[0], res.StatusCode, body)
			}
		}
	})
}

// TestShutdownKeepsAcknowledgedWrites stops the server in the middle of a
// burst of writes (token issuance), reopens the stores, and checks that
// every write the server acknowledged is there.
func TestShutdownKeepsAcknowledgedWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		c := config(t, e)
		var m created
		json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--json"), &m)
		srv := &Main{Config: c}
		if err := srv.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		base := "http://" + srv.Addr()
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {m.Keys.Training.ClientID}, "client_secret": {m.Keys.Training.ClientSecret}}.Encode()
		var (
			mu     sync.Mutex
			tokens []string
			wg     sync.WaitGroup
			enough = make(chan struct{})
			once   sync.Once
		)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{}
				for i := 0; i < 200; i++ {
					res, err := client.Post(base+"/oauth/token", "application/x-www-form-urlencoded", strings.NewReader(form))
					if err != nil {
						return // the server went away: expected
					}
					var tok struct {
						AccessToken string `json:"access_token"`
					}
					json.NewDecoder(res.Body).Decode(&tok)
					res.Body.Close()
					if res.StatusCode == 200 && tok.AccessToken != "" {
						mu.Lock()
						tokens = append(tokens, tok.AccessToken)
						if len(tokens) == 100 {
							once.Do(func() { close(enough) })
						}
						mu.Unlock()
					}
				}
			}()
		}
		<-enough // well into the burst: stop while requests are in flight
		if err := srv.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		wg.Wait()
		mu.Lock()
		acked := append([]string(nil), tokens...)
		mu.Unlock()

		again := &Main{Config: c}
		if err := again.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		for _, tok := range acked {
			if _, err := again.Keys.CheckToken(context.Background(), tok); err != nil {
				t.Fatalf("token acknowledged before shutdown is gone after reopening: %v", err)
			}
		}
		t.Logf("%d acknowledged writes all present after shutdown mid-traffic", len(acked))
	})
}

// TestPlanCopy: a plan is created in one environment and copied, as a new
// object, to the other; neither answers for the other's keys.
func TestPlanCopy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		c := config(t, e)
		var m created
		if err := json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--store", "Toronto:ON", "--json"), &m); err != nil {
			t.Fatal(err)
		}
		type planOut struct {
			ID, Environment, Name string
			NameFR                *string `json:"name_fr"`
		}
		var train, prod, plain planOut
		json.Unmarshal(cli(t, c, "plan", "create", "--merchant", m.MerchantID, "--env", "training", "--name", "12 equal payments",
			"--name-fr", "12 versements égaux", "--category", "equal_payments", "--months", "12", "--rate", "0", "--json"), &train)
		if !strings.HasPrefix(train.ID, "plan_") || train.Environment != "training" || train.NameFR == nil || *train.NameFR != "12 versements égaux" {
			t.Fatalf("plan create --env training --name-fr = %+v", train)
		}
		// Flags may follow the plan id.
		json.Unmarshal(cli(t, c, "plan", "copy", train.ID, "--to", "production", "--json"), &prod)
		if prod.ID == train.ID || !strings.HasPrefix(prod.ID, "plan_") || prod.Environment != "production" || prod.Name != train.Name ||
			prod.NameFR == nil || *prod.NameFR != *train.NameFR {
			t.Fatalf("plan copy --to production = %+v, want a new PRODUCTION plan like %+v", prod, train)
		}
		// Without --env a plan is a TRAINING plan: never "both".
		json.Unmarshal(cli(t, c, "plan", "create", "--merchant", m.MerchantID, "--name", "Revolving", "--category", "regular", "--rate", "29.99", "--json"), &plain)
		if plain.Environment != "training" || plain.NameFR != nil {
			t.Fatalf("plan create without --env = %+v, want a TRAINING plan without a French name", plain)
		}
		for _, tc := range []struct {
			name string
			args []string
			want string
		}{
			{"to its own environment", []string{"plan", "copy", train.ID, "--to", "training"}, "parameter_invalid"},
			{"unknown plan", []string{"plan", "copy", "plan_nope", "--to", "production"}, "resource_missing"},
			{"no environment", []string{"plan", "copy", train.ID}, "--to"},
			{"no plan", []string{"plan", "copy", "--to", "production"}, "usage: openflex plan copy"},
			{"both environments", []string{"plan", "create", "--merchant", m.MerchantID, "--env", "", "--name", "X", "--category", "regular", "--rate", "1"}, "--env"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var out, errb bytes.Buffer
				err := run(context.Background(), tc.args, &out, &errb)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("openflex %s = %v, want an error mentioning %q", strings.Join(tc.args, " "), err, tc.want)
				}
			})
		}

		srv := &Main{Config: c}
		if err := srv.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		var k keysOut
		cli(t, c, "merchant", "approve", m.MerchantID)
		json.Unmarshal(cli(t, c, "keys", "create", "--merchant", m.MerchantID, "--env", "production", "--trusted-ip", "127.0.0.1/32", "--json"), &k)
		for _, tc := range []struct {
			id, secret string
			want, not  string
		}{
			{m.Keys.Training.ClientID, m.Keys.Training.ClientSecret, train.ID, prod.ID},
			{k.ClientID, k.ClientSecret, prod.ID, train.ID},
		} {
			req, _ := http.NewRequest("GET", "http://"+srv.Addr()+"/v1/plans", nil)
			req.SetBasicAuth(tc.id, tc.secret)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.Contains(string(body), tc.want) || strings.Contains(string(body), tc.not) {
				t.Fatalf("GET /v1/plans with %s = %d %s, want %s and not %s", tc.id, res.StatusCode, body, tc.want, tc.not)
			}
		}
	})
}

// TestDemoSurvivesRestart: `serve --demo` prints the same credentials after
// a restart, the first secret still authenticates, the saved secret is
// readable by its owner only, and the key set trusts the origin actually
// listened on.
func TestDemoSurvivesRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		c := config(t, e)
		c.Demo = true
		credentials := regexp.MustCompile(`client_id\s+(ofk_train_\S+)\s+client_secret\s+(ofs_train_\S+)`)
		start := func() (*Main, string, string) {
			t.Helper()
			var out bytes.Buffer
			srv := &Main{Config: c, Out: &out}
			if err := srv.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			m := credentials.FindStringSubmatch(out.String())
			if m == nil {
				srv.Close()
				t.Fatalf("serve --demo printed no credentials:\n%s", out.String())
			}
			if !strings.Contains(out.String(), "http://"+srv.Addr()+"/v1/stores") {
				srv.Close()
				t.Fatalf("serve --demo did not print the address it listens on (%s):\n%s", srv.Addr(), out.String())
			}
			return srv, m[1], m[2]
		}
		stores := func(srv *Main, id, secret string) int {
			t.Helper()
			req, _ := http.NewRequest("GET", "http://"+srv.Addr()+"/v1/stores", nil)
			req.SetBasicAuth(id, secret)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		trusts := func(srv *Main, id string) []string {
			t.Helper()
			ks, err := srv.Keys.Store.KeySetByClientID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			return ks.TrustURLs
		}

		srv, id, secret := start()
		if got := stores(srv, id, secret); got != 200 {
			t.Fatalf("GET /v1/stores with the demo credentials = %d", got)
		}
		if got := trusts(srv, id); !slices.Contains(got, "http://"+srv.Addr()) {
			t.Fatalf("demo Trust URLs %v lack http://%s", got, srv.Addr())
		}
		fi, err := os.Stat(filepath.Join(c.DataDir, "demo-client-secret"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("saved demo secret: %v, mode %v; want 0600", err, fi.Mode().Perm())
		}
		srv.Close()

		srv2, id2, secret2 := start() // another free port
		defer srv2.Close()
		if id2 != id || secret2 != secret {
			t.Fatalf("after a restart the demo printed %s / %s, want the same %s / %s", id2, secret2, id, secret)
		}
		if got := stores(srv2, id, secret); got != 200 {
			t.Fatalf("GET /v1/stores with the first start's secret after a restart = %d, want 200", got)
		}
		if got := trusts(srv2, id); !slices.Contains(got, "http://"+srv2.Addr()) || !slices.Contains(got, "http://localhost:3000") {
			t.Fatalf("demo Trust URLs after a restart %v lack http://%s or the example shop", got, srv2.Addr())
		}
	})
}

// TestDemoRenewsARolledSecret: a saved secret that no longer
// authenticates (rolled in the portal, say) is replaced, not printed.
func TestDemoRenewsARolledSecret(t *testing.T) {
	c := config(t, storetest.Engines(t)[0])
	c.Demo = true
	var out bytes.Buffer
	srv := &Main{Config: c, Out: &out}
	if err := srv.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := regexp.MustCompile(`client_secret\s+(\S+)`).FindStringSubmatch(out.String())[1]
	if err := os.WriteFile(filepath.Join(c.DataDir, "demo-client-secret"), []byte("ofs_train_not_it\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	out.Reset()
	srv = &Main{Config: c, Out: &out}
	if err := srv.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	renewed := regexp.MustCompile(`client_secret\s+(\S+)`).FindStringSubmatch(out.String())[1]
	saved, _ := os.ReadFile(filepath.Join(c.DataDir, "demo-client-secret"))
	if renewed == old || renewed == "ofs_train_not_it" || strings.TrimSpace(string(saved)) != renewed {
		t.Fatalf("after a bad saved secret the demo printed %q (first %q), saved %q; want a new secret, saved", renewed, old, saved)
	}
}

// TestCommandLineWording: keys create --json names the key set; flags may
// follow positional arguments; "--" still ends the flags.
func TestCommandLineWording(t *testing.T) {
	c := config(t, storetest.Engines(t)[0])
	var m created
	if err := json.Unmarshal(cli(t, c, "merchant", "create", "--name", "Maple", "--email", "dev@maple.example", "--json"), &m); err != nil {
		t.Fatal(err)
	}
	var k keysOut
	if err := json.Unmarshal(cli(t, c, "keys", "create", "--merchant", m.MerchantID, "--name", "POS lane 3", "--json"), &k); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.ID, "ks_") || k.Name != "POS lane 3" || !strings.HasPrefix(k.ClientID, "ofk_train_") {
		t.Fatalf("keys create --name --json = %+v, want the key set id and name", k)
	}
	// The data directory after the merchant id, as people type it: the
	// variables cli sets are cleared so only the trailing flag can find it.
	t.Setenv("OPENFLEX_DATA_DIR", "")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"merchant", "approve", m.MerchantID, "--data-dir", c.DataDir, "--database-url", c.DatabaseURL,
		"--schema-prefix", c.SchemaPrefix}, &out, &errb); err != nil || !strings.Contains(out.String(), m.MerchantID+" approved") {
		t.Fatalf("merchant approve ID --data-dir X = %v %s %s", err, out.String(), errb.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"merchant", "approve", m.MerchantID, "extra", "--data-dir", c.DataDir}, "usage: openflex merchant approve"},
		{[]string{"merchant", "approve", "--data-dir", c.DataDir, "--", "--json"}, "--json"},
		{[]string{"keys", "create", "--merchant", m.MerchantID, "stray"}, `unexpected argument "stray"`},
	} {
		out.Reset()
		errb.Reset()
		err := run(context.Background(), tc.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("openflex %s = %v, want an error mentioning %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}

// TestCommandsNeedExistingData: run from a folder that is not the server's,
// a command acting on existing data refuses, names the folder it looked in
// and how to point it elsewhere, and leaves no new data directory behind.
// serve and migrate are the commands that create one.
func TestCommandsNeedExistingData(t *testing.T) {
	for _, args := range [][]string{
		{"admin", "create", "--email", "staff@lender.example"},
		{"merchant", "create", "--name", "Maple", "--email", "dev@maple.example"},
		{"keys", "revoke", "ks_x"},
		{"verify"},
		{"scrub", "--env", "training"},
		{"settlements", "list"},
	} {
		t.Run(strings.Join(args[:min(2, len(args))], " "), func(t *testing.T) {
			for name, setup := range map[string]func(dir string){
				"missing folder": func(string) {},
				"empty folder":   func(dir string) { os.Mkdir(dir, 0o700) },
			} {
				dir := filepath.Join(t.TempDir(), "openflex-data")
				setup(dir)
				t.Setenv("OPENFLEX_DATA_DIR", dir)
				var out, errb bytes.Buffer
				err := run(context.Background(), args, &out, &errb)
				if err == nil {
					t.Fatalf("%s: openflex %s succeeded on no data:\n%s", name, strings.Join(args, " "), out.String())
				}
				for _, want := range []string{dir, "--data-dir", "OPENFLEX_DATA_DIR"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("%s: error %q does not say %q", name, err, want)
					}
				}
				entries, statErr := os.ReadDir(dir)
				if name == "missing folder" && statErr == nil {
					t.Errorf("%s: the command created %s", name, dir)
				}
				if len(entries) > 0 {
					t.Errorf("%s: the command wrote %d files into %s", name, len(entries), dir)
				}
			}
		})
	}
	t.Run("migrate creates it", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "openflex-data")
		var out, errb bytes.Buffer
		if err := run(context.Background(), []string{"migrate", "--data-dir", dir}, &out, &errb); err != nil {
			t.Fatal(err)
		}
		if err := run(context.Background(), []string{"verify", "--data-dir", dir}, &out, &errb); err != nil {
			t.Fatalf("verify after migrate: %v", err)
		}
	})
}

// TestServeRefusesNoMessagePace: a node that could never send a customer
// message does not start.
func TestServeRefusesNoMessagePace(t *testing.T) {
	for _, rate := range []string{"0", "-5", "NaN"} {
		var out strings.Builder
		err := run(context.Background(), []string{"serve", "--data-dir", t.TempDir(), "--messages-per-second", rate}, &out, &out)
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(u.msg, "--messages-per-second") {
			t.Errorf("serve --messages-per-second %s = %v, want a usage error naming the flag", rate, err)
		}
	}
}

// TestCommandTable: the usage and each group's list come from the one
// command table; `openflex merchant` alone lists the merchant commands and
// nothing else.
func TestCommandTable(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"merchant"}, &out, &out)
	var u usageError
	if !errors.As(err, &u) {
		t.Fatalf("openflex merchant = %v, want a usage error", err)
	}
	for _, c := range commands {
		listed := strings.Contains(u.msg, "  "+c.name+" ")
		if listed != strings.HasPrefix(c.name, "merchant ") {
			t.Errorf("openflex merchant lists %q: %v", c.name, listed)
		}
		if !strings.Contains(usage(""), "  "+c.name+" ") {
			t.Errorf("the usage does not list %q", c.name)
		}
	}
	if err := run(context.Background(), []string{"merchant", "frobnicate"}, &out, &out); err == nil || !strings.Contains(err.Error(), `unknown command "merchant frobnicate"`) {
		t.Errorf("openflex merchant frobnicate = %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"--version"}, &out, &out); err != nil || !strings.Contains(out.String(), "openflex ") {
		t.Errorf("--version = %v, %q", err, out.String())
	}
}
