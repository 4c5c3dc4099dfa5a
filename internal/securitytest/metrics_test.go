package securitytest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// Second review, LOW 5: /metrics on the public listener showed anyone the
// per-route volumes (purchases, applications, errors). It is served only on
// the metrics address (serve --metrics-addr, loopback by default).

func metricsGet(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// TestMetricsNotOnThePublicListener: the public listener answers 404 for
// /metrics; the metrics address serves it, with the public traffic
// counted; without a metrics address nothing serves it.
func TestMetricsNotOnThePublicListener(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) { c.MetricsAddr = "127.0.0.1:0" }})
		if st, _ := metricsGet(t, p.URL+"/healthz"); st != 200 {
			t.Fatalf("GET /healthz = %d", st)
		}
		if st, body := metricsGet(t, p.URL+"/metrics"); st != http.StatusNotFound || strings.Contains(body, "openflex_http") {
			t.Fatalf("public GET /metrics = %d %q, want 404", st, body)
		}
		addr := p.Main.MetricsAddr()
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Fatalf("MetricsAddr = %q", addr)
		}
		st, body := metricsGet(t, "http://"+addr+"/metrics")
		if st != 200 || !strings.Contains(body, `route="GET /healthz"`) {
			t.Fatalf("GET /metrics on the metrics address = %d:\n%s", st, body)
		}
		if st, _ := metricsGet(t, "http://"+addr+"/v1/stores"); st != http.StatusNotFound {
			t.Fatalf("the metrics address serves the API: GET /v1/stores = %d", st)
		}

		off := apptest.Start(t, e)
		if off.Main.MetricsAddr() != "" {
			t.Fatalf("metrics served at %q without a metrics address", off.Main.MetricsAddr())
		}
		if st, _ := metricsGet(t, off.URL+"/metrics"); st != http.StatusNotFound {
			t.Fatalf("public GET /metrics = %d, want 404", st)
		}
	})
}
