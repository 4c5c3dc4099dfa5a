package credit

import (
	"context"
	"errors"
	"fmt"

	"github.com/openflex/openflex"
)

// Inquiry is what a bureau is asked: the applicant's identity and the
// consent that authorises the (hard) inquiry. The consent travels with every
// inquiry because the bureau, and the lender's records, must be able to show
// it for each one.
type Inquiry struct {
	Applicant openflex.Applicant
	Consent   openflex.Consent
	Reference string // the application id, so both sides can trace the inquiry
}

// Report is what a bureau answers. It carries no decision: the Policy
// decides, so that every bureau is judged by the same rules.
type Report struct {
	Bureau    string // which adapter answered: "simulator", "equifax-http", …
	Hit       bool   // false: the bureau holds no credit file for the applicant
	Score     int    // 300–900 when Hit
	Fraud     bool   // a fraud alert is on the file
	Trades    int    // open tradelines, when the bureau says
	Reference string // the bureau's own reference for this inquiry
}

// Bureau is the port to a credit bureau. Inquire either returns a Report or
// an error; it never guesses a report it did not receive.
//
// Error contract: when the bureau cannot answer (network failure, timeout,
// an error status, a malformed reply) Inquire returns an error for which
// errors.Is(err, ErrUnavailable) holds — build it with Unavailable. Callers
// answer 503 bureau_unavailable and never approve. The only other error an
// implementation may return is ErrTimeout, and only the TRAINING Simulator
// returns it.
type Bureau interface {
	Inquire(ctx context.Context, q Inquiry) (Report, error)
}

// ErrUnavailable means the bureau could not answer. It is an *openflex.Error
// with code bureau_unavailable, so an error wrapping it renders as a 503 with
// this message, while the wrapped detail stays in the log. Never modify it:
// wrap it with Unavailable.
var ErrUnavailable = &openflex.Error{Code: openflex.CodeBureauUnavailable, Message: "the credit bureau is unavailable; retry later"}

// ErrTimeout is the Simulator's answer to the magic middle name R-TIMEOUT:
// it lets merchants rehearse a bureau that did not answer in time. It is
// deliberately not ErrUnavailable: the application service maps it to an
// application with status "retry" (a 201, reason ReasonBureauTimeout), not
// to a 503, so integrations can test how they handle that status.
// Production adapters report their timeouts as ErrUnavailable instead.
var ErrTimeout = errors.New("credit: simulated bureau timeout")

// Unavailable returns an error satisfying errors.Is(err, ErrUnavailable)
// that also wraps cause, whose text is for the log only. Causes must not
// contain personal data (SIN, date of birth) since they are logged.
func Unavailable(cause error) error {
	if cause == nil {
		return ErrUnavailable
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, cause)
}
