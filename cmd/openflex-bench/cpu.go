package main

import (
	"context"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// cpuReport is the CPU time the server used during the run.
type cpuReport struct {
	// Source is "in-process" (spawned: server and load generator together)
	// or "metrics" (the server's process_cpu_seconds_total).
	Source  string  `json:"source"`
	Seconds float64 `json:"cpu_seconds"`
	// CoresBusy is CPU seconds per wall-clock second; the machine has
	// NumCPU cores.
	CoresBusy   float64 `json:"cores_busy"`
	WallSeconds float64 `json:"wall_seconds"`
	// MachineCoresBusy is the whole machine's busy CPU over the same time
	// (Linux /proc/stat): what it exceeds CoresBusy by is other processes'
	// work — with --spawn, everything but this process.
	MachineCoresBusy float64 `json:"machine_cores_busy,omitempty"`
	// LoadGeneratorCoresBusy is this process's CPU per second when the
	// server runs elsewhere (--url).
	LoadGeneratorCoresBusy float64 `json:"load_generator_cores_busy,omitempty"`
}

type cpuMeter struct {
	source  string
	read    func() (float64, bool)
	start   float64
	at      time.Time
	ok      bool
	machine machineCPU
	// self is this process's CPU time at the start, when it is not the
	// server's (--url).
	self   float64
	selfOK bool
}

// cpu starts measuring the server's CPU time.
func (tg *target) cpu() *cpuMeter {
	m := &cpuMeter{source: "in-process", read: processCPUSeconds}
	if tg.main == nil {
		m.source = "metrics"
		url := tg.metricsURL
		m.read = func() (float64, bool) { return metricsCPUSeconds(url) }
		m.self, m.selfOK = processCPUSeconds()
	}
	m.start, m.ok = m.read()
	m.machine = readMachineCPU()
	m.at = time.Now()
	return m
}

func (m *cpuMeter) stop() *cpuReport {
	end, ok := m.read()
	if !m.ok || !ok {
		return nil
	}
	wall := time.Since(m.at).Seconds()
	rep := &cpuReport{Source: m.source, Seconds: round2(end - m.start), CoresBusy: round2((end - m.start) / wall), WallSeconds: round2(wall)}
	if self, ok := processCPUSeconds(); m.selfOK && ok {
		rep.LoadGeneratorCoresBusy = round2((self - m.self) / wall)
	}
	if now := readMachineCPU(); m.machine.total > 0 && now.total > m.machine.total {
		busy := float64(now.busy-m.machine.busy) / float64(now.total-m.machine.total)
		rep.MachineCoresBusy = round2(busy * float64(runtime.NumCPU()))
	}
	return rep
}

// machineCPU is the first line of /proc/stat: jiffies busy and in all.
type machineCPU struct{ busy, total uint64 }

func readMachineCPU() machineCPU {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return machineCPU{}
	}
	var m machineCPU
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return machineCPU{}
		}
		if i >= 8 { // guest time is already counted in user time
			break
		}
		m.total += n
		if i != 3 && i != 4 { // idle, iowait
			m.busy += n
		}
	}
	return m
}

func metricsCPUSeconds(url string) (float64, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, false
	}
	res, err := metricsClient.Do(req)
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	v, ok := parseMetrics(res.Body, "process_cpu_seconds_total")["process_cpu_seconds_total"]
	return v, ok
}
