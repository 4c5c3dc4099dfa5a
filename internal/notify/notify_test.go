package notify

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeSMTP is a minimal SMTP server on loopback that records one message.
type fakeSMTP struct {
	ln   net.Listener
	mu   sync.Mutex
	from string
	to   string
	data string
}

func startSMTP(t *testing.T) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(s string) { c.Write([]byte(s + "\r\n")) }
	say("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 fake")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			f.mu.Lock()
			f.from = strings.TrimSpace(line[10:])
			f.mu.Unlock()
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			f.mu.Lock()
			f.to = strings.TrimSpace(line[8:])
			f.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			f.mu.Lock()
			f.data = b.String()
			f.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func TestEmailOverSMTP(t *testing.T) {
	f := startSMTP(t)
	s, err := ParseSMTPURL("smtp://" + f.ln.Addr().String() + "?from=no-reply@lender.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Email(context.Background(), "zoe@example.com", "Votre code OpenFlex", "Code: 123456\nIt expires in 10 minutes."); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.from != "<no-reply@lender.example>" || f.to != "<zoe@example.com>" || !strings.Contains(f.data, "Code: 123456\r\n") ||
		!strings.Contains(f.data, "Subject: Votre code OpenFlex\r\n") {
		t.Fatalf("from %q to %q data %q", f.from, f.to, f.data)
	}
	for _, bad := range []string{"http://x", "smtp://host:25", "smtp://host:25?from=nope"} {
		if _, err := ParseSMTPURL(bad); err == nil {
			t.Errorf("ParseSMTPURL(%q) accepted", bad)
		}
	}
	// A relay elsewhere than loopback without STARTTLS is refused.
	if isLoopback("smtp.example.com") || !isLoopback("127.0.0.1") {
		t.Fatal("isLoopback")
	}
}

func TestSMSGateway(t *testing.T) {
	var got map[string]string
	var auth string
	status := 202
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(status)
	}))
	defer srv.Close()
	n := &Notifier{SMS: &SMSGateway{URL: srv.URL, APIKey: "k"}}
	if err := n.Send(context.Background(), "sms", "+14165550199", "", "Your code is 123456"); err != nil {
		t.Fatal(err)
	}
	if got["to"] != "+14165550199" || got["body"] != "Your code is 123456" || auth != "Bearer k" {
		t.Fatalf("gateway got %v, auth %q", got, auth)
	}
	status = 500
	if err := n.Send(context.Background(), "sms", "+14165550199", "", "x"); err == nil {
		t.Fatal("a 500 from the gateway was taken for a success")
	}
	if err := n.Send(context.Background(), "email", "a@b.example", "s", "b"); err == nil {
		t.Fatal("email without a provider did not fail")
	}
}
