package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

type testOptions struct {
	Dir, Openflex, Bench, JSON string
	Nodes                      int
	Long                       bool
	Log                        io.Writer
}

// report is the fault tests' result, printed as JSON and copied into
// docs/operations.md.
type report struct {
	Started    string        `json:"started"`
	Mode       string        `json:"mode"`
	Nodes      int           `json:"nodes"`
	Workers    int           `json:"load_clients"`
	Faults     []faultReport `json:"faults"`
	Throughput []benchFigure `json:"throughput,omitempty"`
	Passed     bool          `json:"passed"`
	Problems   []string      `json:"problems,omitempty"`
}

type faultReport struct {
	Fault string `json:"fault"`
	windowStats
	RecoverySeconds      float64 `json:"recovery_seconds"`
	AcknowledgedChecked  int     `json:"acknowledged_writes_checked"`
	AcknowledgedLost     int     `json:"acknowledged_writes_lost"`
	KeysMovingMoneyTwice int     `json:"idempotency_keys_moving_money_twice"`
	Verify               string  `json:"openflex_verify"`
	SynchronousStandbys  int     `json:"synchronous_standbys_after"`
	Notes                string  `json:"notes,omitempty"`
}

type benchFigure struct {
	Nodes        int     `json:"nodes"`
	OKPerSecond  float64 `json:"ok_requests_per_second"`
	P50ms        float64 `json:"p50_ms,omitempty"`
	P99ms        float64 `json:"p99_ms,omitempty"`
	Errors       int     `json:"errors"`
	DurationSecs float64 `json:"duration_seconds"`
}

const loadClients = 6

func test(ctx context.Context, o testOptions, stdout io.Writer) (err error) {
	logf := func(format string, args ...any) { fmt.Fprintf(o.Log, "test-cluster: "+format+"\n", args...) }
	rep := &report{Started: time.Now().UTC().Format(time.RFC3339), Mode: "short", Nodes: o.Nodes, Workers: loadClients}
	if o.Long {
		rep.Mode = "long"
	}
	if o.Nodes < 2 {
		return errors.New("the fault tests need at least 2 nodes")
	}
	// The load comes from one address through HAProxy: the per-node rate
	// limits would measure themselves, not the cluster.
	c, err := up(ctx, upOptions{Dir: o.Dir, Nodes: o.Nodes, Openflex: o.Openflex, RateLimit: 100000, Log: o.Log})
	if err != nil {
		return err
	}
	defer c.down()
	logf("cluster up in %s", c.Dir)

	creds, err := c.createMerchant(ctx)
	if err != nil {
		return err
	}
	l := newLoad(c.API(), creds, nil)
	if err := establishConsent(ctx, l); err != nil {
		return err
	}
	if l.accounts, err = createAccounts(ctx, l, 12); err != nil {
		return err
	}
	loadCtx, stopLoad := context.WithCancel(ctx)
	wg := l.run(loadCtx, loadClients)
	defer func() {
		stopLoad()
		l.unpause()
		wg.Wait()
	}()

	hold := 0 * time.Second
	if o.Long {
		hold = 20 * time.Second
	}
	// settle waits for the load to be acknowledged again n more times:
	// proof that service is back, with a deadline instead of a sleep.
	settle := func(n int, what string) error {
		target := l.acks() + n
		return c.waitFor(ctx, 120*time.Second, what, func() error {
			if got := l.acks(); got < target {
				return fmt.Errorf("%d of %d acknowledged writes", got, target)
			}
			return nil
		})
	}
	if err := settle(40, "the load to start"); err != nil {
		return err
	}

	type fault struct {
		name   string
		inject func() (string, error) // returns notes
	}
	var oldPrimary int
	faults := []fault{
		{"kill -9 one OpenFlex node", func() (string, error) {
			i := 0
			syscall.Kill(c.Nodes[i].PID, syscall.SIGKILL)
			if err := settle(60, "service without "+c.Nodes[i].Name); err != nil {
				return "", err
			}
			if err := c.startNode(i); err != nil {
				return "", err
			}
			return c.Nodes[i].Name + " killed, service went on; then restarted", c.waitNodeReady(ctx, i, 60*time.Second)
		}},
		{"kill -9 the PostgreSQL primary (postmaster and its Patroni)", func() (string, error) {
			oldPrimary = c.primaryIndex()
			if oldPrimary < 0 {
				return "", errors.New("no primary to kill")
			}
			post := c.postmasterPID(oldPrimary)
			syscall.Kill(c.PG[oldPrimary].PatroniPID, syscall.SIGKILL)
			syscall.Kill(post, syscall.SIGKILL)
			other := 1 - oldPrimary
			if err := c.waitFor(ctx, 90*time.Second, c.PG[other].Name+" to be promoted", func() error { return c.checkPrimary(other) }); err != nil {
				return "", err
			}
			return fmt.Sprintf("%s killed; Patroni promoted %s", c.PG[oldPrimary].Name, c.PG[other].Name), settle(60, "writes on the new primary")
		}},
		{"restart the old primary (rejoins as the synchronous standby)", func() (string, error) {
			if err := c.startPatroni(ctx, oldPrimary); err != nil {
				return "", err
			}
			if err := c.waitSynchronous(ctx, 180*time.Second); err != nil {
				return "", err
			}
			rewound := "rejoined"
			if b, _ := os.ReadFile(c.path("logs", c.PG[oldPrimary].Name+".log")); bytes.Contains(b, []byte("pg_rewind")) {
				rewound = "rejoined through pg_rewind"
			}
			return fmt.Sprintf("%s %s, streaming as the synchronous standby", c.PG[oldPrimary].Name, rewound), settle(40, "writes with the standby back")
		}},
		{"rolling restart of every node (SIGTERM, one at a time)", func() (string, error) {
			for i := range c.Nodes {
				stop(c.Nodes[i].PID, 30*time.Second)
				if err := c.startNode(i); err != nil {
					return "", err
				}
				if err := c.waitNodeReady(ctx, i, 60*time.Second); err != nil {
					return "", err
				}
				if err := c.waitFor(ctx, 30*time.Second, "HAProxy to route to "+c.Nodes[i].Name, func() error { return c.serverUp("openflex", c.Nodes[i].Name) }); err != nil {
					return "", err
				}
				if err := settle(20, "writes after restarting "+c.Nodes[i].Name); err != nil {
					return "", err
				}
			}
			return fmt.Sprintf("%d nodes restarted one at a time", len(c.Nodes)), nil
		}},
	}
	for _, f := range faults {
		logf("fault: %s", f.name)
		start := time.Now()
		notes, err := f.inject()
		if err != nil {
			rep.Problems = append(rep.Problems, f.name+": "+err.Error())
			logf("fault %q: %v", f.name, err)
			break
		}
		recovered := time.Since(start)
		if hold > 0 {
			time.Sleep(hold) // the long run keeps the load on after each fault: load time, not a wait
		}
		end := time.Now()
		// The checks want a quiet database: pausing waits for the requests
		// in flight, among them any retrying a key whose first attempt died
		// with its node (answered once the key's lease ends).
		l.pause()
		fr := faultReport{Fault: f.name, windowStats: l.window(start, time.Now()), RecoverySeconds: round2(recovered.Seconds()), Notes: notes}
		// While paused nothing is acknowledged: the outage is measured
		// until the pause.
		fr.SecondsWithout = l.window(start, end).SecondsWithout
		fr.AcknowledgedChecked, fr.AcknowledgedLost, fr.KeysMovingMoneyTwice, err = c.checkWrites(ctx, l)
		if err != nil {
			rep.Problems = append(rep.Problems, f.name+": check: "+err.Error())
		}
		fr.Verify = c.verify(ctx)
		fr.SynchronousStandbys, _ = c.synchronousStandbys(ctx)
		l.unpause()
		rep.Faults = append(rep.Faults, fr)
		logf("  %.2fs without service, %d failed attempts %v, %d requests failed, %d acknowledged writes checked, %d lost, %d keys twice, verify: %s",
			fr.SecondsWithout, sum(fr.FailedAttempts), fr.FailedAttempts, fr.FailedRequests, fr.AcknowledgedChecked, fr.AcknowledgedLost, fr.KeysMovingMoneyTwice, fr.Verify)
		if fr.AcknowledgedLost > 0 || fr.KeysMovingMoneyTwice > 0 || fr.Verify != "ok" {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d acknowledged writes lost, %d keys moved money twice, verify %s", f.name, fr.AcknowledgedLost, fr.KeysMovingMoneyTwice, fr.Verify))
		}
		if strings.HasPrefix(f.name, "rolling restart") && fr.FailedRequests > 0 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("rolling restart: %d client requests failed", fr.FailedRequests))
		}
	}
	stopLoad()
	l.unpause()
	wg.Wait()

	if o.Bench != "" && len(rep.Problems) == 0 {
		dur := 5 * time.Second
		if o.Long {
			dur = 20 * time.Second
		}
		for n := 1; n <= len(c.Nodes); n++ {
			fig, err := c.bench(ctx, o.Bench, creds, n, dur)
			if err != nil {
				rep.Problems = append(rep.Problems, fmt.Sprintf("throughput with %d nodes: %v", n, err))
				break
			}
			logf("throughput with %d node(s): %.1f ok requests/s", n, fig.OKPerSecond)
			rep.Throughput = append(rep.Throughput, fig)
		}
	}
	rep.Passed = len(rep.Problems) == 0
	if o.JSON != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		os.WriteFile(o.JSON, append(b, '\n'), 0o644)
	}
	if err := printLine(stdout, rep); err != nil {
		return err
	}
	if !rep.Passed {
		return fmt.Errorf("fault tests failed: %s", strings.Join(rep.Problems, "; "))
	}
	return nil
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// cliEnv is the environment under which the openflex command acts on the
// cluster.
func (c *cluster) cliEnv() []string {
	var env []string
	for k, v := range c.describeEnv() {
		env = append(env, k+"="+v)
	}
	return env
}

func (c *cluster) describeEnv() map[string]string {
	return map[string]string{"OPENFLEX_DATABASE_URL": c.DatabaseURL(), "OPENFLEX_SECRET_KEY": c.SecretKey, "OPENFLEX_DATA_DIR": c.path("cli")}
}

func (c *cluster) openflex(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Openflex, args...)
	cmd.Env = append(os.Environ(), c.cliEnv()...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("openflex %s: %v: %s%s", args[0], err, out, stderr.Bytes())
	}
	return out, nil
}

// createMerchant makes the load's merchant, store and TRAINING keys with
// the openflex command, as a lender's operator would.
func (c *cluster) createMerchant(ctx context.Context) (merchantCreds, error) {
	out, err := c.openflex(ctx, "merchant", "create", "--name", "Cluster Test Furniture", "--email", "cluster-"+randomHex(3)+"@example.com",
		"--store", "Toronto:ON", "--json")
	if err != nil {
		return merchantCreds{}, err
	}
	var m struct {
		MerchantID string `json:"merchant_id"`
		Stores     []struct {
			ID string `json:"id"`
		} `json:"stores"`
		Keys struct {
			Training struct {
				ClientID     string `json:"client_id"`
				ClientSecret string `json:"client_secret"`
			} `json:"training"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(out, &m); err != nil || len(m.Stores) == 0 {
		return merchantCreds{}, fmt.Errorf("openflex merchant create printed %q: %v", out, err)
	}
	return merchantCreds{MerchantID: m.MerchantID, StoreID: m.Stores[0].ID, ClientID: m.Keys.Training.ClientID, ClientSecret: m.Keys.Training.ClientSecret}, nil
}

// establishConsent is THE STEP TO ADAPT when authorizations need the
// customer's consent (a checkout, or a verification code with the
// authorization): give it here for each account, or make purchase() send
// what it needs. Authorizations need no consent on this version, so there is
// nothing to do yet.
func establishConsent(ctx context.Context, l *load) error { return nil }

// createAccounts applies for n approved TRAINING accounts (the simulated
// bureau approves middle name A-RR_L).
func createAccounts(ctx context.Context, l *load, n int) ([]string, error) {
	var out []string
	for i := range n {
		body := map[string]any{
			"store_id": l.creds.StoreID,
			"applicant": map[string]any{
				"first_name": "Cluster" + letters(i), "middle_name": "A-RR_L", "last_name": "Fault" + l.tag,
				"date_of_birth": "1985-06-15", "email": fmt.Sprintf("cluster.%s.%d@example.com", l.tag, i), "phone": "416-555-0142",
				"address":       map[string]any{"line1": "1 Cluster Street", "city": "Toronto", "province": "ON", "postal_code": "M5V 2T6"},
				"annual_income": 95_000_00, "employment_status": "employed", "housing_status": "rent", "monthly_housing_cost": 1_200_00,
			},
			"consent": map[string]any{"credit_check": true, "terms_accepted": true},
		}
		r, ok := l.post(ctx, "/v1/applications", body, fmt.Sprintf("ct-%s-app-%d", l.tag, i), time.Minute)
		var app struct {
			Status  string `json:"status"`
			Account *struct {
				Number string `json:"account_number"`
			} `json:"account"`
		}
		if !ok || r.status != http.StatusCreated || json.Unmarshal(r.body, &app) != nil || app.Account == nil {
			return nil, fmt.Errorf("POST /v1/applications = %d %s", r.status, r.body)
		}
		out = append(out, app.Account.Number)
	}
	l.mu.Lock()
	l.failures, l.lost, l.successes = nil, nil, nil
	l.mu.Unlock()
	return out, nil
}

func letters(n int) string {
	var out []byte
	for {
		out = append([]byte{byte('a' + n%26)}, out...)
		n /= 26
		if n == 0 {
			return string(out)
		}
	}
}

// checkWrites looks, on the current primary, for every acknowledged
// authorization and capture, and for any reference (the Idempotency-Key)
// that produced more than one authorization or any authorization captured
// more than once (the load captures each once).
func (c *cluster) checkWrites(ctx context.Context, l *load) (checked, lost, twice int, err error) {
	auths, caps := l.acknowledged()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DatabaseURL())
	if err != nil {
		return 0, 0, 0, err
	}
	defer conn.Close(ctx)
	count := func(table string, m map[string]string) (int, error) {
		ids := make([]string, 0, len(m))
		for _, id := range m {
			ids = append(ids, id)
		}
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM openflex_training.`+table+` WHERE id = ANY($1)`, ids).Scan(&n)
		return n, err
	}
	na, err := count("authorizations", auths)
	if err != nil {
		return 0, 0, 0, err
	}
	nc, err := count("captures", caps)
	if err != nil {
		return 0, 0, 0, err
	}
	checked, lost = len(auths)+len(caps), len(auths)-na+len(caps)-nc
	// The key is the reference: one authorization per key, and the one the
	// client was told about.
	want := auths
	rows, err := conn.Query(ctx, `SELECT reference, count(*), min(id) FROM openflex_training.authorizations
		WHERE reference LIKE $1 GROUP BY reference`, "ct-"+l.tag+"-%")
	if err != nil {
		return checked, lost, 0, err
	}
	for rows.Next() {
		var ref, id string
		var n int
		if err := rows.Scan(&ref, &n, &id); err != nil {
			return checked, lost, 0, err
		}
		if n > 1 || (want[ref] != "" && want[ref] != id) {
			twice++
		}
	}
	if err := rows.Err(); err != nil {
		return checked, lost, twice, err
	}
	var captured int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT authorization_id FROM openflex_training.captures c
		JOIN openflex_training.authorizations a ON a.id = c.authorization_id WHERE a.reference LIKE $1
		GROUP BY authorization_id HAVING count(*) > 1) x`, "ct-"+l.tag+"-%").Scan(&captured)
	return checked, lost, twice + captured, err
}

// verify runs openflex verify on the cluster: every balance recomputed from
// the ledger.
func (c *cluster) verify(ctx context.Context) string {
	out, err := c.openflex(ctx, "verify")
	if err != nil {
		return "failed: " + strings.TrimSpace(string(out)) + " " + err.Error()
	}
	return "ok"
}

// serverUp asks HAProxy whether it routes to a server.
func (c *cluster) serverUp(backend, server string) error {
	out, err := c.haproxyCommand("show servers state " + backend)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		// be_id be_name srv_id srv_name srv_addr srv_op_state …; 2 is running.
		if len(f) > 5 && f[1] == backend && f[3] == server {
			if f[5] == "2" {
				return nil
			}
			return fmt.Errorf("%s/%s operational state %s", backend, server, f[5])
		}
	}
	return fmt.Errorf("%s/%s not in HAProxy's state", backend, server)
}

// bench measures the purchase mix with cmd/openflex-bench through HAProxy
// with n nodes in rotation (the others put in maintenance through HAProxy's
// runtime API, so nothing else changes).
func (c *cluster) bench(ctx context.Context, bin string, creds merchantCreds, n int, dur time.Duration) (benchFigure, error) {
	for i, node := range c.Nodes {
		state := "ready"
		if i >= n {
			state = "maint"
		}
		if _, err := c.haproxyCommand("set server openflex/" + node.Name + " state " + state); err != nil {
			return benchFigure{}, err
		}
	}
	defer func() {
		for _, node := range c.Nodes {
			c.haproxyCommand("set server openflex/" + node.Name + " state ready")
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, dur+3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--url", c.API(), "--client-id", creds.ClientID, "--client-secret", creds.ClientSecret,
		"--store", creds.StoreID, "--concurrency", "16", "--duration", dur.String(), "--accounts", "20", "--json",
		"--label", fmt.Sprintf("cluster, %d node(s)", n))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return benchFigure{}, fmt.Errorf("openflex-bench: %v: %s", err, stderr.Bytes())
	}
	var r struct {
		Totals struct {
			OKRate        float64 `json:"ok_rate"`
			Errors        int     `json:"errors"`
			WindowSeconds float64 `json:"window_seconds"`
		} `json:"totals"`
		Operations []struct {
			Op        string             `json:"op"`
			LatencyMS map[string]float64 `json:"latency_ms"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return benchFigure{}, fmt.Errorf("openflex-bench report: %v", err)
	}
	fig := benchFigure{Nodes: n, OKPerSecond: round2(r.Totals.OKRate), Errors: r.Totals.Errors, DurationSecs: r.Totals.WindowSeconds}
	for _, op := range r.Operations {
		if op.Op == "authorize" {
			fig.P50ms, fig.P99ms = op.LatencyMS["p50"], op.LatencyMS["p99"]
		}
	}
	return fig, nil
}
