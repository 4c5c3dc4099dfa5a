package servicing

import (
	"fmt"
	"strings"

	"github.com/openflex/openflex/internal/finance"
)

// Rules that no configuration may weaken.
const (
	// MinDueDays is the shortest grace between a cycle's end and its due
	// date (Credit Business Practices Regulations s.3; Quebec CPA s.127.1).
	MinDueDays = 21
	// QuebecMinimumPercent is the least share of the regular balance a
	// Quebec account's minimum payment may ask for (Quebec CPA s.126.1).
	QuebecMinimumPercent finance.Percent = 5_000
	// CriminalRate is the highest annual percentage rate a plan may charge,
	// fees included (Criminal Code s.347, from 2025-01-01).
	CriminalRate finance.Percent = 35_000
)

// DefaultReversalDays is how long a payment's allocation is kept for a
// reversal unless configured: more than the 90 days a pre-authorized debit
// can be reclaimed in.
const DefaultReversalDays = 120

// Config is a lender's servicing settings. The zero value is not valid:
// start from [DefaultConfig].
type Config struct {
	// DueDays is the number of days from a cycle's end to its due date,
	// before the move to a business day; at least MinDueDays.
	DueDays int
	// MinimumPercent is the share of the revolving balance the minimum
	// payment asks for (5 % by default); Quebec accounts never get less
	// than QuebecMinimumPercent.
	MinimumPercent finance.Percent
	// MinimumFloor is the least minimum payment on a revolving balance, in
	// cents ($10.00 by default); a smaller balance is due whole.
	MinimumFloor int64
	// AuthGraceDays is how many days past its due date a minimum may stay
	// unpaid before the account becomes auth_prohibited (0: the day after).
	AuthGraceDays int
	// MissedInstalmentsToCancel is how many missed instalments cancel an
	// equal-payment promotion, moving its balance to the revolving rate.
	MissedInstalmentsToCancel int
	// ChargeOffDays is how many days past due charge the account off.
	ChargeOffDays int
	// ReversalDays is how long after it was applied a payment can be
	// reversed (0: DefaultReversalDays); its allocation is forgotten after
	// that, which keeps an account's saved state from growing with every
	// payment.
	ReversalDays int
	// NSFFee is charged, in cents, when a payment is reversed as returned
	// (a bounced cheque or debit); 0 charges nothing.
	NSFFee int64
	// RevolvingRate is the annual rate of the revolving segment when the
	// account does not say otherwise, and the rate a cancelled promotion's
	// balance moves to.
	RevolvingRate finance.Percent
	// Lender is who the lender is: statements, the PAD agreement and
	// customer messages name it from this one place.
	Lender Lender
}

// Lender is the lender as its customers see it: on statements, in the
// pre-authorized debit agreement and at the foot of their messages.
type Lender struct {
	Name  string
	Phone string // printed as is, e.g. "1-877-555-0199"
	Email string
	// Address is the mailing address, on one line ("100 King St W,
	// Toronto ON M5X 1A9"): where written disputes and cancellations go.
	Address string
	Website string // "" prints none
	// DisputeDays is how long after the statement date a customer has to
	// report a billing error.
	DisputeDays int
}

// DefaultLender is the demo lender: every contact detail is a placeholder
// (an example.com-style domain, a 555 number) a real lender configures.
var DefaultLender = Lender{Name: "OpenFlex Financial", Phone: "1-800-555-0199", Email: "help@openflex.example",
	Address: "100 Example Street, Toronto ON M5V 0A1", Website: "https://openflex.example", DisputeDays: 60}

// Contact is the lender's contact line: name, phone, email, mailing
// address and website (the same in both languages).
func (l Lender) Contact() string {
	parts := []string{l.Name}
	for _, p := range []string{l.Phone, l.Email, l.Address, l.Website} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

// DefaultConfig is the settings a lender starts from: the rules of the
// notes' cardholder agreements (Flexiti's), at the regulatory limits.
func DefaultConfig() Config {
	return Config{
		DueDays:                   MinDueDays,
		MinimumPercent:            5_000,
		MinimumFloor:              10_00,
		AuthGraceDays:             0,
		MissedInstalmentsToCancel: 1,
		ChargeOffDays:             180,
		ReversalDays:              DefaultReversalDays,
		NSFFee:                    0,
		RevolvingRate:             29_990,
		Lender:                    DefaultLender,
	}
}

// Validate reports the first setting a lender may not choose.
func (c Config) Validate() error {
	switch {
	case c.DueDays < MinDueDays:
		return fmt.Errorf("servicing: due days %d: at least %d days are required", c.DueDays, MinDueDays)
	case c.MinimumPercent <= 0 || c.MinimumPercent > finance.MaxPercent:
		return fmt.Errorf("servicing: minimum percent %s: must be above 0 and at most 100", c.MinimumPercent)
	case c.MinimumFloor < 0:
		return fmt.Errorf("servicing: minimum floor %d: must not be negative", c.MinimumFloor)
	case c.AuthGraceDays < 0:
		return fmt.Errorf("servicing: auth grace days %d: must not be negative", c.AuthGraceDays)
	case c.MissedInstalmentsToCancel < 1:
		return fmt.Errorf("servicing: missed instalments to cancel %d: at least 1", c.MissedInstalmentsToCancel)
	case c.ChargeOffDays < 1:
		return fmt.Errorf("servicing: charge-off days %d: at least 1", c.ChargeOffDays)
	case c.ReversalDays < 0:
		return fmt.Errorf("servicing: reversal days %d: must not be negative", c.ReversalDays)
	case c.NSFFee < 0:
		return fmt.Errorf("servicing: NSF fee %d: must not be negative", c.NSFFee)
	case c.RevolvingRate < 0 || c.RevolvingRate > CriminalRate:
		return fmt.Errorf("servicing: revolving rate %s: must be from 0 to %s", c.RevolvingRate, CriminalRate)
	}
	return nil
}
