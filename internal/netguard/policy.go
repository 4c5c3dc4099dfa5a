package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Resolver looks host names up; net.DefaultResolver is one, and tests
// inject their own to play a DNS server that changes its answers.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ErrUnresolved is returned for a host name that has no address.
var ErrUnresolved = errors.New("host name not resolved")

// Policy applies Check to host names and connections. The zero value (and
// nil) refuses every non-public destination and uses the system resolver.
type Policy struct {
	// AllowPrivate lets every destination through: for an operator who
	// develops against receivers on their own machine (serve
	// --webhooks-allow-private, and --demo). Never on a live program.
	AllowPrivate bool
	Resolver     Resolver
	// DialTimeout bounds one TCP connect (default 5 s).
	DialTimeout time.Duration
}

func (p *Policy) allowPrivate() bool { return p != nil && p.AllowPrivate }

func (p *Policy) resolver() Resolver {
	if p == nil || p.Resolver == nil {
		return net.DefaultResolver
	}
	return p.Resolver
}

// resolveTimeout bounds a look-up, so a slow DNS server cannot hold an API
// request open.
const resolveTimeout = 5 * time.Second

// Resolve returns host's addresses: a literal IP as it is, a name through
// the resolver. network is "ip", "ip4" or "ip6".
func (p *Policy) Resolve(ctx context.Context, network, host string) ([]netip.Addr, error) {
	lit := host
	if len(lit) >= 2 && lit[0] == '[' && lit[len(lit)-1] == ']' {
		lit = lit[1 : len(lit)-1]
	}
	if a, err := netip.ParseAddr(lit); err == nil {
		return []netip.Addr{a}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := p.resolver().LookupNetIP(ctx, network, host)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnresolved, err)
	}
	if len(addrs) == 0 {
		return nil, ErrUnresolved
	}
	// Go's resolver may answer IPv4 addresses in their IPv4-mapped form;
	// they are judged and dialed as the IPv4 addresses they are.
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = a.Unmap()
	}
	return out, nil
}

// CheckHost refuses host unless every address it resolves to is public: a
// name with one internal address among public ones would let a connection
// land inside. A literal IP is judged as it is, without a look-up.
func (p *Policy) CheckHost(ctx context.Context, host string) error {
	if p.allowPrivate() {
		return nil
	}
	if host == "" {
		return ErrUnresolved
	}
	addrs, err := p.Resolve(ctx, "ip", host)
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if err := Check(a); err != nil {
			return err
		}
	}
	return nil
}

// Control is a net.Dialer Control function: it judges the address the
// socket is about to connect to, after every look-up, so a DNS answer that
// changed since the host was checked (DNS rebinding) cannot reach inside.
func (p *Policy) Control(network, address string, _ syscall.RawConn) error {
	if p.allowPrivate() {
		return nil
	}
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("%w: network %s", ErrNotAllowed, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q is not an address", ErrNotAllowed, address)
	}
	return Check(ap.Addr())
}

// DialContext connects to address ("host:port") through the policy: it
// resolves the host with the policy's resolver, refuses the host unless
// every address is allowed, then tries the addresses in turn, the socket's
// Control judging each once more. It is an http.Transport's DialContext.
func (p *Policy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	ipNet := "ip"
	switch network {
	case "tcp4":
		ipNet = "ip4"
	case "tcp6":
		ipNet = "ip6"
	case "tcp":
	default:
		return nil, fmt.Errorf("%w: network %s", ErrNotAllowed, network)
	}
	addrs, err := p.Resolve(ctx, ipNet, host)
	if err != nil {
		return nil, err
	}
	if !p.allowPrivate() {
		for _, a := range addrs {
			if err := Check(a); err != nil {
				return nil, err
			}
		}
	}
	timeout := 5 * time.Second
	if p != nil && p.DialTimeout > 0 {
		timeout = p.DialTimeout
	}
	d := &net.Dialer{Timeout: timeout, Control: p.Control}
	var errs []error
	for _, a := range addrs {
		if network != "tcp6" {
			a = a.Unmap()
		}
		c, err := d.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}
