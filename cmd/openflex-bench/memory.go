package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memoryReport is the server's peak memory during the run.
type memoryReport struct {
	// Source says how it was measured: "in-process" (spawned: the server
	// and this load generator share the process, so the figures include
	// both) or "metrics" (sampled from the server's GET /metrics).
	Source string `json:"source"`
	// PeakHeapInuseBytes and PeakSysBytes are the highest sampled Go heap
	// in use and memory obtained from the OS.
	PeakHeapInuseBytes uint64 `json:"peak_heap_inuse_bytes"`
	PeakSysBytes       uint64 `json:"peak_sys_bytes"`
	// PeakRSSBytes is the kernel's high-water mark of resident memory
	// (VmHWM, Linux) in process since the measured window began, or the highest sampled
	// process_resident_memory_bytes from /metrics.
	PeakRSSBytes uint64  `json:"peak_rss_bytes,omitempty"`
	Samples      int     `json:"samples"`
	EverySeconds float64 `json:"every_seconds"`
}

type memSampler struct {
	stopOnce sync.Once
	cancel   context.CancelFunc
	done     chan struct{}
	rep      memoryReport
}

// memory starts sampling the server's memory.
func (tg *target) memory(every time.Duration) *memSampler {
	ctx, cancel := context.WithCancel(context.Background())
	s := &memSampler{cancel: cancel, done: make(chan struct{})}
	s.rep.EverySeconds = every.Seconds()
	sample := s.sampleInProcess
	if tg.main == nil {
		s.rep.Source = "metrics"
		if every < time.Second {
			every = time.Second
			s.rep.EverySeconds = 1
		}
		url := tg.metricsURL
		sample = func() { s.sampleMetrics(ctx, url) }
	} else {
		s.rep.Source = "in-process"
		// The kernel's high-water mark starts again here (Linux 4.0+):
		// the peak is the measured window's, not the seeding's before it
		// (a statement run's copy of a million accounts).
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			sample()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *memSampler) sampleInProcess() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.rep.PeakHeapInuseBytes = max(s.rep.PeakHeapInuseBytes, ms.HeapInuse)
	s.rep.PeakSysBytes = max(s.rep.PeakSysBytes, ms.Sys)
	s.rep.Samples++
}

var metricsClient = &http.Client{Timeout: 5 * time.Second}

func (s *memSampler) sampleMetrics(ctx context.Context, url string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return
	}
	res, err := metricsClient.Do(req)
	if err != nil {
		return
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		io.Copy(io.Discard, res.Body)
		return
	}
	m := parseMetrics(res.Body, "go_memstats_heap_inuse_bytes", "go_memstats_sys_bytes", "process_resident_memory_bytes")
	s.rep.PeakHeapInuseBytes = max(s.rep.PeakHeapInuseBytes, uint64(m["go_memstats_heap_inuse_bytes"]))
	s.rep.PeakSysBytes = max(s.rep.PeakSysBytes, uint64(m["go_memstats_sys_bytes"]))
	s.rep.PeakRSSBytes = max(s.rep.PeakRSSBytes, uint64(m["process_resident_memory_bytes"]))
	s.rep.Samples++
}

// parseMetrics reads the unlabelled samples named in a Prometheus text
// exposition.
func parseMetrics(r io.Reader, names ...string) map[string]float64 {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || !want[name] {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
			out[name] = f
		}
	}
	return out
}

// stop ends the sampling and returns the peaks (nil if nothing was
// sampled).
func (s *memSampler) stop() *memoryReport {
	s.stopOnce.Do(func() {
		s.cancel()
		<-s.done
		if s.rep.Source == "in-process" {
			s.sampleInProcess()
			if b, err := os.ReadFile("/proc/self/status"); err == nil {
				s.rep.PeakRSSBytes = vmHWM(b)
			}
		}
	})
	if s.rep.Samples == 0 {
		return nil
	}
	return &s.rep
}

// vmHWM returns the VmHWM line of /proc/self/status in bytes (0 if absent).
func vmHWM(status []byte) uint64 {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmHWM:"))
		if !ok {
			continue
		}
		f := strings.Fields(string(rest))
		if len(f) == 2 && f[1] == "kB" {
			n, err := strconv.ParseUint(f[0], 10, 64)
			if err == nil {
				return n << 10
			}
		}
	}
	return 0
}
