package credit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"github.com/openflex/openflex"
)

// Magic middle names of the TRAINING bureau (API.md). They are matched
// trimmed and case-insensitively.
const (
	MagicApproveLowRisk  = "A-RR_L"
	MagicApproveHighRisk = "A-RR_H"
	MagicNoHit           = "D-NO_HIT"
	MagicFraud           = "D-FRAUD"
	MagicPending         = "P-CREDIT"
	MagicTimeout         = "R-TIMEOUT"
)

// MagicNames describes each magic middle name, for documentation and tests.
// The outcomes are those of DefaultPolicy for an applicant whose income and
// housing cost pass it (say $60,000 a year and $1,500 a month): the
// simulator fixes the bureau's report, the policy still reads the income.
var MagicNames = map[string]string{
	MagicApproveLowRisk:  "approved, low risk: hit, score 820 (risk category preferred)",
	MagicApproveHighRisk: "approved, high risk: hit, score 660 (risk category standard)",
	MagicNoHit:           "declined: no credit file (no_credit_file)",
	MagicFraud:           "declined: fraud alert on file (fraud_alert)",
	MagicPending:         "pending manual review: hit, score 610 (manual_review)",
	MagicTimeout:         "retry: the bureau times out (ErrTimeout)",
}

// Scores the simulator reports for the magic names.
const (
	simScoreLowRisk  = 820
	simScoreHighRisk = 660
	simScorePending  = 610
	simScoreFraud    = 720 // a good score: the fraud alert alone must decline
)

// Simulator is the TRAINING bureau: deterministic, offline, free. The same
// inquiry always gets the same report, so merchants can write repeatable
// integration tests.
//
// A magic middle name (MagicNames) fixes the report. Any other applicant
// gets a hit with a simulated score:
//
//  1. base = 450 + (first 8 bytes of SHA-256(first|last|date_of_birth),
//     names trimmed and lower-cased, as a big-endian integer) mod 401,
//     so 450–850;
//  2. income nudge: +10 from $20,000 a year, +20 from $50,000, +30 from
//     $100,000;
//  3. housing nudge on the yearly housing cost ÷ annual income: +20 up to
//     25 %, 0 up to 40 %, −30 above; −50 with housing costs and no income;
//  4. clamped to 300–900.
//
// The middle name, the address and the SIN do not move the score, so a
// merchant can vary those freely without changing the outcome.
type Simulator struct{}

var _ Bureau = Simulator{}

// simulatorName is Report.Bureau for simulated reports.
const simulatorName = "simulator"

// Inquire returns the simulated report for q. Its only errors are
// ErrTimeout (magic name R-TIMEOUT) and, when ctx is already done, an
// ErrUnavailable wrapping ctx.Err().
func (Simulator) Inquire(ctx context.Context, q Inquiry) (Report, error) {
	if err := ctx.Err(); err != nil {
		return Report{}, Unavailable(err)
	}
	a := q.Applicant
	sum := sha256.Sum256([]byte(norm(a.FirstName) + "|" + norm(a.LastName) + "|" + strings.TrimSpace(a.DateOfBirth)))
	r := Report{
		Bureau:    simulatorName,
		Hit:       true,
		Trades:    int(sum[8] % 12),
		Reference: "sim_" + hex.EncodeToString(sum[9:17]),
	}
	switch strings.ToUpper(strings.TrimSpace(a.MiddleName)) {
	case MagicApproveLowRisk:
		r.Score = simScoreLowRisk
	case MagicApproveHighRisk:
		r.Score = simScoreHighRisk
	case MagicNoHit:
		return Report{Bureau: simulatorName, Reference: r.Reference}, nil
	case MagicFraud:
		r.Score, r.Fraud = simScoreFraud, true
	case MagicPending:
		r.Score = simScorePending
	case MagicTimeout:
		return Report{}, ErrTimeout
	default:
		base := 450 + int(binary.BigEndian.Uint64(sum[:8])%401)
		r.Score = clampInt(base+incomeNudge(a.AnnualIncome)+housingNudge(a.MonthlyHousingCost, a.AnnualIncome), 300, 900)
	}
	return r, nil
}

func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// incomeNudge rewards income, as real scores correlate with it.
func incomeNudge(annual int64) int {
	switch {
	case annual >= 100_000_00:
		return 30
	case annual >= 50_000_00:
		return 20
	case annual >= 20_000_00:
		return 10
	}
	return 0
}

// housingNudge rewards a low housing-cost ratio and penalises a high one,
// computed exactly on cents (see exceedsRatio).
func housingNudge(monthly, annual int64) int {
	switch {
	case monthly <= 0:
		return 20
	case annual <= 0:
		return -50
	case !exceedsRatio(monthly, annual, 2500):
		return 20
	case !exceedsRatio(monthly, annual, 4000):
		return 0
	}
	return -30
}

func clampInt(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

// clampCents bounds an amount to [0, openflex.MaxAmount] so arithmetic on
// unvalidated input cannot overflow.
func clampCents(c int64) int64 {
	return max(0, min(c, openflex.MaxAmount))
}
