package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSmoke is the CI smoke test of the benchmark tool: a short open-loop
// run on a spawned SQLite platform must produce a well-formed report with
// no server failures. It checks correctness only, never speed.
func TestSmoke(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--spawn", "--duration", "2s", "--rate", "20", "--accounts", "10", "--json"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	var rep report
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("the report is not one JSON document of the report's shape: %v\n%s", err, stdout.String())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("output continues after the JSON document: %v", err)
	}

	if rep.Tool != "openflex-bench" || !rep.Target.Spawned || rep.Target.Engine != "sqlite" || rep.Target.Environment != "training" ||
		rep.Target.SQLiteSynchronous != "NORMAL" || rep.Target.Stores != 2 {
		t.Errorf("target = %+v (tool %q), want a spawned SQLite TRAINING platform with 2 stores", rep.Target, rep.Tool)
	}
	if rep.Load.Mode != "open" || rep.Load.Rate != 20 || rep.Load.DurationSeconds != 2 || rep.Setup.Accounts != 10 {
		t.Errorf("load = %+v, setup = %+v; want open loop at 20/s for 2s on 10 accounts", rep.Load, rep.Setup)
	}
	tot := rep.Totals
	// 20 per second for 2 seconds, every one sent and answered.
	if tot.Due != 40 || tot.Sent != 40 || tot.NotSent != 0 || tot.Completed != 40 || tot.Interrupted {
		t.Errorf("totals: due %d, sent %d, not sent %d, completed %d, interrupted %v; want 40, 40, 0, 40, false",
			tot.Due, tot.Sent, tot.NotSent, tot.Completed, tot.Interrupted)
	}
	if tot.OK+tot.Errors != tot.Completed {
		t.Errorf("ok %d + errors %d != completed %d", tot.OK, tot.Errors, tot.Completed)
	}
	if tot.Status5xx != 0 || tot.TransportErrors != 0 {
		t.Errorf("server failures: %d 5xx, %d without answer: %+v", tot.Status5xx, tot.TransportErrors, rep.Errors)
	}
	checkPercentiles(t, "totals latency", tot.LatencyMS)
	checkPercentiles(t, "totals service time", tot.ServiceMS)

	sum := 0
	for _, op := range rep.Operations {
		if !slices.Contains(reportOrder, op.Op) {
			t.Errorf("unknown operation %q in the report", op.Op)
		}
		if op.Count <= 0 || op.OK+op.Errors != op.Count {
			t.Errorf("%s: count %d, ok %d, errors %d", op.Op, op.Count, op.OK, op.Errors)
		}
		checkPercentiles(t, op.Op+" latency", op.LatencyMS)
		checkPercentiles(t, op.Op+" service time", op.ServiceMS)
		sum += op.Count
	}
	if sum != tot.Completed {
		t.Errorf("operations add up to %d requests, totals say %d", sum, tot.Completed)
	}
	if i := slices.IndexFunc(rep.Operations, func(o opReport) bool { return o.Op == opAuthorize }); i < 0 {
		t.Errorf("no authorizations in the report: %+v", rep.Operations)
	}
	errs := 0
	for _, e := range rep.Errors {
		if e.Status >= 500 || e.Status == 0 {
			t.Errorf("server failure: %+v", e)
		}
		errs += e.Count
	}
	if errs != tot.Errors {
		t.Errorf("errors list %d, totals say %d", errs, tot.Errors)
	}
	done := 0
	for _, s := range rep.Timeline {
		done += s.Completed
	}
	if done != tot.Completed {
		t.Errorf("timeline holds %d completions, totals say %d", done, tot.Completed)
	}
	if m := rep.Memory; m == nil || m.Source != "in-process" || m.Samples == 0 || m.PeakHeapInuseBytes == 0 || m.PeakSysBytes < m.PeakHeapInuseBytes {
		t.Errorf("server memory = %+v, want in-process samples with heap ≤ sys", m)
	} else if runtime.GOOS == "linux" && m.PeakRSSBytes == 0 {
		t.Errorf("no VmHWM on Linux: %+v", m)
	}

	var text strings.Builder
	if err := writeReport(&text, &rep, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"offered 20.0/s", "authorize", "p99.9 ms", "server memory"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
}

func checkPercentiles(t *testing.T, what string, p percentiles) {
	t.Helper()
	if p.P50 < 0 || p.P50 > p.P90 || p.P90 > p.P99 || p.P99 > p.P999 || p.P999 > p.Max || p.Mean > p.Max {
		t.Errorf("%s percentiles out of order: %+v", what, p)
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // part of the usage error; "" for none
	}{
		{"spawn defaults to 50/s open loop", []string{"--spawn"}, ""},
		{"url with credentials", []string{"--url", "http://x", "--client-id", "a", "--client-secret", "b", "--store", "s"}, ""},
		{"no server", nil, "say which server"},
		{"both servers", []string{"--spawn", "--url", "http://x"}, "exclusive"},
		{"url without key set", []string{"--url", "http://x"}, "--client-id"},
		{"open and closed loop", []string{"--spawn", "--rate", "10", "--concurrency", "2"}, "exclusive"},
		{"database url without spawn", []string{"--url", "http://x", "--client-id", "a", "--client-secret", "b", "--store", "s", "--database-url", "postgres://"}, "need --spawn"},
		{"group commit on postgres", []string{"--spawn", "--database-url", "postgres://x", "--group-commit"}, "SQLite"},
		{"bad env", []string{"--spawn", "--env", "staging"}, "--env"},
		{"bad mix", []string{"--spawn", "--mix", "refund=3"}, "unknown operation"},
		{"empty mix", []string{"--spawn", "--mix", "authorize=0"}, "positive weight"},
		{"bad idempotency", []string{"--spawn", "--idempotency", "some"}, "--idempotency"},
		{"financing share", []string{"--spawn", "--financing", "2"}, "--financing"},
		{"stray argument", []string{"--spawn", "now"}, "unexpected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseFlags(tc.args, io.Discard)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("parseFlags(%q) = %v, want no error", tc.args, err)
				}
				if o.Rate == 0 && o.Concurrency == 0 {
					t.Fatalf("parseFlags(%q): no load mode chosen", tc.args)
				}
				return
			}
			var u usageError
			if !errors.As(err, &u) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("parseFlags(%q) = %v, want a usage error mentioning %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestMixFlag(t *testing.T) {
	var m mix
	if err := m.Set("authorize=3, list=1,token=0"); err != nil {
		t.Fatal(err)
	}
	if want := (mix{3, 0, 0, 0, 1, 0}); m != want {
		t.Fatalf("Set = %v, want %v", m, want)
	}
	for _, bad := range []string{"authorize", "authorize=-1", "authorize=x", "refund=1"} {
		if err := m.Set(bad); err == nil {
			t.Errorf("Set(%q) = nil, want an error", bad)
		}
	}
	d := defaultMix()
	var back mix
	if err := back.Set(d.String()); err != nil || back != d {
		t.Fatalf("Set(String()) = %v, %v; want %v", back, err, d)
	}
}

func TestSummarize(t *testing.T) {
	var d []time.Duration
	for i := 1000; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	got := summarize(d)
	want := percentiles{P50: 500, P90: 900, P99: 990, P999: 999, Max: 1000, Mean: 500.5}
	if got != want {
		t.Fatalf("summarize(1..1000 ms) = %+v, want %+v", got, want)
	}
	if got := summarize([]time.Duration{1500 * time.Microsecond}); got.P50 != 1.5 || got.P999 != 1.5 || got.Max != 1.5 {
		t.Fatalf("summarize(one value) = %+v", got)
	}
	if got := summarize(nil); got != (percentiles{}) {
		t.Fatalf("summarize(nil) = %+v", got)
	}
}

func TestErrorCode(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"error":{"type":"credit_error","code":"insufficient_credit","message":"…"}}`, "insufficient_credit"},
		{`{"error":"invalid_client","error_description":"…"}`, "invalid_client"},
		{`{"id":"auth_1"}`, ""},
		{`not json`, ""},
	}
	for _, tc := range tests {
		if got := errorCode([]byte(tc.body)); got != tc.want {
			t.Errorf("errorCode(%s) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestVmHWM(t *testing.T) {
	status := "Name:\tbench\nVmPeak:\t 2000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t 40000 kB\n"
	if got := vmHWM([]byte(status)); got != 51200<<10 {
		t.Fatalf("vmHWM = %d, want %d", got, 51200<<10)
	}
	if got := vmHWM([]byte("Name:\tx\n")); got != 0 {
		t.Fatalf("vmHWM without the line = %d", got)
	}
}

func TestParseMetrics(t *testing.T) {
	text := "# HELP go_memstats_sys_bytes …\ngo_memstats_sys_bytes 4.2e+07\n" +
		"openflex_http_requests_total{route=\"x\"} 3\nprocess_resident_memory_bytes 1.5e+07\n"
	got := parseMetrics(strings.NewReader(text), "go_memstats_sys_bytes", "process_resident_memory_bytes", "absent")
	if got["go_memstats_sys_bytes"] != 4.2e7 || got["process_resident_memory_bytes"] != 1.5e7 || len(got) != 2 {
		t.Fatalf("parseMetrics = %v", got)
	}
}

func TestLetters(t *testing.T) {
	seen := map[string]bool{}
	for i := range 2000 {
		s := letters(i)
		if seen[s] || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz") != "" {
			t.Fatalf("letters(%d) = %q: repeated or not letters", i, s)
		}
		seen[s] = true
	}
}

// TestStatementRunSmoke: the statement run scenario, small (its templates
// built through the services and some copies), serves every account's
// statement day with no error. Correctness only, never speed.
func TestStatementRunSmoke(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--spawn", "--env", "production", "--duration", "1s", "--rate", "10", "--accounts", "5",
		"--statement-run", "130", "--json"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
	}
	var rep report
	if err := json.NewDecoder(&stdout).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	sr := rep.StatementRun
	if sr == nil || sr.Error != "" || sr.Accounts != 130 || sr.Templates != templateAccounts || sr.Served != 130 {
		t.Fatalf("statement run = %+v; want 130 accounts (%d built, the rest copies) all served, no error", sr, templateAccounts)
	}
}
