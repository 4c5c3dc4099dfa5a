package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/users"
)

const demoEmail = "demo@openflex.example"

// demoSecretFile holds the demo key set's Client Secret in the data
// directory (0600), so a restarted demo prints, and accepts, the secret a
// developer already configured. Demo mode only: other secrets are stored
// only hashed.
const demoSecretFile = "demo-client-secret"

// SeedDemo creates the demo merchant on first start. On every start it
// prints the demo TRAINING credentials: the secret saved in the data
// directory while it still authenticates, else a fresh one (saved in its
// turn). The key set's Trust URLs gain the origin this server listens on.
func (m *Main) SeedDemo(ctx context.Context) error {
	ctl := m.Stores.Control
	mer, err := ctl.MerchantByEmail(ctx, demoEmail)
	var stores []openflex.Store
	var ks *openflex.KeySet
	var secret, portalPassword string
	switch {
	case openflex.ErrorCode(err) == openflex.CodeResourceMissing:
		mer, stores, err = m.Merchants.Create(ctx, "Maple Demo Furniture", demoEmail, []merchant.NewStore{
			{Name: "Toronto Eaton Centre", Province: "ON", ExternalLocationID: "TOR-001"},
			{Name: "Vancouver Robson", Province: "BC", ExternalLocationID: "VAN-001"},
		}, "demo")
		if err != nil {
			return err
		}
		ks, secret, err = m.Keys.Create(ctx, keys.NewKeySet{MerchantID: mer.ID, Environment: openflex.Training, Name: "demo",
			TrustURLs: m.demoOrigins(nil)}, keys.Actor{Name: "demo"})
		if err != nil {
			return err
		}
		if err := m.saveDemoSecret(secret); err != nil {
			return err
		}
		portalPassword = users.GeneratePassword()
		if _, err := m.Users.Bootstrap(ctx, demoEmail, portalPassword, mer.ID, users.RoleMerchant); err != nil {
			return err
		}
		for _, np := range DemoPlans(mer.ID, openflex.Training) {
			if _, err := m.CreatePlan(ctx, np); err != nil {
				return err
			}
		}
	case err != nil:
		return err
	default:
		stores, _, err = ctl.Stores(ctx, mer.ID, openflex.ListParams{Limit: openflex.MaxListLimit})
		if err != nil {
			return err
		}
		all, err := ctl.KeySets(ctx, mer.ID)
		if err != nil {
			return err
		}
		for _, k := range all {
			if k.Environment == openflex.Training && k.Active() {
				ks = k
				break
			}
		}
		if ks == nil {
			return fmt.Errorf("demo merchant %s has no active TRAINING key set", mer.ID)
		}
		if secret = m.savedDemoSecret(ctx, ks.ClientID); secret == "" {
			if secret, err = m.Keys.Roll(ctx, ks.ID, keys.Immediately, keys.Actor{Name: "demo"}); err != nil {
				return err
			}
			if err := m.saveDemoSecret(secret); err != nil {
				return err
			}
		}
		if want := m.demoOrigins(ks.TrustURLs); len(want) > len(ks.TrustURLs) {
			if ks, err = m.Keys.SetTrust(ctx, ks.ID, want, ks.TrustIPs, keys.Actor{Name: "demo"}); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(m.Out, "\nDemo merchant %s (%s), TRAINING environment\n", mer.ID, mer.Name)
	for _, s := range stores {
		fmt.Fprintf(m.Out, "  store %s  %s (%s)\n", s.ID, s.Name, s.Province)
	}
	fmt.Fprintf(m.Out, "  client_id      %s\n  client_secret  %s\n", ks.ClientID, secret)
	addr := m.demoAddr()
	if portalPassword != "" {
		fmt.Fprintf(m.Out, "  Developer Portal  http://%s/portal/  %s / %s\n", addr, demoEmail, portalPassword)
	} else {
		fmt.Fprintf(m.Out, "  Developer Portal  http://%s/portal/  %s (password shown at first start; reset it with \"Forgot password\": the link appears in this log)\n", addr, demoEmail)
	}
	fmt.Fprintf(m.Out, "Try:\n  curl -s -u %s:%s http://%s/v1/stores\n\n", ks.ClientID, secret, addr)
	return nil
}

// demoAddr is host:port to print: the address listened on, with an
// unspecified host (0.0.0.0, ::) shown as 127.0.0.1.
func (m *Main) demoAddr() string {
	if m.listener == nil {
		return m.Config.Addr
	}
	a, ok := m.listener.Addr().(*net.TCPAddr)
	if !ok {
		return m.listener.Addr().String()
	}
	if a.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))
	}
	return a.String()
}

// demoOrigins is have plus the origins the demo shop and this server are
// reached at, without duplicates: the example shop's http://localhost:3000
// and this server's listening address (as 127.0.0.1 and localhost when
// it is a loopback or unspecified address).
func (m *Main) demoOrigins(have []string) []string {
	out := slices.Clone(have)
	add := func(o string) {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	add("http://localhost:3000")
	addr := m.demoAddr()
	add("http://" + addr)
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			add("http://localhost:" + port)
		}
	}
	return out
}

// savedDemoSecret is the secret saved by an earlier start if it still
// authenticates as clientID, else "".
func (m *Main) savedDemoSecret(ctx context.Context, clientID string) string {
	if m.Config.DataDir == "" {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(m.Config.DataDir, demoSecretFile))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			m.Logger.Warn("demo: cannot read the saved Client Secret; issuing a new one", "err", err)
		}
		return ""
	}
	secret := strings.TrimSpace(string(b))
	if _, _, err := m.Keys.Authenticate(ctx, clientID, secret); err != nil {
		m.Logger.Warn("demo: the saved Client Secret no longer authenticates (rolled or revoked); issuing a new one")
		return ""
	}
	return secret
}

// saveDemoSecret writes secret to the data directory, readable by this
// user only, replacing the file whole.
func (m *Main) saveDemoSecret(secret string) error {
	if m.Config.DataDir == "" {
		return nil
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return fmt.Errorf("save demo secret: %w", err)
	}
	tmp, err := os.CreateTemp(m.Config.DataDir, "."+demoSecretFile+".*")
	if err != nil {
		return fmt.Errorf("save demo secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(secret + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("save demo secret: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save demo secret: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(m.Config.DataDir, demoSecretFile)); err != nil {
		return fmt.Errorf("save demo secret: %w", err)
	}
	return nil
}

// DemoPlans are the three plans of the demo merchant in env: a revolving
// purchase at 29.99%, 12 equal payments at 0% with a $49.99 fee, 6 months
// deferred; each with its French name.
func DemoPlans(merchantID string, env openflex.Environment) []plans.NewPlan {
	return []plans.NewPlan{
		{MerchantID: merchantID, Environment: env, Name: "Regular purchase", NameFR: "Achat régulier", Category: openflex.PlanRegular,
			Terms: []openflex.PlanTerm{{Months: 0, AnnualRate: 29990}}},
		{MerchantID: merchantID, Environment: env, Name: "12 months, equal payments, 0%", NameFR: "12 mois, versements égaux, 0 %",
			Category: openflex.PlanEqualPayments, Terms: []openflex.PlanTerm{{Months: 12, AnnualRate: 0, AdminFee: 4999}}, MinAmount: 300_00},
		{MerchantID: merchantID, Environment: env, Name: "6 months, no interest if paid in full", NameFR: "6 mois, sans intérêt si payé en entier",
			Category: openflex.PlanDeferred, Terms: []openflex.PlanTerm{{Months: 6, AnnualRate: 29990}}, MinAmount: 200_00},
	}
}
