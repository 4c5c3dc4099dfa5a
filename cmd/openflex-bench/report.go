package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// report is the result of a run; --json prints it as is.
type report struct {
	Tool       string        `json:"tool"`
	Label      string        `json:"label,omitempty"`
	Started    string        `json:"started"`
	Target     targetReport  `json:"target"`
	Load       loadReport    `json:"load"`
	Machine    machineReport `json:"machine"`
	Setup      setupReport   `json:"setup"`
	Totals     totalsReport  `json:"totals"`
	Operations []opReport    `json:"operations"`
	Errors     []errorReport `json:"errors"`
	Memory     *memoryReport `json:"server_memory,omitempty"`
	CPU        *cpuReport    `json:"process_cpu,omitempty"`
	// OutboxBacklog is how many events (one per money movement) the
	// webhook fan-out job had not yet processed when the run ended
	// (spawned servers only).
	OutboxBacklog *int `json:"outbox_backlog,omitempty"`
	// OutboxBacklogSeconds is that backlog in seconds of the run's money
	// movements (each emits one event): under 1, webhooks keep up.
	OutboxBacklogSeconds *float64 `json:"outbox_backlog_seconds,omitempty"`
	// AllocsPerRequest is heap allocations during the measured run per
	// completed request (spawned: server and load generator together).
	AllocsPerRequest *float64       `json:"allocs_per_request,omitempty"`
	Timeline         []secondReport `json:"timeline"`
	// StatementRun is the servicing scenario's (--statement-run).
	StatementRun *statementReport `json:"statement_run,omitempty"`
	Notes        []string         `json:"notes,omitempty"`
}

type targetReport struct {
	URL     string `json:"url"`
	Spawned bool   `json:"spawned"`
	// Engine is sqlite, postgres, or remote (--url: not known).
	Engine      string `json:"engine"`
	Environment string `json:"environment"`
	// SQLiteSynchronous is the synchronous pragma of the data plane under
	// load: NORMAL for TRAINING, FULL for PRODUCTION.
	SQLiteSynchronous string `json:"sqlite_synchronous,omitempty"`
	GroupCommit       bool   `json:"group_commit"`
	Stores            int    `json:"stores"`
}

type loadReport struct {
	// Mode is open (fixed arrival rate) or closed (fixed concurrency).
	Mode            string         `json:"mode"`
	Rate            float64        `json:"rate,omitempty"`
	Concurrency     int            `json:"concurrency,omitempty"`
	DurationSeconds float64        `json:"duration_seconds"`
	WarmupSeconds   float64        `json:"warmup_seconds"`
	Mix             map[string]int `json:"mix"`
	FinancingShare  float64        `json:"financing_share"`
	Idempotency     string         `json:"idempotency"`
	MaxInflight     int            `json:"max_inflight,omitempty"`
	Conns           int            `json:"conns"`
	Seed            uint64         `json:"seed"`
}

type machineReport struct {
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	GoVersion  string `json:"go_version"`
	Hostname   string `json:"hostname"`
}

type setupReport struct {
	Accounts              int     `json:"accounts"`
	Seconds               float64 `json:"seconds"`
	ApplicationsPerSecond float64 `json:"applications_per_second"`
}

type totalsReport struct {
	// Due requests fell in the window; Sent of them were sent; Completed
	// answered (any status) or failed, whenever that was.
	Due       int `json:"due"`
	Sent      int `json:"sent"`
	NotSent   int `json:"not_sent"`
	Completed int `json:"completed"`
	OK        int `json:"ok"`
	Errors    int `json:"errors"`
	// Status5xx and TransportErrors are the server's failures.
	Status5xx       int `json:"status_5xx"`
	TransportErrors int `json:"transport_errors"`
	// OfferedRate is Due per second of the window; AchievedRate and OKRate
	// are the answers (all, 2xx) that arrived inside the window, per second.
	OfferedRate   float64     `json:"offered_rate"`
	AchievedRate  float64     `json:"achieved_rate"`
	OKRate        float64     `json:"ok_rate"`
	WindowSeconds float64     `json:"window_seconds"`
	MaxInflight   int64       `json:"max_inflight"`
	DrainSeconds  float64     `json:"drain_seconds"`
	Interrupted   bool        `json:"interrupted"`
	LatencyMS     percentiles `json:"latency_ms"`
	ServiceMS     percentiles `json:"service_ms"`
	// SendLagMS is how late requests were sent after they were due.
	SendLagMS percentiles `json:"send_lag_ms"`
}

type opReport struct {
	Op     string  `json:"op"`
	Count  int     `json:"count"`
	OK     int     `json:"ok"`
	Errors int     `json:"errors"`
	Rate   float64 `json:"rate"`
	// LatencyMS is timed from when the request was due (open loop) or
	// started (closed loop); ServiceMS from when it was sent.
	LatencyMS percentiles `json:"latency_ms"`
	ServiceMS percentiles `json:"service_ms"`
}

type errorReport struct {
	Op string `json:"op"`
	// Status is the HTTP status, 0 when no answer came (Code then says why).
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Count   int    `json:"count"`
	Example string `json:"example,omitempty"`
}

type secondReport struct {
	Second    int `json:"second"`
	Completed int `json:"completed"`
	Errors    int `json:"errors"`
}

func buildReport(o *options, tg *target, setup setupReport, res runResult, rec *recorder, mem *memoryReport, cpu *cpuReport) *report {
	host, _ := os.Hostname()
	rep := &report{
		Tool: "openflex-bench", Label: o.Label, Started: res.from.UTC().Format(time.RFC3339),
		Target: targetReport{URL: tg.url, Spawned: tg.main != nil, Engine: tg.engine, Environment: tg.env,
			SQLiteSynchronous: tg.sync, GroupCommit: tg.groupCommit, Stores: len(tg.stores)},
		Load: loadReport{Mode: res.mode, Rate: o.Rate, Concurrency: o.Concurrency, DurationSeconds: o.Duration.Seconds(),
			WarmupSeconds: o.Warmup.Seconds(), Mix: map[string]int{}, FinancingShare: o.FinancingShare, Idempotency: o.Idempotency,
			Conns: o.Conns, Seed: o.Seed},
		Machine: machineReport{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, NumCPU: runtime.NumCPU(),
			GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(), Hostname: host},
		Setup: setup, Memory: mem, CPU: cpu, Operations: []opReport{}, Errors: []errorReport{}, Timeline: []secondReport{},
	}
	if res.mode == "open" {
		rep.Load.MaxInflight = o.MaxInflight
	}
	for i, w := range o.Mix {
		rep.Load.Mix[mixNames[i]] = w
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	window := res.to.Sub(res.from).Seconds()
	t := &rep.Totals
	t.Due, t.Sent, t.NotSent = res.due, res.sent, res.due-res.sent
	t.WindowSeconds, t.MaxInflight, t.DrainSeconds, t.Interrupted = round2(window), res.maxInflight, round2(res.drainSeconds), res.interrupted
	if window > 0 {
		t.OfferedRate = round2(float64(res.due) / window)
		t.AchievedRate = round2(float64(rec.inWindow) / window)
		t.OKRate = round2(float64(rec.okInWindow) / window)
	}
	var allLatency, allService []time.Duration
	names := slices.Collect(maps.Keys(rec.ops))
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(orderOf(a), orderOf(b)), strings.Compare(a, b))
	})
	for _, name := range names {
		s := rec.ops[name]
		n := len(s.latency)
		allLatency, allService = append(allLatency, s.latency...), append(allService, s.service...)
		op := opReport{Op: name, Count: n, OK: s.ok, Errors: s.failed, LatencyMS: summarize(s.latency), ServiceMS: summarize(s.service)}
		if window > 0 {
			op.Rate = round2(float64(n) / window)
		}
		rep.Operations = append(rep.Operations, op)
		t.Completed += n
		t.OK += s.ok
		t.Errors += s.failed
	}
	t.LatencyMS, t.ServiceMS, t.SendLagMS = summarize(allLatency), summarize(allService), summarize(slices.Clone(rec.lag))
	for k, e := range rec.errs {
		rep.Errors = append(rep.Errors, errorReport{Op: k.op, Status: k.status, Code: k.code, Count: e.count, Example: e.example})
		switch {
		case k.status >= 500:
			t.Status5xx += e.count
		case k.status == 0:
			t.TransportErrors += e.count
		}
	}
	slices.SortFunc(rep.Errors, func(a, b errorReport) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(orderOf(a.Op), orderOf(b.Op)), cmp.Compare(a.Status, b.Status), strings.Compare(a.Code, b.Code))
	})
	for i, s := range rec.seconds {
		rep.Timeline = append(rep.Timeline, secondReport{Second: i, Completed: s.completed, Errors: s.errors})
	}
	if tg.main != nil {
		rep.Notes = append(rep.Notes, "spawned: the server and this load generator share one process, so its memory and CPU figures include both")
	}
	if t.NotSent > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d requests due in the window were never sent: the server fell too far behind to catch up within --drain", t.NotSent))
	}
	return rep
}

func orderOf(op string) int {
	if i := slices.Index(reportOrder, op); i >= 0 {
		return i
	}
	return len(reportOrder)
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// writeReport prints rep as JSON or as text tables.
func writeReport(w io.Writer, rep *report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	var b strings.Builder
	tg, ld, t := rep.Target, rep.Load, rep.Totals
	engine := tg.Engine
	if tg.SQLiteSynchronous != "" {
		engine += ", synchronous=" + tg.SQLiteSynchronous
	}
	if tg.GroupCommit {
		engine += ", group commit"
	}
	loop := fmt.Sprintf("open loop at %g/s", ld.Rate)
	if ld.Mode == "closed" {
		loop = fmt.Sprintf("closed loop, %d workers", ld.Concurrency)
	}
	fmt.Fprintf(&b, "%s (%s) %s, %s for %gs, %d accounts (created at %.0f/s)\n", tg.URL, engine, strings.ToUpper(tg.Environment),
		loop, t.WindowSeconds, rep.Setup.Accounts, rep.Setup.ApplicationsPerSecond)
	fmt.Fprintf(&b, "offered %.1f/s  achieved %.1f/s  ok %.1f/s  completed %d  errors %d (5xx %d, no answer %d)  max in flight %d\n\n",
		t.OfferedRate, t.AchievedRate, t.OKRate, t.Completed, t.Errors, t.Status5xx, t.TransportErrors, t.MaxInflight)
	if sr := rep.StatementRun; sr != nil {
		fmt.Fprintf(&b, "statement run: %d accounts (%d built in %.1fs, their days to the statement day in %.1fs, the rest copied in %.1fs); the statement day served %d accounts in %.2fs (%.0f/s, %d workers; %.0fs per million)",
			sr.Accounts, sr.Templates, sr.SeedSeconds, sr.PrepareSeconds, sr.CloneSeconds, sr.Served, sr.RunSeconds, sr.AccountsPerSec, sr.Workers, sr.ProjectedMillio)
		if sr.Rehearsed+sr.Reworked > 0 {
			fmt.Fprintf(&b, "; %d accounts served as rehearsed, %d worked out again", sr.Rehearsed, sr.Reworked)
		}
		fmt.Fprintf(&b, "; the server's job had sent %d customer messages by then", sr.Texts)
		if sr.Error != "" {
			fmt.Fprintf(&b, "; error: %s", sr.Error)
		}
		fmt.Fprint(&b, "\n\n")
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tcount\trate/s\terrors\tp50 ms\tp90 ms\tp99 ms\tp99.9 ms\tmax ms\t")
	row := func(name string, count int, rate float64, errs int, p percentiles) {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", name, count, rate, errs, p.P50, p.P90, p.P99, p.P999, p.Max)
	}
	for _, op := range rep.Operations {
		row(op.Op, op.Count, op.Rate, op.Errors, op.LatencyMS)
	}
	row("all", t.Completed, round2(float64(t.Completed)/max(t.WindowSeconds, 1e-9)), t.Errors, t.LatencyMS)
	tw.Flush()
	if ld.Mode == "open" {
		fmt.Fprintf(&b, "(latency from each request's due time; service time from sending: p50 %.2f, p99 %.2f, max %.2f ms; sent late by p50 %.2f, p99 %.2f ms)\n",
			t.ServiceMS.P50, t.ServiceMS.P99, t.ServiceMS.Max, t.SendLagMS.P50, t.SendLagMS.P99)
	}
	if len(rep.Errors) > 0 {
		fmt.Fprintln(&b, "\nerrors:")
		for _, e := range rep.Errors {
			fmt.Fprintf(&b, "  %-16s %3d %-28s %d", e.Op, e.Status, e.Code, e.Count)
			if e.Example != "" {
				fmt.Fprintf(&b, "  (%s)", e.Example)
			}
			b.WriteString("\n")
		}
	}
	if m := rep.Memory; m != nil {
		fmt.Fprintf(&b, "\nserver memory (%s): peak heap in use %s, peak sys %s", m.Source, mib(m.PeakHeapInuseBytes), mib(m.PeakSysBytes))
		if m.PeakRSSBytes > 0 {
			fmt.Fprintf(&b, ", peak RSS %s", mib(m.PeakRSSBytes))
		}
		b.WriteString("\n")
	}
	if c := rep.CPU; c != nil {
		fmt.Fprintf(&b, "CPU (%s): %.1f s over %.1f s = %.2f of %d cores busy", c.Source, c.Seconds, c.WallSeconds, c.CoresBusy, rep.Machine.NumCPU)
		if c.LoadGeneratorCoresBusy > 0 {
			fmt.Fprintf(&b, "; load generator %.2f cores", c.LoadGeneratorCoresBusy)
		}
		if c.MachineCoresBusy > 0 {
			fmt.Fprintf(&b, "; whole machine %.2f cores busy", c.MachineCoresBusy)
		}
		b.WriteString("\n")
	}
	if rep.OutboxBacklog != nil {
		fmt.Fprintf(&b, "outbox: %d events not yet fanned out to webhooks at the end of the run", *rep.OutboxBacklog)
		if rep.OutboxBacklogSeconds != nil {
			fmt.Fprintf(&b, " (%.2f s of money movements)", *rep.OutboxBacklogSeconds)
		}
		b.WriteString("\n")
	}
	if rep.AllocsPerRequest != nil {
		fmt.Fprintf(&b, "allocations: %.0f per request (server and load generator)\n", *rep.AllocsPerRequest)
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(&b, "note:", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
