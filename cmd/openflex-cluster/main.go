// Command openflex-cluster runs OpenFlex's production topology on one
// machine, on loopback ports, and proves it under faults:
//
//	openflex-cluster up [--dir DIR] [--nodes 3]   start etcd, two PostgreSQL under Patroni
//	                                               (synchronous standby), HAProxy and N nodes
//	openflex-cluster status --dir DIR              the same JSON, with the current roles
//	openflex-cluster down --dir DIR                stop what up started, by pid
//	openflex-cluster test [--long] [--json FILE]   fault tests under write load (scripts/test-cluster)
//
// It runs Debian's etcd, Patroni, PostgreSQL and HAProxy as they are: the
// failover, leader election and replication are theirs. scripts/cluster
// installs the packages and builds the binaries first.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "openflex-cluster:", err)
			os.Exit(1)
		}
	}
}

const usage = `usage: openflex-cluster up [--dir DIR] [--nodes N] | status --dir DIR | down --dir DIR | test [--long] [--json FILE]`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet("openflex-cluster "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "the cluster's directory (up: created, default a new one under /tmp)")
	nodes := fs.Int("nodes", 3, "up: number of openflex serve nodes")
	bin := fs.String("openflex", "", "the openflex binary (default DIR/bin/openflex, built by scripts/cluster)")
	bench := fs.String("bench", "", "test: the openflex-bench binary for the throughput figures (skipped when empty)")
	long := fs.Bool("long", false, "test: longer load phases and a longer benchmark")
	jsonOut := fs.String("json", "", "test: also write the report to this file")
	rate := fs.Float64("rate-limit", 0, "up: per-key-set rate limit of each node (requests/s; default the server's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch cmd {
	case "up":
		c, err := up(ctx, upOptions{Dir: *dir, Nodes: *nodes, Openflex: *bin, RateLimit: *rate, Log: stderr})
		if err != nil {
			return err
		}
		return printLine(stdout, c.describe(ctx))
	case "status":
		if *dir == "" {
			return errors.New("status needs --dir")
		}
		c, err := loadCluster(*dir)
		if err != nil {
			return err
		}
		return printLine(stdout, c.describe(ctx))
	case "down":
		if *dir == "" {
			return errors.New("down needs --dir")
		}
		c, err := loadCluster(*dir)
		if err != nil {
			return err
		}
		return c.down()
	case "test":
		return test(ctx, testOptions{Dir: *dir, Nodes: *nodes, Openflex: *bin, Bench: *bench, Long: *long, JSON: *jsonOut, Log: stderr}, stdout)
	}
	return errors.New(usage)
}

func printLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
