package credit

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/openflex/openflex"
)

func inquire(t testing.TB, a openflex.Applicant) Report {
	t.Helper()
	r, err := Simulator{}.Inquire(context.Background(), Inquiry{Applicant: a, Consent: validConsent, Reference: "app_test"})
	if err != nil {
		t.Fatalf("Simulator.Inquire(%s %s) error = %v", a.FirstName, a.LastName, err)
	}
	return r
}

func TestSimulatorMagicReports(t *testing.T) {
	tests := []struct {
		middle string
		want   Report
	}{
		{MagicApproveLowRisk, Report{Hit: true, Score: 820}},
		{MagicApproveHighRisk, Report{Hit: true, Score: 660}},
		{MagicNoHit, Report{Hit: false}},
		{MagicFraud, Report{Hit: true, Score: 720, Fraud: true}},
		{MagicPending, Report{Hit: true, Score: 610}},
	}
	for _, tt := range tests {
		t.Run(tt.middle, func(t *testing.T) {
			a := validApplicant()
			a.MiddleName = tt.middle
			got := inquire(t, a)
			if got.Bureau != "simulator" || got.Reference == "" {
				t.Errorf("Simulator.Inquire(%s) = %+v, want Bureau simulator and a reference", tt.middle, got)
			}
			if got.Hit != tt.want.Hit || got.Score != tt.want.Score || got.Fraud != tt.want.Fraud {
				t.Errorf("Simulator.Inquire(%s) = %+v, want hit %t score %d fraud %t", tt.middle, got, tt.want.Hit, tt.want.Score, tt.want.Fraud)
			}
		})
	}
}

func TestSimulatorDeterministic(t *testing.T) {
	a := validApplicant()
	first := inquire(t, a)
	for range 3 {
		if got := inquire(t, a); got != first {
			t.Fatalf("Simulator.Inquire(same applicant) = %+v, then %+v", first, got)
		}
	}
	// Spelling and the middle name do not move the score.
	b := a
	b.FirstName, b.LastName, b.MiddleName = "  ZOË ", "o'brien", "Marie"
	if got := inquire(t, b); got.Score != first.Score {
		t.Errorf("Simulator.Inquire(re-spelled) score = %d, want %d", got.Score, first.Score)
	}
	// A different person gets, in general, a different score.
	seen := map[int]bool{}
	for i := range 50 {
		c := a
		c.FirstName = fmt.Sprintf("Person%c", 'a'+rune(i%26)) + fmt.Sprint(i/26)
		c.DateOfBirth = fmt.Sprintf("19%02d-0%d-1%d", 50+i%40, 1+i%9, i%10)
		r := inquire(t, c)
		if !r.Hit || r.Score < 300 || r.Score > 900 || r.Fraud {
			t.Errorf("Simulator.Inquire(%s %s) = %+v, want a clean hit scored 300–900", c.FirstName, c.DateOfBirth, r)
		}
		seen[r.Score] = true
	}
	if len(seen) < 20 {
		t.Errorf("50 applicants got only %d distinct scores", len(seen))
	}
}

// TestSimulatorNudges checks that income and the housing ratio move the
// score the documented way.
func TestSimulatorNudges(t *testing.T) {
	incomes := []struct {
		annual int64
		want   int
	}{
		{0, 0}, {19_999_99, 0}, {20_000_00, 10}, {49_999_99, 10}, {50_000_00, 20}, {100_000_00, 30},
	}
	for _, tt := range incomes {
		if got := incomeNudge(tt.annual); got != tt.want {
			t.Errorf("incomeNudge(%s) = %d, want %d", openflex.FormatCAD(tt.annual, "en"), got, tt.want)
		}
	}
	housing := []struct {
		monthly, annual int64
		want            int
	}{
		{0, 0, 20},
		{0, 60_000_00, 20},
		{1_250_00, 60_000_00, 20}, // 25 %
		{1_250_01, 60_000_00, 0},
		{2_000_00, 60_000_00, 0}, // 40 %
		{2_000_01, 60_000_00, -30},
		{1, 0, -50},
	}
	for _, tt := range housing {
		if got := housingNudge(tt.monthly, tt.annual); got != tt.want {
			t.Errorf("housingNudge(%s, %s) = %d, want %d", openflex.FormatCAD(tt.monthly, "en"), openflex.FormatCAD(tt.annual, "en"), got, tt.want)
		}
	}

	a := validApplicant()
	a.AnnualIncome, a.MonthlyHousingCost = 15_000_00, 600_00 // 48 %: −30, no income bonus
	poor := inquire(t, a)
	a.AnnualIncome, a.MonthlyHousingCost = 150_000_00, 1_000_00 // 8 %: +20, +30
	rich := inquire(t, a)
	// The base is 450–850, so neither is clamped.
	if rich.Score-poor.Score != 80 {
		t.Errorf("Simulator.Inquire scores %d (low income) and %d (high income), want 80 apart", poor.Score, rich.Score)
	}
}

func TestSimulatorCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Simulator{}.Inquire(ctx, Inquiry{Applicant: validApplicant()})
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("Simulator.Inquire(cancelled) error = %v, want ErrUnavailable wrapping context.Canceled", err)
	}
}
