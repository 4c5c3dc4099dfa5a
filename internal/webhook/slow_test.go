package webhook_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
)

// hanging is a receiver that holds every request open until released (or
// until the sender gives up), and remembers which events it answered.
type hanging struct {
	mu        sync.Mutex
	release   chan struct{}
	open      int            // requests being held right now
	abandoned int            // requests the sender gave up on
	answered  map[string]int // event id → 204s written to a waiting sender
}

func (h *hanging) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var e struct {
		ID string `json:"id"`
	}
	json.Unmarshal(body, &e)
	h.mu.Lock()
	h.open++
	h.mu.Unlock()
	select {
	case <-h.release:
		h.mu.Lock()
		h.open--
		h.answered[e.ID]++
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case <-r.Context().Done():
		h.mu.Lock()
		h.open--
		h.abandoned++
		h.mu.Unlock()
	}
}

func (h *hanging) state() (open, abandoned int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.open, h.abandoned
}

// TestSlowReceiverHoldsUpNoOne: one merchant's endpoint never answers;
// another merchant's events still arrive while the first one's requests
// are held open (not after they time out), and once the slow receiver
// answers, every event of both reached its endpoint exactly once.
func TestSlowReceiverHoldsUpNoOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		slow := &hanging{release: make(chan struct{}), answered: map[string]int{}}
		slowSrv := httptest.NewServer(slow)
		defer slowSrv.Close()
		var once sync.Once
		free := func() { once.Do(func() { close(slow.release) }) }
		defer free() // before slowSrv.Close, which waits for its handlers
		fast := &receiver{}
		fastSrv := httptest.NewServer(fast)
		defer fastSrv.Close()

		p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) {
			c.DeliverEvery = 20 * time.Millisecond
			c.WebhookBackoff = func(int) time.Duration { return 20 * time.Millisecond }
			c.WebhooksAllowPrivate = true // the receivers are on loopback
		}})
		ka := p.NewKeys(t, p.Merchant.ID, "training", slowSrv.URL)
		epA := call(t, p.URL, ka.ClientID, ka.ClientSecret, "POST", "/v1/webhook_endpoints", fmt.Sprintf(`{"url":%q,"events":["*"]}`, slowSrv.URL))
		other, stores := p.NewMerchant(t, "Quick Bikes")
		kb := p.NewKeys(t, other.ID, "training", fastSrv.URL)
		epB := call(t, p.URL, kb.ClientID, kb.ClientSecret, "POST", "/v1/webhook_endpoints",
			fmt.Sprintf(`{"url":%q,"events":["application.approved"]}`, fastSrv.URL))
		fast.mu.Lock()
		fast.secret = epB["secret"].(string)
		fast.mu.Unlock()

		apply := func(k apptest.Keys, store, first string) {
			call(t, p.URL, k.ClientID, k.ClientSecret, "POST", "/v1/applications", fmt.Sprintf(`{"store_id":%q,
			"applicant":{"first_name":%q,"middle_name":"A-RR_L","last_name":"Receiver","date_of_birth":"1979-09-09","email":"h@example.com",
			"phone":"6045550100","address":{"line1":"9 Pine","city":"Vancouver","province":"BC","postal_code":"V6B 1A1"},
			"annual_income":7000000,"employment_status":"employed","housing_status":"rent","monthly_housing_cost":150000},
			"consent":{"credit_check":true,"terms_accepted":true}}`, store, first))
		}
		for _, name := range []string{"Slow", "Slower", "Slowest"} {
			apply(ka, p.Stores[1].ID, name)
		}
		waitFor(t, "the slow receiver to hold a request", func() bool { open, _ := slow.state(); return open > 0 })

		names := []string{"Quick", "Quicker", "Quickest"}
		for _, name := range names {
			apply(kb, stores[1].ID, name)
		}
		waitFor(t, "the quick merchant's events", func() bool { return len(fast.events("application.approved")) == len(names) })
		if _, abandoned := slow.state(); abandoned > 0 {
			t.Fatalf("the quick merchant's events arrived only after %d of the slow receiver's requests timed out", abandoned)
		}

		free()
		deliveries := func(k apptest.Keys, ep map[string]any) []any {
			return call(t, p.URL, k.ClientID, k.ClientSecret, "GET", "/v1/webhook_endpoints/"+ep["id"].(string)+"/deliveries?limit=100", "")["data"].([]any)
		}
		allSucceeded := func(k apptest.Keys, ep map[string]any) bool {
			ds := deliveries(k, ep)
			for _, d := range ds {
				if d.(map[string]any)["status"] != "succeeded" {
					return false
				}
			}
			return len(ds) > 0
		}
		waitFor(t, "every slow delivery to succeed", func() bool { return allSucceeded(ka, epA) })
		waitFor(t, "every quick delivery to succeed", func() bool { return allSucceeded(kb, epB) })

		slow.mu.Lock()
		defer slow.mu.Unlock()
		for _, d := range deliveries(ka, epA) {
			if id := d.(map[string]any)["event_id"].(string); slow.answered[id] != 1 {
				t.Errorf("slow receiver answered event %s %d times, want once", id, slow.answered[id])
			}
		}
		if len(slow.answered) != len(deliveries(ka, epA)) {
			t.Errorf("slow receiver answered %d events, %d deliveries", len(slow.answered), len(deliveries(ka, epA)))
		}
		seen := map[any]int{}
		for _, ev := range fast.events("application.approved") {
			seen[ev["id"]]++
		}
		if len(seen) != len(names) {
			t.Errorf("quick receiver got %d distinct events, want %d: %v", len(seen), len(names), seen)
		}
	})
}
