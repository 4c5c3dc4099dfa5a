package storetest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// PGProxy is a TCP proxy in front of the test PostgreSQL server that reads
// the messages clients send. It counts, per schema (the search_path a
// connection starts with, so per plane), the round trips they make: every
// Sync (the end of an extended-protocol exchange, one statement or a whole
// pipelined batch) and every simple Query except database/sql's
// once-a-second "-- ping" of a pooled connection. A client waits for the
// server's answer after each of these and never before, so their number is
// the number of times a request waits on the network, whatever driver API
// sent them. It can also cut a connection just after a COMMIT went out.
type PGProxy struct {
	// URL is the database URL to give the code under test.
	URL string

	target string
	ln     net.Listener
	mu     sync.Mutex
	trips  map[string]*Trips
	cut    bool // cut the next round trip that carries a COMMIT
}

// Trips is what PGProxy counted on one schema.
type Trips struct {
	RoundTrips int
	Parses     int // statements prepared (a warm connection prepares none)
}

// StartPGProxy starts a proxy to databaseURL's server, stopped when the
// test ends.
func StartPGProxy(t testing.TB, databaseURL string) *PGProxy {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &PGProxy{target: u.Host, ln: ln, trips: map[string]*Trips{}}
	u.Host = ln.Addr().String()
	p.URL = u.String()
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

// Count runs f and returns the round trips made meanwhile on the schemas
// whose name ends in suffix, and on all the others.
func (p *PGProxy) Count(suffix string, f func()) (matching, others Trips) {
	p.mu.Lock()
	p.trips = map[string]*Trips{}
	p.mu.Unlock()
	f()
	p.mu.Lock()
	defer p.mu.Unlock()
	for schema, n := range p.trips {
		sum := &others
		if strings.HasSuffix(schema, suffix) {
			sum = &matching
		}
		sum.RoundTrips += n.RoundTrips
		sum.Parses += n.Parses
	}
	return matching, others
}

// CutNextCommit makes the proxy close the next connection that sends a
// COMMIT, in both directions: the client's side just before the round trip
// carrying it goes on to the server, the server's once it has, so the
// client cannot know whether it committed.
func (p *PGProxy) CutNextCommit() {
	p.mu.Lock()
	p.cut = true
	p.mu.Unlock()
}

func (p *PGProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		go func() {
			io.Copy(client, server)
			client.Close()
		}()
		go func() {
			p.forward(client, server)
			client.Close()
			server.Close()
		}()
	}
}

// forward copies the client's messages to the server, reading them.
func (p *PGProxy) forward(client, server net.Conn) {
	r := bufio.NewReader(client)
	read := func(n int) ([]byte, error) {
		b := make([]byte, n)
		_, err := io.ReadFull(r, b)
		return b, err
	}
	// The startup message has no type byte; its parameters name the schema.
	head, err := read(4)
	if err != nil {
		return
	}
	body, err := read(int(binary.BigEndian.Uint32(head)) - 4)
	if err != nil {
		return
	}
	if _, err := server.Write(append(head, body...)); err != nil {
		return
	}
	schema := ""
	if len(body) > 4 {
		params := bytes.Split(body[4:], []byte{0})
		for i := 0; i+1 < len(params); i += 2 {
			if string(params[i]) == "search_path" {
				schema = string(params[i+1])
			}
		}
	}
	commits := map[string]bool{} // names of prepared COMMIT statements
	carriesCommit := false
	for {
		head, err := read(5)
		if err != nil {
			return
		}
		body, err := read(int(binary.BigEndian.Uint32(head[1:])) - 4)
		if err != nil {
			return
		}
		fields := bytes.SplitN(body, []byte{0}, 3)
		switch head[0] {
		case 'P': // Parse: name, query
			if len(fields) > 1 && isCommit(fields[1]) {
				commits[string(fields[0])] = true
			}
		case 'B': // Bind: portal, statement
			carriesCommit = carriesCommit || len(fields) > 1 && commits[string(fields[1])]
		case 'Q':
			carriesCommit = carriesCommit || isCommit(bytes.TrimRight(body, "\x00"))
		}
		end := head[0] == 'S' || head[0] == 'Q'
		cut := p.note(schema, head[0], body, end && carriesCommit)
		if cut {
			// Closed before the round trip goes on, so the server's answer
			// can never reach the client: it cannot know whether COMMIT ran.
			client.Close()
		}
		if _, err := server.Write(append(head, body...)); err != nil || cut {
			return
		}
		if end {
			carriesCommit = false
		}
	}
}

// note counts one message; committed tells that it ended a round trip
// carrying a COMMIT, and note reports whether to cut the connection there.
func (p *PGProxy) note(schema string, typ byte, body []byte, committed bool) (cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.trips[schema]
	if n == nil {
		n = &Trips{}
		p.trips[schema] = n
	}
	switch {
	case typ == 'S', typ == 'Q' && !bytes.HasPrefix(body, []byte("-- ping")):
		n.RoundTrips++
	case typ == 'P':
		n.Parses++
	}
	if committed && p.cut {
		p.cut = false
		return true
	}
	return false
}

func isCommit(query []byte) bool {
	return strings.EqualFold(strings.TrimSpace(string(query)), "COMMIT")
}
