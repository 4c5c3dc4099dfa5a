package credit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/openflex/openflex"
)

// Typical applicant of the policy tests: $60,000.00 a year, $1,500.00 a
// month for housing (DSR 30 %).
const (
	typicalIncome  = 60_000_00
	typicalHousing = 1_500_00
)

func hit(score int) Report { return Report{Bureau: "test", Hit: true, Score: score} }

// want is the expected outcome of one decision, by reason code.
type want struct {
	status openflex.ApplicationStatus
	codes  []string
	limit  int64
	risk   openflex.RiskCategory
}

func (w want) String() string {
	return fmt.Sprintf("{%s %v limit %s %s}", w.status, w.codes, openflex.FormatCAD(w.limit, "en"), w.risk)
}

func approved(risk openflex.RiskCategory, limit int64) want {
	return want{status: openflex.ApplicationApproved, risk: risk, limit: limit}
}

func declined(codes ...string) want { return want{status: openflex.ApplicationDeclined, codes: codes} }

var pendingReview = want{status: openflex.ApplicationPending, codes: []string{ReasonManualReview}}

// outcome reduces a Decision to a want, checking on the way that every
// reason carries its English message.
func outcome(t testing.TB, d Decision) want {
	t.Helper()
	w := want{status: d.Status, limit: d.CreditLimit, risk: d.RiskCategory}
	for _, r := range d.Reasons {
		w.codes = append(w.codes, r.Code)
		if r.Message != ReasonMessage(r.Code, "en") {
			t.Errorf("reason %s message = %q, want %q", r.Code, r.Message, ReasonMessage(r.Code, "en"))
		}
	}
	return w
}

func sameOutcome(a, b want) bool {
	return a.status == b.status && slices.Equal(a.codes, b.codes) && a.limit == b.limit && a.risk == b.risk
}

func TestPolicyDecide(t *testing.T) {
	noMinIncome := DefaultPolicy()
	noMinIncome.MinIncome = 0
	strict := DefaultPolicy()
	strict.DeclineBelow, strict.ReviewBelow = 700, 750

	tests := []struct {
		name      string
		policy    Policy // zero: DefaultPolicy
		report    Report
		income    int64
		housing   int64
		requested int64
		want      want
	}{
		{name: "no credit file", report: Report{Bureau: "test"}, income: typicalIncome, housing: typicalHousing,
			want: declined(ReasonNoCreditFile)},
		{name: "fraud alert with a good score", report: Report{Hit: true, Score: 850, Fraud: true}, income: typicalIncome, housing: typicalHousing,
			want: declined(ReasonFraudAlert)},
		{name: "fraud alert hides other reasons", report: Report{Hit: true, Score: 400, Fraud: true}, income: 0, housing: typicalHousing,
			want: declined(ReasonFraudAlert)},
		{name: "score below 300 is unreadable", report: hit(0), income: typicalIncome, housing: typicalHousing,
			want: pendingReview},
		{name: "score above 900 is unreadable", report: hit(901), income: typicalIncome, housing: typicalHousing,
			want: pendingReview},

		// score thresholds
		{name: "score 579 declines", report: hit(579), income: typicalIncome, housing: typicalHousing,
			want: declined(ReasonCreditScore)},
		{name: "score 580 reviews", report: hit(580), income: typicalIncome, housing: typicalHousing,
			want: pendingReview},
		{name: "score 639 reviews", report: hit(639), income: typicalIncome, housing: typicalHousing,
			want: pendingReview},
		{name: "score 640 approves standard", report: hit(640), income: typicalIncome, housing: typicalHousing,
			want: approved(openflex.RiskStandard, 6_000_00)},
		{name: "score 699 approves standard", report: hit(699), income: typicalIncome, housing: typicalHousing,
			want: approved(openflex.RiskStandard, 6_000_00)},
		{name: "score 700 approves premium", report: hit(700), income: typicalIncome, housing: typicalHousing,
			want: approved(openflex.RiskPremium, 9_000_00)},
		{name: "score 779 approves premium", report: hit(779), income: typicalIncome, housing: typicalHousing,
			want: approved(openflex.RiskPremium, 9_000_00)},
		{name: "score 780 approves preferred", report: hit(780), income: typicalIncome, housing: typicalHousing,
			want: approved(openflex.RiskPreferred, 12_000_00)},
		{name: "score 900 approves preferred", report: hit(900), income: typicalIncome, housing: typicalHousing,
			want: approved(openflex.RiskPreferred, 12_000_00)},

		// debt-service ratio, exactly at and just past each threshold
		{name: "DSR exactly 40% approves", report: hit(800), income: typicalIncome, housing: 2_000_00,
			want: approved(openflex.RiskPreferred, 12_000_00)},
		{name: "DSR just above 40% reviews", report: hit(800), income: typicalIncome, housing: 2_000_01,
			want: pendingReview},
		{name: "DSR exactly 50% reviews", report: hit(800), income: typicalIncome, housing: 2_500_00,
			want: pendingReview},
		{name: "DSR just above 50% declines", report: hit(800), income: typicalIncome, housing: 2_500_01,
			want: declined(ReasonDebtServiceRatio)},
		{name: "low score and high DSR give both reasons", report: hit(500), income: typicalIncome, housing: 3_000_00,
			want: declined(ReasonCreditScore, ReasonDebtServiceRatio)},

		// income
		{name: "no income and no housing cost", report: hit(800), income: 0, housing: 0,
			want: declined(ReasonInsufficientIncome)},
		{name: "no income with housing cost", report: hit(800), income: 0, housing: 1,
			want: declined(ReasonInsufficientIncome, ReasonDebtServiceRatio)},
		{name: "income just below minimum", report: hit(800), income: 9_999_99, housing: 0,
			want: declined(ReasonInsufficientIncome)},
		{name: "income at minimum", report: hit(800), income: 10_000_00, housing: 0,
			want: approved(openflex.RiskPreferred, 2_000_00)},
		{name: "negative income counts as none", report: hit(800), income: -5, housing: 0,
			want: declined(ReasonInsufficientIncome)},

		// limits
		{name: "limit rounds down to $100", report: hit(780), income: 61_234_56, housing: typicalHousing,
			want: approved(openflex.RiskPreferred, 12_200_00)},
		{name: "limit capped at maximum", report: hit(820), income: 250_000_00, housing: typicalHousing,
			want: approved(openflex.RiskPreferred, 15_000_00)},
		{name: "limit raised to minimum", policy: noMinIncome, report: hit(650), income: 3_000_00, housing: 0,
			want: approved(openflex.RiskStandard, 500_00)},
		{name: "requested amount above limit still approved", report: hit(650), income: typicalIncome, housing: typicalHousing, requested: 9_000_00,
			want: approved(openflex.RiskStandard, 6_000_00)},
		{name: "income above maximum is clamped", report: hit(820), income: openflex.MaxAmount * 10, housing: 0,
			want: approved(openflex.RiskPreferred, 15_000_00)},

		// configuration
		{name: "stricter policy declines 680", policy: strict, report: hit(680), income: typicalIncome, housing: typicalHousing,
			want: declined(ReasonCreditScore)},
		{name: "stricter policy reviews 720", policy: strict, report: hit(720), income: typicalIncome, housing: typicalHousing,
			want: pendingReview},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.policy
			if p == (Policy{}) {
				p = DefaultPolicy()
			}
			a := validApplicant()
			a.AnnualIncome, a.MonthlyHousingCost = tt.income, tt.housing
			got := outcome(t, p.Decide(tt.report, a, tt.requested))
			if !sameOutcome(got, tt.want) {
				t.Errorf("Decide(score %d hit %t fraud %t, income %s, housing %s) = %v, want %v",
					tt.report.Score, tt.report.Hit, tt.report.Fraud,
					openflex.FormatCAD(tt.income, "en"), openflex.FormatCAD(tt.housing, "en"), got, tt.want)
			}
		})
	}
}

// TestMagicNamesThroughPolicy checks the promise of API.md: in TRAINING the
// middle name picks the outcome, for a typical applicant.
func TestMagicNamesThroughPolicy(t *testing.T) {
	tests := []struct {
		middle  string
		want    want
		wantErr error
	}{
		{MagicApproveLowRisk, approved(openflex.RiskPreferred, 12_000_00), nil},
		{" a-rr_l ", approved(openflex.RiskPreferred, 12_000_00), nil},
		{MagicApproveHighRisk, approved(openflex.RiskStandard, 6_000_00), nil},
		{MagicNoHit, declined(ReasonNoCreditFile), nil},
		{MagicFraud, declined(ReasonFraudAlert), nil},
		{"d-fraud", declined(ReasonFraudAlert), nil},
		{MagicPending, pendingReview, nil},
		{MagicTimeout, want{}, ErrTimeout},
		{"r-timeout", want{}, ErrTimeout},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.middle, func(t *testing.T) {
			tested[strings.ToUpper(strings.TrimSpace(tt.middle))] = true
			a := validApplicant()
			a.MiddleName = tt.middle
			a.AnnualIncome, a.MonthlyHousingCost = typicalIncome, typicalHousing
			r, err := Simulator{}.Inquire(context.Background(), Inquiry{Applicant: a, Consent: validConsent, Reference: "app_test"})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Simulator.Inquire(middle %q) error = %v, want %v", tt.middle, err, tt.wantErr)
				}
				if errors.Is(err, ErrUnavailable) {
					t.Errorf("Simulator.Inquire(middle %q) error = %v: a simulated timeout must not be ErrUnavailable (503)", tt.middle, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Simulator.Inquire(middle %q) error = %v", tt.middle, err)
			}
			got := outcome(t, DefaultPolicy().Decide(r, a, 0))
			if !sameOutcome(got, tt.want) {
				t.Errorf("Decide(Simulator report for %q) = %v, want %v", tt.middle, got, tt.want)
			}
		})
	}
	for name := range MagicNames {
		if !tested[name] {
			t.Errorf("magic name %s has no outcome test", name)
		}
	}
	if len(tested) != len(MagicNames) {
		t.Errorf("tested %d magic names, MagicNames lists %d", len(tested), len(MagicNames))
	}
}

func TestReasonMessage(t *testing.T) {
	for _, code := range ReasonCodes {
		en, fr := ReasonMessage(code, "en-CA"), ReasonMessage(code, "fr-CA")
		if en == "" || fr == "" || en == fr {
			t.Errorf("ReasonMessage(%s) = %q / %q, want distinct English and French texts", code, en, fr)
		}
		for _, m := range []string{en, fr} {
			if !strings.HasSuffix(m, ".") {
				t.Errorf("ReasonMessage(%s) = %q, want a sentence", code, m)
			}
		}
	}
	if m := strings.ToLower(ReasonMessage(ReasonFraudAlert, "en") + ReasonMessage(ReasonFraudAlert, "fr")); strings.Contains(m, "fraud") {
		t.Errorf("ReasonMessage(fraud_alert) = %q, must not accuse the applicant", m)
	}
	langs := []struct {
		lang   string
		french bool
	}{
		{"", false}, {"en", false}, {"en-CA", false}, {"EN-ca", false}, {"de", false}, {"fry", false},
		{"fr", true}, {"FR", true}, {"fr-CA", true}, {"fr_CA", true}, {" fr-ca,en;q=0.8", true}, {"fra", true},
		{"en-CA,fr;q=0.9", false},
	}
	for _, l := range langs {
		got := ReasonMessage(ReasonCreditScore, l.lang)
		want := reasonMessages[ReasonCreditScore][0]
		if l.french {
			want = reasonMessages[ReasonCreditScore][1]
		}
		if got != want {
			t.Errorf("ReasonMessage(credit_score, %q) = %q, want %q", l.lang, got, want)
		}
	}
	if en, fr := ReasonMessage("no_such_code", "en"), ReasonMessage("no_such_code", "fr"); en == "" || fr == "" || en == fr {
		t.Errorf("ReasonMessage(unknown) = %q / %q, want generic English and French texts", en, fr)
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *Policy)
		ok     bool
	}{
		{"default", func(*Policy) {}, true},
		{"decline above review", func(p *Policy) { p.DeclineBelow = 700 }, false},
		{"premium above preferred", func(p *Policy) { p.PremiumFrom = 800 }, false},
		{"review DSR above max", func(p *Policy) { p.ReviewDSR = 6000 }, false},
		{"negative review DSR", func(p *Policy) { p.ReviewDSR = -1 }, false},
		{"zero share", func(p *Policy) { p.PremiumShare = 0 }, false},
		{"share above 100%", func(p *Policy) { p.PreferredShare = 10_001 }, false},
		{"min limit above max", func(p *Policy) { p.MinLimit = 20_000_00 }, false},
		{"max limit not a multiple of $100", func(p *Policy) { p.MaxLimit = 15_000_50 }, false},
		{"negative min income", func(p *Policy) { p.MinIncome = -1 }, false},
		{"no min income", func(p *Policy) { p.MinIncome = 0 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			tt.mutate(&p)
			if err := p.Validate(); (err == nil) != tt.ok {
				t.Errorf("Policy.Validate() = %v, want ok %t", err, tt.ok)
			}
		})
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		r    Ratio
		want string
	}{
		{5000, "50.00%"}, {4000, "40.00%"}, {1, "0.01%"}, {0, "0.00%"}, {12345, "123.45%"}, {-250, "-2.50%"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("Ratio(%d).String() = %q, want %q", int(tt.r), got, tt.want)
		}
	}
	exceeds := []struct {
		monthly, annual int64
		r               Ratio
		want            bool
	}{
		{2_000_00, 60_000_00, 4000, false}, // exactly 40 %
		{2_000_01, 60_000_00, 4000, true},
		{0, 0, 0, false},
		{1, 0, 10 * RatioScale, true},
		{openflex.MaxAmount, 1, 10 * RatioScale, true},
		{1, openflex.MaxAmount, 0, true},
	}
	for _, tt := range exceeds {
		if got := exceedsRatio(tt.monthly, tt.annual, tt.r); got != tt.want {
			t.Errorf("exceedsRatio(%d, %d, %s) = %t, want %t", tt.monthly, tt.annual, tt.r, got, tt.want)
		}
	}
}

func TestUnavailable(t *testing.T) {
	cause := errors.New("status 502")
	err := Unavailable(cause)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, cause) {
		t.Errorf("Unavailable(%v) = %v, want it to wrap ErrUnavailable and the cause", cause, err)
	}
	if got := openflex.ErrorCode(err); got != openflex.CodeBureauUnavailable {
		t.Errorf("ErrorCode(Unavailable(...)) = %s, want %s", got, openflex.CodeBureauUnavailable)
	}
	var e *openflex.Error
	if !errors.As(err, &e) || e.Message != ErrUnavailable.Message || e.Cause != nil {
		t.Errorf("errors.As(Unavailable(...)) = %+v, want ErrUnavailable itself, unmodified", e)
	}
	if !errors.Is(Unavailable(nil), ErrUnavailable) {
		t.Errorf("Unavailable(nil) does not wrap ErrUnavailable")
	}
}

// TestReasonCodesComplete keeps ReasonCodes and the message table in step.
func TestReasonCodesComplete(t *testing.T) {
	if len(ReasonCodes) != len(reasonMessages) {
		t.Errorf("ReasonCodes lists %d codes, the message table %d", len(ReasonCodes), len(reasonMessages))
	}
	for _, code := range ReasonCodes {
		if _, ok := reasonMessages[code]; !ok {
			t.Errorf("reason code %s has no messages", code)
		}
	}
}
