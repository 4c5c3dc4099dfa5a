// Package notify delivers messages to customers and merchants' developers:
// email over SMTP and text messages through an HTTP SMS gateway. These are
// the true edge of the platform; tests use fake servers of each protocol.
package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// SMTP sends email through an SMTP relay (STARTTLS when offered, required
// unless the relay is on loopback).
type SMTP struct {
	Addr     string // host:port
	Username string
	Password string
	From     string // "OpenFlex <no-reply@lender.example>"
	Timeout  time.Duration
}

// ParseSMTPURL reads smtp://user:pass@host:587?from=no-reply@lender.example.
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, errors.New("notify: SMTP URL must look like smtp://user:pass@host:587?from=no-reply@example.com")
	}
	s := &SMTP{Addr: u.Host, From: u.Query().Get("from"), Timeout: 10 * time.Second}
	if u.Port() == "" {
		s.Addr = net.JoinHostPort(u.Hostname(), "587")
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return nil, errors.New("notify: the SMTP URL needs ?from=<address>")
	}
	return s, nil
}

// Email sends one plain-text message.
func (s *SMTP) Email(ctx context.Context, to, subject, body string) error {
	if _, err := mail.ParseAddress(to); err != nil {
		return fmt.Errorf("notify: bad recipient: %w", err)
	}
	from, _ := mail.ParseAddress(s.From)
	d := net.Dialer{Timeout: s.Timeout}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("notify: connect to SMTP relay: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(s.Timeout))
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("notify: SMTP greeting: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("notify: STARTTLS: %w", err)
		}
	} else if !isLoopback(host) {
		return errors.New("notify: the SMTP relay does not offer STARTTLS; refusing to send in clear")
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("notify: SMTP auth: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("notify: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("notify: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify: DATA: %w", err)
	}
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
		from.String(), to, mime.QEncoding.Encode("utf-8", subject), time.Now().UTC().Format(time.RFC1123Z))
	msg.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	if _, err := w.Write(msg.Bytes()); err != nil {
		return fmt.Errorf("notify: message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify: message: %w", err)
	}
	return c.Quit()
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SMSGateway sends text messages with a JSON POST {to, body} and a bearer
// key; any 2xx is accepted.
type SMSGateway struct {
	URL    string
	APIKey string
	Client *http.Client
}

// Text sends one SMS.
func (g *SMSGateway) Text(ctx context.Context, to, body string) error {
	payload, _ := json.Marshal(map[string]string{"to": to, "body": body})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if g.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+g.APIKey)
	}
	client := g.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: SMS gateway: %w", err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("notify: SMS gateway answered %d", res.StatusCode)
	}
	return nil
}

// Notifier routes a message by channel: "email" to SMTP, "sms" to the
// gateway. A channel without a provider is an error, never a silent drop.
type Notifier struct {
	Mail *SMTP
	SMS  *SMSGateway
}

// Send delivers body to a recipient on channel.
func (n *Notifier) Send(ctx context.Context, channel, to, subject, body string) error {
	switch {
	case channel == "email" && n.Mail != nil:
		return n.Mail.Email(ctx, to, subject, body)
	case channel == "sms" && n.SMS != nil:
		return n.SMS.Text(ctx, to, body)
	}
	return fmt.Errorf("notify: no %s provider is configured", channel)
}
