package credit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/openflex/openflex"
)

// Ratio is an exact proportion in basis points: 4000 is 0.40, or 40 %.
// Ratios are compared by cross-multiplying integers, never with floats, so
// a ratio exactly at a threshold is decided the same way on every machine.
type Ratio int

// RatioScale is the Ratio of one (100 %).
const RatioScale Ratio = 10_000

// String formats r as a percentage with two decimals, "40.00%".
func (r Ratio) String() string {
	sign := ""
	if r < 0 {
		sign, r = "-", -r
	}
	return fmt.Sprintf("%s%d.%02d%%", sign, r/100, r%100)
}

// exceedsRatio reports whether a monthly cost, over a year, is more than
// share r of an annual income: 12·monthly/annual > r/10000, computed as
// 12·10000·monthly > r·annual on clamped cents (no overflow, no rounding).
// With no income any cost exceeds every ratio and no cost exceeds none.
func exceedsRatio(monthly, annual int64, r Ratio) bool {
	monthly, annual = clampCents(monthly), clampCents(annual)
	return monthly*12*int64(RatioScale) > int64(r)*annual
}

// Reason codes of decisions, stable in the API (reasons[].code).
const (
	// ReasonNoCreditFile declines: the bureau holds no file on the applicant.
	ReasonNoCreditFile = "no_credit_file"
	// ReasonFraudAlert declines: the file carries a fraud alert. Its message
	// does not accuse anyone: the applicant may well be the victim.
	ReasonFraudAlert = "fraud_alert"
	// ReasonCreditScore declines: the score is below Policy.DeclineBelow.
	ReasonCreditScore = "credit_score"
	// ReasonInsufficientIncome declines: annual income below Policy.MinIncome.
	ReasonInsufficientIncome = "insufficient_income"
	// ReasonDebtServiceRatio declines: housing cost above Policy.MaxDSR of income.
	ReasonDebtServiceRatio = "debt_service_ratio"
	// ReasonManualReview sends an application to lender staff (pending).
	ReasonManualReview = "manual_review"
	// ReasonManualReviewDeclined declines after lender staff reviewed a
	// pending application; the application service sets it.
	ReasonManualReviewDeclined = "manual_review_declined"
	// ReasonBureauTimeout goes with status retry, which the application
	// service sets when the TRAINING bureau answers ErrTimeout.
	ReasonBureauTimeout = "bureau_timeout"
)

// reasonMessages holds the shopper-facing text of each reason code, in
// English and French. They are shown to shoppers at the till and in the
// hosted checkout: plain words, no score, no accusation.
var reasonMessages = map[string][2]string{
	ReasonNoCreditFile: {
		"We could not find a credit file for the applicant, so we cannot offer credit at this time.",
		"Nous n'avons trouvé aucun dossier de crédit au nom du demandeur; nous ne pouvons donc pas offrir de crédit pour le moment.",
	},
	ReasonFraudAlert: {
		"We could not verify the applicant's identity. The applicant may contact the lender to complete the application.",
		"Nous n'avons pas pu vérifier l'identité du demandeur. Le demandeur peut communiquer avec le prêteur pour compléter sa demande.",
	},
	ReasonCreditScore: {
		"The applicant's credit history does not meet the lender's requirements at this time.",
		"L'historique de crédit du demandeur ne répond pas aux exigences du prêteur pour le moment.",
	},
	ReasonInsufficientIncome: {
		"The applicant's income is below the minimum the lender requires.",
		"Le revenu du demandeur est inférieur au minimum exigé par le prêteur.",
	},
	ReasonDebtServiceRatio: {
		"The applicant's housing costs are too high compared with their income.",
		"Les frais de logement du demandeur sont trop élevés par rapport à son revenu.",
	},
	ReasonManualReview: {
		"The lender needs to review this application; the applicant will be told the decision.",
		"Le prêteur doit examiner cette demande; le demandeur sera informé de la décision.",
	},
	ReasonManualReviewDeclined: {
		"The lender reviewed this application and cannot approve it at this time.",
		"Le prêteur a examiné cette demande et ne peut pas l'approuver pour le moment.",
	},
	ReasonBureauTimeout: {
		"The credit check did not finish in time. Please try again.",
		"La vérification de crédit n'a pas pu être faite à temps. Veuillez réessayer.",
	},
}

// ReasonCodes lists every reason code ReasonMessage knows, in a stable order.
var ReasonCodes = []string{
	ReasonNoCreditFile, ReasonFraudAlert, ReasonCreditScore, ReasonInsufficientIncome,
	ReasonDebtServiceRatio, ReasonManualReview, ReasonManualReviewDeclined, ReasonBureauTimeout,
}

// ReasonMessage returns the plain-language message of a reason code in
// lang: French for "fr", "fr-CA", "fr_CA" or an Accept-Language value led by
// French ("fr-CA,en;q=0.8"); English otherwise. An unknown code gets a
// generic sentence rather than "", so a shopper is never shown an empty
// explanation.
func ReasonMessage(code, lang string) string {
	fr := isFrench(lang)
	m, ok := reasonMessages[code]
	switch {
	case !ok && fr:
		return "Cette demande n'a pas pu être approuvée pour le moment."
	case !ok:
		return "This application could not be approved at this time."
	case fr:
		return m[1]
	}
	return m[0]
}

// isFrench reports whether lang's primary language subtag is French.
func isFrench(lang string) bool {
	primary := strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(primary, "-_,;"); i >= 0 {
		primary = primary[:i]
	}
	return primary == "fr" || primary == "fra" || primary == "fre"
}

func reason(code string) openflex.Reason {
	return openflex.Reason{Code: code, Message: ReasonMessage(code, "en")}
}

// Policy is the lender's credit policy: it turns a bureau Report and the
// applicant's declared income into a Decision. All amounts are cents, all
// ratios basis points. The zero Policy is not usable: start from
// DefaultPolicy and check changes with Validate.
//
// "DSR" here is the housing debt-service ratio: monthly housing cost × 12 ÷
// annual income. It is the only debt the application declares; the bureau's
// tradelines are not itemised.
type Policy struct {
	DeclineBelow int   // a score below this declines (credit_score)
	ReviewBelow  int   // a score below this (and ≥ DeclineBelow) goes to review
	MaxDSR       Ratio // a DSR above this declines (debt_service_ratio)
	ReviewDSR    Ratio // a DSR above this (and ≤ MaxDSR) goes to review
	MinIncome    int64 // an annual income below this declines (insufficient_income)

	PreferredFrom int // approved scores from this are risk category preferred
	PremiumFrom   int // approved scores from this (below PreferredFrom) are premium; lower ones standard

	// Credit limit: this share of annual income by risk category, rounded
	// down to a multiple of $100.00, then clamped to [MinLimit, MaxLimit].
	PreferredShare, PremiumShare, StandardShare Ratio
	MinLimit, MaxLimit                          int64
}

// DefaultPolicy returns the policy OpenFlex ships with:
//
//	decline below score 580, review below 640
//	decline above DSR 50 %, review above 40 %
//	decline below $10,000.00 annual income
//	preferred from score 780, premium from 700, standard below
//	limit 20 % / 15 % / 10 % of annual income by category, in [$500.00, $15,000.00]
func DefaultPolicy() Policy {
	return Policy{
		DeclineBelow:   580,
		ReviewBelow:    640,
		MaxDSR:         5000,
		ReviewDSR:      4000,
		MinIncome:      10_000_00,
		PreferredFrom:  780,
		PremiumFrom:    700,
		PreferredShare: 2000,
		PremiumShare:   1500,
		StandardShare:  1000,
		MinLimit:       500_00,
		MaxLimit:       15_000_00,
	}
}

// limitStep is the granularity of credit limits: $100.00.
const limitStep = 100_00

// Validate reports the first inconsistency of p, so a misconfigured policy
// stops the server at start-up instead of deciding applications.
func (p Policy) Validate() error {
	switch {
	case p.DeclineBelow > p.ReviewBelow:
		return errors.New("credit policy: DeclineBelow must not exceed ReviewBelow")
	case p.PremiumFrom > p.PreferredFrom:
		return errors.New("credit policy: PremiumFrom must not exceed PreferredFrom")
	case p.ReviewDSR < 0 || p.ReviewDSR > p.MaxDSR || p.MaxDSR > 10*RatioScale:
		return errors.New("credit policy: want 0 ≤ ReviewDSR ≤ MaxDSR ≤ 1000%")
	case p.MinIncome < 0 || p.MinIncome > openflex.MaxAmount:
		return errors.New("credit policy: MinIncome out of range")
	case p.PreferredShare <= 0 || p.PremiumShare <= 0 || p.StandardShare <= 0 ||
		p.PreferredShare > RatioScale || p.PremiumShare > RatioScale || p.StandardShare > RatioScale:
		return errors.New("credit policy: limit shares must be in (0%, 100%]")
	case p.MinLimit <= 0 || p.MinLimit > p.MaxLimit || p.MaxLimit > openflex.MaxAmount:
		return errors.New("credit policy: want 0 < MinLimit ≤ MaxLimit ≤ MaxAmount")
	case p.MinLimit%limitStep != 0 || p.MaxLimit%limitStep != 0:
		return errors.New("credit policy: MinLimit and MaxLimit must be multiples of $100.00")
	}
	return nil
}

// Decision is the outcome of Policy.Decide. CreditLimit and RiskCategory
// are set only when Status is approved; Reasons (English messages; see
// ReasonMessage for French) only when it is not.
type Decision struct {
	Status       openflex.ApplicationStatus
	Reasons      []openflex.Reason
	CreditLimit  int64 // cents
	RiskCategory openflex.RiskCategory
}

// Decide applies p to a bureau report and the applicant's declared income
// and housing cost. The rules, in order:
//
//  1. no hit → declined, no_credit_file;
//  2. fraud alert → declined, fraud_alert (nothing else is said);
//  3. a hit whose score is outside 300–900 → pending, manual_review: a
//     report that cannot be read is looked at by a person, never approved;
//  4. declined with every reason that applies: score < DeclineBelow
//     (credit_score); annual income < MinIncome (insufficient_income);
//     DSR > MaxDSR (debt_service_ratio). Housing costs with no income
//     exceed every DSR; no income and no costs is a DSR of 0, and is then
//     declined by MinIncome alone;
//  5. score < ReviewBelow or DSR > ReviewDSR → pending, manual_review;
//  6. otherwise approved with the risk category and limit of Offer.
//
// requestedAmount does not change the outcome: an applicant who asked for
// more than the limit is still approved, with the limit, which the merchant
// sees in the reply.
func (p Policy) Decide(r Report, a openflex.Applicant, requestedAmount int64) Decision {
	switch {
	case !r.Hit:
		return Decision{Status: openflex.ApplicationDeclined, Reasons: []openflex.Reason{reason(ReasonNoCreditFile)}}
	case r.Fraud:
		return Decision{Status: openflex.ApplicationDeclined, Reasons: []openflex.Reason{reason(ReasonFraudAlert)}}
	case r.Score < 300 || r.Score > 900:
		return Decision{Status: openflex.ApplicationPending, Reasons: []openflex.Reason{reason(ReasonManualReview)}}
	}
	income, cost := clampCents(a.AnnualIncome), clampCents(a.MonthlyHousingCost)
	var declines []openflex.Reason
	if r.Score < p.DeclineBelow {
		declines = append(declines, reason(ReasonCreditScore))
	}
	if income < p.MinIncome {
		declines = append(declines, reason(ReasonInsufficientIncome))
	}
	if exceedsRatio(cost, income, p.MaxDSR) {
		declines = append(declines, reason(ReasonDebtServiceRatio))
	}
	if len(declines) > 0 {
		return Decision{Status: openflex.ApplicationDeclined, Reasons: declines}
	}
	if r.Score < p.ReviewBelow || exceedsRatio(cost, income, p.ReviewDSR) {
		return Decision{Status: openflex.ApplicationPending, Reasons: []openflex.Reason{reason(ReasonManualReview)}}
	}
	risk, limit := p.Offer(r.Score, income)
	return Decision{Status: openflex.ApplicationApproved, CreditLimit: limit, RiskCategory: risk}
}

// Offer returns the risk category and credit limit p gives a score and an
// annual income (cents): preferred from PreferredFrom, premium from
// PremiumFrom, standard below; the limit is that category's share of the
// income, rounded down to a multiple of $100.00 and clamped to [MinLimit,
// MaxLimit]. Decide uses it for approvals; the application service uses it
// when lender staff approve a pending application.
func (p Policy) Offer(score int, annualIncome int64) (openflex.RiskCategory, int64) {
	risk, share := openflex.RiskStandard, p.StandardShare
	switch {
	case score >= p.PreferredFrom:
		risk, share = openflex.RiskPreferred, p.PreferredShare
	case score >= p.PremiumFrom:
		risk, share = openflex.RiskPremium, p.PremiumShare
	}
	// ≤ MaxAmount × 10000 < 2^63: no overflow.
	limit := clampCents(annualIncome) * int64(max(share, 0)) / int64(RatioScale)
	limit -= limit % limitStep
	return risk, max(p.MinLimit, min(limit, p.MaxLimit))
}
