package webhook_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/openflex/openflex/internal/netguard"
	"github.com/openflex/openflex/internal/webhook"
)

// TestFailureTextNamesNoAddress: every way a delivery can fail reads as
// words a merchant can act on, and none of them carries the addresses Go's
// errors name (an internal address would tell an outsider about the
// lender's network).
func TestFailureTextNamesNoAddress(t *testing.T) {
	internal := &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 6379}
	dial := func(err error) error {
		// As http.Client returns it: a *url.Error around a *net.OpError.
		return &url.Error{Op: "Post", URL: "http://redis.internal:6379/hook",
			Err: &net.OpError{Op: "dial", Net: "tcp", Addr: internal, Err: err}}
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{dial(&netguard.Refusal{Addr: netip.MustParseAddr("10.1.2.3"), Reason: "a private address"}), "destination not allowed"},
		{fmt.Errorf("wrapped: %w", netguard.ErrNotAllowed), "destination not allowed"},
		{dial(os.NewSyscallError("connect", syscall.ECONNREFUSED)), "connection refused"},
		{dial(os.NewSyscallError("connect", syscall.ECONNRESET)), "connection reset"},
		{dial(os.NewSyscallError("connect", syscall.EHOSTUNREACH)), "host unreachable"},
		{dial(os.NewSyscallError("connect", syscall.ENETUNREACH)), "host unreachable"},
		{dial(context.DeadlineExceeded), "timed out"},
		{dial(os.ErrDeadlineExceeded), "timed out"},
		{&url.Error{Op: "Post", URL: "http://redis.internal:6379/hook", Err: &net.DNSError{Err: "no such host", Name: "redis.internal"}}, "host name not resolved"},
		{fmt.Errorf("%w: %w", netguard.ErrUnresolved, errors.New("lookup redis.internal on 10.0.0.2:53: timeout")), "host name not resolved"},
		{&url.Error{Op: "Post", URL: "https://10.1.2.3/", Err: x509.HostnameError{Host: "10.1.2.3", Certificate: &x509.Certificate{}}}, "TLS certificate does not match"},
		{&url.Error{Op: "Post", URL: "https://10.1.2.3/", Err: x509.UnknownAuthorityError{}}, "TLS certificate not issued by a trusted authority"},
		{&url.Error{Op: "Post", URL: "http://10.1.2.3/", Err: io.EOF}, "connection closed without a response"},
		{&url.Error{Op: "Post", URL: "http://10.1.2.3/", Err: errors.New("malformed HTTP response \"10.1.2.3\"")}, "request failed"},
	} {
		got := webhook.FailureText(c.err)
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("FailureText(%v) = %q, want %q", c.err, got, c.want)
		}
		for _, leak := range []string{"10.1.2.3", "redis.internal", "6379", "dial", "Post"} {
			if strings.Contains(got, leak) {
				t.Errorf("FailureText(%v) = %q names %q", c.err, got, leak)
			}
		}
	}
}
