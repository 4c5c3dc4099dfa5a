package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgBin is where Debian's postgresql package puts the server tools Patroni
// needs (pg_ctl, pg_basebackup, pg_rewind, pg_controldata…).
func pgBin() (string, error) {
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_rewind")
	if len(m) == 0 {
		return "", errors.New("no PostgreSQL server tools under /usr/lib/postgresql (scripts/cluster installs them)")
	}
	return filepath.Dir(m[len(m)-1]), nil
}

// cluster is what up started; it is saved as DIR/cluster.json (mode 0600:
// it holds the secret key and passwords) for status and down.
type cluster struct {
	Dir        string   `json:"dir"`
	Openflex   string   `json:"openflex"`
	SecretKey  string   `json:"secret_key"`
	Passwords  pgUsers  `json:"passwords"`
	Scope      string   `json:"scope"`
	Etcd       proc     `json:"etcd"`
	EtcdPeer   int      `json:"etcd_peer_port"`
	PG         []pgNode `json:"pg"`
	HAProxy    proc     `json:"haproxy"`
	HAPGPort   int      `json:"haproxy_pg_port"`
	HAHTTPPort int      `json:"haproxy_http_port"`
	Nodes      []proc   `json:"nodes"`
	RateLimit  float64  `json:"rate_limit,omitempty"`

	log io.Writer
}

type proc struct {
	Name string `json:"name"`
	Port int    `json:"port"`
	PID  int    `json:"pid"`
}

type pgNode struct {
	Name       string `json:"name"`
	Port       int    `json:"port"`
	APIPort    int    `json:"api_port"`
	PatroniPID int    `json:"patroni_pid"`
}

type pgUsers struct {
	Superuser, Replicator, Rewinder, Openflex string
}

func (c *cluster) logf(format string, args ...any) {
	if c.log != nil {
		fmt.Fprintf(c.log, "openflex-cluster: "+format+"\n", args...)
	}
}

func (c *cluster) path(parts ...string) string {
	return filepath.Join(append([]string{c.Dir}, parts...)...)
}

// DatabaseURL is the openflex role's URL through HAProxy, which always
// leads to the current primary.
func (c *cluster) DatabaseURL() string {
	return fmt.Sprintf("postgres://openflex:%s@127.0.0.1:%d/openflex?sslmode=disable&connect_timeout=3", c.Passwords.Openflex, c.HAPGPort)
}

func (c *cluster) superURL(port int) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=3", c.Passwords.Superuser, port)
}

func (c *cluster) API() string { return fmt.Sprintf("http://127.0.0.1:%d", c.HAHTTPPort) }

func (c *cluster) save() error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(c.path("cluster.json"), b, 0o600)
}

func loadCluster(dir string) (*cluster, error) {
	b, err := os.ReadFile(filepath.Join(dir, "cluster.json"))
	if err != nil {
		return nil, fmt.Errorf("no cluster in %s: %w", dir, err)
	}
	var c cluster
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s/cluster.json: %w", dir, err)
	}
	return &c, nil
}

type upOptions struct {
	Dir       string
	Nodes     int
	Openflex  string
	RateLimit float64
	Log       io.Writer
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// freePorts returns n loopback ports free right now: all are held open
// together so they differ, then released for the servers to take.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// up starts the whole topology and waits until it serves: etcd healthy, a
// Patroni leader, the standby streaming synchronously, every node ready
// through HAProxy.
func up(ctx context.Context, o upOptions) (_ *cluster, err error) {
	if o.Nodes < 1 {
		return nil, errors.New("--nodes must be at least 1")
	}
	if o.Dir == "" {
		if o.Dir, err = os.MkdirTemp("", "openflex-cluster."); err != nil {
			return nil, err
		}
	}
	if o.Dir, err = filepath.Abs(o.Dir); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(o.Dir, "cluster.json")); err == nil {
		return nil, fmt.Errorf("%s already holds a cluster: scripts/cluster down --dir %s, or another --dir", o.Dir, o.Dir)
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	// PostgreSQL runs as the postgres user: it must reach its directories.
	os.Chmod(o.Dir, 0o755)
	if o.Openflex == "" {
		o.Openflex = filepath.Join(o.Dir, "bin", "openflex")
	}
	ports, err := freePorts(8 + o.Nodes)
	if err != nil {
		return nil, err
	}
	c := &cluster{Dir: o.Dir, Openflex: o.Openflex, SecretKey: randomHex(32), Scope: "openflex-" + randomHex(4),
		Passwords: pgUsers{randomHex(12), randomHex(12), randomHex(12), randomHex(12)},
		Etcd:      proc{Name: "etcd", Port: ports[0]}, EtcdPeer: ports[1],
		PG:       []pgNode{{Name: "pg1", Port: ports[2], APIPort: ports[3]}, {Name: "pg2", Port: ports[4], APIPort: ports[5]}},
		HAPGPort: ports[6], HAHTTPPort: ports[7], RateLimit: o.RateLimit, log: o.Log}
	for i := range o.Nodes {
		c.Nodes = append(c.Nodes, proc{Name: fmt.Sprintf("n%d", i+1), Port: ports[8+i]})
	}
	defer func() {
		if err != nil {
			c.logf("start failed; stopping what started (logs in %s)", c.path("logs"))
			c.down()
		}
	}()
	if err := c.save(); err != nil {
		return nil, err
	}
	if err := c.startEtcd(ctx); err != nil {
		return c, err
	}
	for i := range c.PG {
		if err := c.startPatroni(ctx, i); err != nil {
			return c, err
		}
		if i == 0 {
			// pg2 starts once pg1 has bootstrapped, so it joins as a replica
			// instead of racing for the initial leader key.
			if err := c.waitFor(ctx, 90*time.Second, "pg1 to bootstrap as the leader", func() error { return c.checkPrimary(0) }); err != nil {
				return c, err
			}
		}
	}
	if err := c.startHAProxy(); err != nil {
		return c, err
	}
	if err := c.waitFor(ctx, 30*time.Second, "SQL through HAProxy", func() error { return c.createDatabase(ctx) }); err != nil {
		return c, err
	}
	if err := c.waitSynchronous(ctx, 120*time.Second); err != nil {
		return c, err
	}
	for i := range c.Nodes {
		if err := c.startNode(i); err != nil {
			return c, err
		}
	}
	for i := range c.Nodes {
		if err := c.waitNodeReady(ctx, i, 60*time.Second); err != nil {
			return c, err
		}
	}
	if err := c.waitFor(ctx, 30*time.Second, "HAProxy to route to a ready node", func() error { return httpOK(c.API() + "/readyz") }); err != nil {
		return c, err
	}
	return c, c.save()
}

// start runs a long-lived process in its own session (so a terminal's
// Ctrl-C does not reach it), logging to DIR/logs/NAME.log, as uid:gid when
// cred is set.
func (c *cluster) start(name string, cred *syscall.Credential, env []string, args ...string) (int, error) {
	f, err := os.OpenFile(c.path("logs", name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr, cmd.Dir = f, f, c.Dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", name, err)
	}
	go cmd.Wait() // reaps it when this process outlives it (test)
	c.logf("started %s (pid %d)", name, cmd.Process.Pid)
	return cmd.Process.Pid, nil
}

func (c *cluster) startEtcd(ctx context.Context) error {
	peer := fmt.Sprintf("http://127.0.0.1:%d", c.EtcdPeer)
	client := fmt.Sprintf("http://127.0.0.1:%d", c.Etcd.Port)
	pid, err := c.start("etcd", nil, nil, "etcd", "--name", "e1", "--data-dir", c.path("etcd"),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "e1="+peer, "--initial-cluster-state", "new")
	if err != nil {
		return err
	}
	c.Etcd.PID = pid
	c.save()
	return c.waitFor(ctx, 30*time.Second, "etcd to be healthy", func() error { return httpOK(client + "/health") })
}

func postgresUser() (*syscall.Credential, string, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, "", fmt.Errorf("the postgres OS user (from Debian's postgresql package): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, u.HomeDir, nil
}

const patroniTemplate = `scope: {{scope}}
name: {{name}}
restapi:
  listen: 127.0.0.1:{{api}}
  connect_address: 127.0.0.1:{{api}}
etcd3:
  hosts: 127.0.0.1:{{etcd}}
bootstrap:
  dcs:
    # Leader key TTL: how long a dead primary's Patroni keeps the lock.
    # loop_wait + 2 * retry_timeout must not exceed it.
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    # A commit is acknowledged once the standby has it; with one standby
    # down Patroni drops the requirement (non-strict) rather than stop writes.
    synchronous_mode: true
    synchronous_mode_strict: false
    # A crashed primary fails over at once instead of being restarted in place.
    primary_start_timeout: 0
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_log_hints: "on"
        max_connections: 200
        shared_buffers: 32MB
        wal_keep_size: 256MB
        max_wal_senders: 10
        max_replication_slots: 10
  initdb:
    - encoding: UTF8
    - data-checksums
postgresql:
  listen: 127.0.0.1:{{port}}
  connect_address: 127.0.0.1:{{port}}
  data_dir: {{dir}}/data
  bin_dir: {{bin}}
  pgpass: {{dir}}/pgpass
  authentication:
    superuser:
      username: postgres
      password: "{{super}}"
    replication:
      username: replicator
      password: "{{repl}}"
    rewind:
      username: rewinder
      password: "{{rewind}}"
  # A fast checkpoint: the default spread one makes a new standby wait
  # minutes for its base backup.
  basebackup:
    - checkpoint: fast
  parameters:
    unix_socket_directories: "{{dir}}"
  pg_hba:
    - local all all peer
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
`

func (c *cluster) startPatroni(ctx context.Context, i int) error {
	n := c.PG[i]
	cred, home, err := postgresUser()
	if err != nil {
		return err
	}
	bin, err := pgBin()
	if err != nil {
		return err
	}
	dir := c.path(n.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	cfg := strings.NewReplacer("{{scope}}", c.Scope, "{{name}}", n.Name, "{{api}}", strconv.Itoa(n.APIPort),
		"{{etcd}}", strconv.Itoa(c.Etcd.Port), "{{port}}", strconv.Itoa(n.Port), "{{dir}}", dir, "{{bin}}", bin,
		"{{super}}", c.Passwords.Superuser, "{{repl}}", c.Passwords.Replicator, "{{rewind}}", c.Passwords.Rewinder).Replace(patroniTemplate)
	if err := os.WriteFile(filepath.Join(dir, "patroni.yml"), []byte(cfg), 0o600); err != nil {
		return err
	}
	for _, p := range []string{dir, filepath.Join(dir, "patroni.yml")} {
		if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
	}
	// /usr/bin/patroni itself: another Python may come first on PATH.
	pid, err := c.start(n.Name, cred, []string{"HOME=" + home}, "/usr/bin/patroni", filepath.Join(dir, "patroni.yml"))
	if err != nil {
		return err
	}
	c.PG[i].PatroniPID = pid
	return c.save()
}

// patroniRole asks a Patroni REST API what its PostgreSQL is.
func (c *cluster) patroniRole(i int) string {
	cl := http.Client{Timeout: 2 * time.Second}
	res, err := cl.Get(fmt.Sprintf("http://127.0.0.1:%d/patroni", c.PG[i].APIPort))
	if err != nil {
		return "down"
	}
	defer res.Body.Close()
	var st struct {
		Role  string `json:"role"`
		State string `json:"state"`
	}
	if json.NewDecoder(res.Body).Decode(&st) != nil {
		return "down"
	}
	switch {
	case st.State != "running":
		return st.State
	case st.Role == "master" || st.Role == "primary":
		return "primary"
	case st.Role == "replica" || st.Role == "standby_leader":
		return "replica"
	}
	return st.Role
}

func (c *cluster) checkPrimary(i int) error {
	if r := c.patroniRole(i); r != "primary" {
		return fmt.Errorf("%s is %s", c.PG[i].Name, r)
	}
	return nil
}

// primaryIndex is the node Patroni calls primary, or -1.
func (c *cluster) primaryIndex() int {
	for i := range c.PG {
		if c.patroniRole(i) == "primary" {
			return i
		}
	}
	return -1
}

// postmasterPID reads the data directory's postmaster.pid; 0 when none runs.
func (c *cluster) postmasterPID(i int) int {
	f, err := os.Open(c.path(c.PG[i].Name, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	if !s.Scan() {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(s.Text()))
	if pid <= 0 || !alive(pid) {
		return 0
	}
	return pid
}

const haproxyTemplate = `global
    maxconn 4000
    stats socket {{dir}}/haproxy.sock mode 600 level admin

defaults
    timeout connect 2s
    timeout check 2s

# PostgreSQL: only the server whose Patroni answers 200 on HEAD /primary
# (GET would make Patroni log a reset connection at every check). Sessions
# to a server marked down are cut, so pools reconnect to the new primary.
listen postgres
    mode tcp
    bind 127.0.0.1:{{hapg}}
    timeout client 30m
    timeout server 30m
    option httpchk HEAD /primary
    http-check expect status 200
    default-server inter 1s fastinter 500ms downinter 1s rise 1 fall 2 on-marked-down shutdown-sessions
{{pgservers}}

# OpenFlex: round robin over the nodes whose /readyz answers 200 (it fails
# while a node cannot reach its database). A request whose connection
# fails is retried on another node; clients retry the rest with their
# Idempotency-Key.
listen openflex
    mode http
    bind 127.0.0.1:{{hahttp}}
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 10s
    balance roundrobin
    option forwardfor
    option redispatch
    retries 3
    retry-on conn-failure empty-response
    # A request that may have reached a node is re-sent only when that is
    # safe: a read, or a write carrying an Idempotency-Key.
    http-request disable-l7-retry if !METH_GET !{ req.hdr(Idempotency-Key) -m found }
    # No node ready (all cut off from PostgreSQL during a failover): the
    # API's own error shape, with Retry-After, instead of HAProxy's page.
    errorfile 503 {{dir}}/haproxy-503.http
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 1s fastinter 300ms downinter 1s rise 1 fall 2
{{nodeservers}}
`

// haproxyConfig is HAProxy's configuration for the cluster.
func (c *cluster) haproxyConfig() string {
	var pg, nodes strings.Builder
	for _, n := range c.PG {
		fmt.Fprintf(&pg, "    server %s 127.0.0.1:%d check port %d\n", n.Name, n.Port, n.APIPort)
	}
	for _, n := range c.Nodes {
		fmt.Fprintf(&nodes, "    server %s 127.0.0.1:%d check\n", n.Name, n.Port)
	}
	return strings.NewReplacer("{{dir}}", c.Dir, "{{hapg}}", strconv.Itoa(c.HAPGPort), "{{hahttp}}", strconv.Itoa(c.HAHTTPPort),
		"{{pgservers}}", strings.TrimRight(pg.String(), "\n"), "{{nodeservers}}", strings.TrimRight(nodes.String(), "\n")).Replace(haproxyTemplate)
}

func (c *cluster) startHAProxy() error {
	cfg := c.haproxyConfig()
	unavailable := "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\n" +
		"Content-Type: application/json\r\nRetry-After: 1\r\n\r\n" +
		`{"error":{"type":"api_error","code":"unavailable","message":"no OpenFlex node is ready (database failover?); retry shortly with the same Idempotency-Key","request_id":""}}` + "\n"
	if err := os.WriteFile(c.path("haproxy-503.http"), []byte(unavailable), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(c.path("haproxy.cfg"), []byte(cfg), 0o644); err != nil {
		return err
	}
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		haproxy = "/usr/sbin/haproxy"
	}
	pid, err := c.start("haproxy", nil, nil, haproxy, "-f", c.path("haproxy.cfg"))
	if err != nil {
		return err
	}
	c.HAProxy = proc{Name: "haproxy", Port: c.HAHTTPPort, PID: pid}
	return c.save()
}

// haproxyCommand sends one command to HAProxy's runtime API.
func (c *cluster) haproxyCommand(cmd string) (string, error) {
	conn, err := net.DialTimeout("unix", c.path("haproxy.sock"), 2*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, cmd+"\n"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(conn)
	return string(b), err
}

// createDatabase makes the openflex role and database (once).
func (c *cluster) createDatabase(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.superURL(c.HAPGPort))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'openflex')`).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE ROLE openflex LOGIN PASSWORD '`+c.Passwords.Openflex+`'`); err != nil {
			return err
		}
	}
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'openflex')`).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE DATABASE openflex OWNER openflex`); err != nil {
			return err
		}
	}
	return nil
}

// synchronousStandbys counts standbys the primary waits for at commit.
func (c *cluster) synchronousStandbys(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.superURL(c.HAPGPort))
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'sync'`).Scan(&n)
	return n, err
}

// waitSynchronous waits until the primary has a synchronous standby:
// patronictl's "running" is not enough, pg_stat_replication tells.
func (c *cluster) waitSynchronous(ctx context.Context, timeout time.Duration) error {
	return c.waitFor(ctx, timeout, "a synchronous standby", func() error {
		n, err := c.synchronousStandbys(ctx)
		if err == nil && n == 0 {
			err = errors.New("no standby streaming with sync_state = sync")
		}
		return err
	})
}

func (c *cluster) startNode(i int) error {
	n := c.Nodes[i]
	args := []string{c.Openflex, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", n.Port),
		"--database-url", c.DatabaseURL(), "--secret-key", c.SecretKey,
		"--data-dir", c.path("nodes", n.Name), "--trusted-proxies", "127.0.0.1/32",
		"--public-url", c.API(), "--log-format", "json", "--shutdown-timeout", "20s",
		// The nodes share one host: one metrics port cannot serve them all.
		"--metrics-addr", ""}
	if c.RateLimit > 0 {
		r := strconv.FormatFloat(c.RateLimit, 'f', -1, 64)
		args = append(args, "--rate-limit-training", r, "--rate-limit-production", r)
	}
	pid, err := c.start(n.Name, nil, nil, args...)
	if err != nil {
		return err
	}
	c.Nodes[i].PID = pid
	return c.save()
}

func (c *cluster) nodeURL(i int) string { return fmt.Sprintf("http://127.0.0.1:%d", c.Nodes[i].Port) }

func (c *cluster) waitNodeReady(ctx context.Context, i int, timeout time.Duration) error {
	return c.waitFor(ctx, timeout, c.Nodes[i].Name+" to be ready", func() error {
		if !alive(c.Nodes[i].PID) {
			return fmt.Errorf("%s exited (see %s)", c.Nodes[i].Name, c.path("logs", c.Nodes[i].Name+".log"))
		}
		return httpOK(c.nodeURL(i) + "/readyz")
	})
}

func httpOK(url string) error {
	cl := http.Client{Timeout: 3 * time.Second}
	res, err := cl.Get(url)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return nil
}

// waitFor polls check until it passes or timeout ends; the error names
// what was awaited and the last reason.
func (c *cluster) waitFor(ctx context.Context, timeout time.Duration, what string, check func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if last = check(); last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waited %s for %s: %v", timeout, what, last)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// stop sends SIGTERM and waits for the exit, then SIGKILL.
func stop(pid int, grace time.Duration) {
	if !alive(pid) {
		return
	}
	syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if alive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		for i := 0; alive(pid) && i < 100; i++ {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// down stops, by pid, what up started: nodes, HAProxy, each Patroni (it
// stops its PostgreSQL), then any postmaster left (its Patroni was killed)
// and etcd. Files stay.
func (c *cluster) down() error {
	for _, n := range c.Nodes {
		stop(n.PID, 25*time.Second)
	}
	stop(c.HAProxy.PID, 5*time.Second)
	for i := range c.PG {
		post := c.postmasterPID(i)
		stop(c.PG[i].PatroniPID, 30*time.Second)
		if post != 0 && alive(post) {
			stop(post, 10*time.Second)
		}
	}
	stop(c.Etcd.PID, 10*time.Second)
	c.logf("stopped the cluster in %s", c.Dir)
	return nil
}

// description is the JSON line of up and status.
type description struct {
	API         string            `json:"api"`
	DatabaseURL string            `json:"database_url"`
	Dir         string            `json:"dir"`
	Nodes       []nodeDesc        `json:"nodes"`
	Postgres    []pgDesc          `json:"postgres"`
	Patroni     []patroniDesc     `json:"patroni"`
	HAProxy     map[string]any    `json:"haproxy"`
	Etcd        map[string]any    `json:"etcd"`
	CLIEnv      map[string]string `json:"cli_env"`
}

type nodeDesc struct {
	Name  string `json:"name"`
	URL   string `json:"url"`
	PID   int    `json:"pid"`
	Ready bool   `json:"ready"`
}

type pgDesc struct {
	Name string `json:"name"`
	Role string `json:"role"`
	PID  int    `json:"pid"`
	Port int    `json:"port"`
}

type patroniDesc struct {
	Name string `json:"name"`
	API  string `json:"api"`
	PID  int    `json:"pid"`
}

func (c *cluster) describe(ctx context.Context) description {
	d := description{API: c.API(), DatabaseURL: c.DatabaseURL(), Dir: c.Dir,
		HAProxy: map[string]any{"pid": c.HAProxy.PID, "postgres_port": c.HAPGPort, "http_port": c.HAHTTPPort},
		Etcd:    map[string]any{"pid": c.Etcd.PID, "url": fmt.Sprintf("http://127.0.0.1:%d", c.Etcd.Port)},
		CLIEnv: map[string]string{"OPENFLEX_DATABASE_URL": c.DatabaseURL(), "OPENFLEX_SECRET_KEY": c.SecretKey,
			"OPENFLEX_DATA_DIR": c.path("cli")}}
	for i, n := range c.Nodes {
		pid := n.PID
		if !alive(pid) {
			pid = 0
		}
		d.Nodes = append(d.Nodes, nodeDesc{Name: n.Name, URL: c.nodeURL(i), PID: pid, Ready: pid != 0 && httpOK(c.nodeURL(i)+"/readyz") == nil})
	}
	for i, n := range c.PG {
		d.Postgres = append(d.Postgres, pgDesc{Name: n.Name, Role: c.patroniRole(i), PID: c.postmasterPID(i), Port: n.Port})
		pid := n.PatroniPID
		if !alive(pid) {
			pid = 0
		}
		d.Patroni = append(d.Patroni, patroniDesc{Name: n.Name, API: fmt.Sprintf("http://127.0.0.1:%d", n.APIPort), PID: pid})
	}
	return d
}
