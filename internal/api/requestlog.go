package api

import (
	"sync"
	"time"

	"github.com/openflex/openflex"
)

// LoggedRequest is one API request as the Developer Portal lists it:
// never a body, never a header, so never personal data or secrets.
type LoggedRequest struct {
	At          time.Time
	Environment openflex.Environment
	Method      string
	Path        string
	Status      int
	RequestID   string
	Duration    time.Duration
}

// requestLog keeps each merchant's latest requests in memory. It is per
// node (a portal behind a load balancer shows the node it reaches), and
// costs no write on the request path.
type requestLog struct {
	mu   sync.Mutex
	size int
	by   map[string][]LoggedRequest
}

func newRequestLog(size int) *requestLog {
	return &requestLog{size: size, by: map[string][]LoggedRequest{}}
}

func (l *requestLog) add(merchantID string, r LoggedRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	list := append(l.by[merchantID], r)
	if len(list) > l.size {
		list = append(list[:0:0], list[len(list)-l.size:]...)
	}
	l.by[merchantID] = list
}

// RecentRequests returns a merchant's latest API requests, newest first.
func (s *Server) RecentRequests(merchantID string) []LoggedRequest {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	list := s.requests.by[merchantID]
	out := make([]LoggedRequest, len(list))
	for i, r := range list {
		out[len(list)-1-i] = r
	}
	return out
}
