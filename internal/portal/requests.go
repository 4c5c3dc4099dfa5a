package portal

import (
	"net/http"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/web"
)

// APIRequest is one recent API request of a merchant, as the requests page
// lists it: method, path and outcome only, never a body or a header, so
// never personal data or a secret.
type APIRequest struct {
	At          time.Time
	Environment openflex.Environment
	Method      string
	Path        string
	Status      int
	RequestID   string
	Duration    time.Duration
}

// requests lists the merchant's latest API requests, both environments,
// newest first, when the API keeps such a log (Config.RecentRequests).
func (p *Portal) requests(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	if p.cfg.RecentRequests == nil {
		return openflex.NotFound("page", r.URL.Path)
	}
	pg.Title, pg.Nav = "requests.title", "requests"
	p.Render(w, pg, http.StatusOK, "requests", p.cfg.RecentRequests(pg.Merchant.ID))
	return nil
}
