package pad_test

import (
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/pad"
)

func TestAmount(t *testing.T) {
	tests := []struct {
		name                                     string
		choice                                   pad.Choice
		fixed, minimum, closing, paidSince, owed int64
		want                                     int64
	}{
		{"minimum", pad.ChoiceMinimum, 0, 20_00, 400_00, 0, 400_00, 20_00},
		{"minimum, partly paid since", pad.ChoiceMinimum, 0, 20_00, 400_00, 15_00, 385_00, 5_00},
		{"minimum, paid since", pad.ChoiceMinimum, 0, 20_00, 400_00, 25_00, 375_00, 0},
		{"statement balance", pad.ChoiceStatement, 0, 20_00, 400_00, 0, 412_00, 400_00},
		{"statement balance, less paid since", pad.ChoiceStatement, 0, 20_00, 400_00, 100_00, 300_00, 300_00},
		{"fixed", pad.ChoiceFixed, 50_00, 20_00, 400_00, 0, 400_00, 50_00},
		{"fixed, never more than owed", pad.ChoiceFixed, 50_00, 20_00, 400_00, 0, 30_00, 30_00},
		{"nothing owed", pad.ChoiceStatement, 0, 20_00, 400_00, 0, 0, 0},
	}
	for _, tt := range tests {
		if got := pad.Amount(tt.choice, tt.fixed, tt.minimum, tt.closing, tt.paidSince, tt.owed); got != tt.want {
			t.Errorf("%s: Amount = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestFirstDebitOn(t *testing.T) {
	for day, want := range map[string]string{"2027-01-25": "2027-02-04", "2028-02-25": "2028-03-06", "2026-12-28": "2027-01-07"} {
		if got := pad.FirstDebitOn(day); got != want {
			t.Errorf("FirstDebitOn(%s) = %s, want %s", day, got, want)
		}
	}
}

// TestAgreementText: the agreement carries what Rule H1 asks for, in both
// languages.
func TestAgreementText(t *testing.T) {
	payee := pad.Payee{Name: "OpenFlex Lending Inc.", Phone: "1-800-555-0199", Email: "help@openflex.example", Address: "1 King St W, Toronto ON"}
	r := pad.EnrolRequest{AccountNumber: "70000000000013", Choice: pad.ChoiceFixed, FixedAmount: 75_00, Language: "en",
		Bank: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567", HolderName: "Ada Lovelace"}}
	requires := map[string][]string{
		"en": {"personal", "Ada Lovelace", "004-12345-•••567", "OpenFlex Lending Inc.", "1-800-555-0199", "authorize", "•••• 0013",
			"$75.00", "due date", "at least 10 calendar days", "cancel this agreement at any time", "recourse rights", "www.payments.ca", "2027-01-25"},
		"fr": {"personnel", "Ada Lovelace", "004-12345-•••567", "OpenFlex Lending Inc.", "autorisez", "75,00\u00a0$", "date d’échéance",
			"au moins 10 jours civils", "annuler cet accord en tout temps", "droits de recours", "www.paiements.ca", "2027-01-25"},
	}
	for lang, want := range requires {
		text := pad.Text(lang, payee, r, "Ada Lovelace", "2027-01-25")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s agreement lacks %q:\n%s", lang, w, text)
			}
		}
	}
}

func TestEnrolRequestValidate(t *testing.T) {
	good := pad.EnrolRequest{AccountNumber: "70000000000013", Choice: pad.ChoiceMinimum, Language: "fr", Accepted: true,
		Bank: openflex.BankAccount{Institution: "004", Transit: "12345", Account: "1234567", HolderName: "Ada Lovelace"}}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate(good) = %v", err)
	}
	tests := []struct {
		name  string
		edit  func(r *pad.EnrolRequest)
		param string
	}{
		{"not accepted", func(r *pad.EnrolRequest) { r.Accepted = false }, "accepted"},
		{"no choice", func(r *pad.EnrolRequest) { r.Choice = "" }, "choice"},
		{"unknown choice", func(r *pad.EnrolRequest) { r.Choice = "everything" }, "choice"},
		{"fixed without amount", func(r *pad.EnrolRequest) { r.Choice = pad.ChoiceFixed }, "fixed_amount"},
		{"amount on a variable choice", func(r *pad.EnrolRequest) { r.FixedAmount = 10 }, "fixed_amount"},
		{"short transit", func(r *pad.EnrolRequest) { r.Bank.Transit = "123" }, "bank.transit"},
		{"no holder", func(r *pad.EnrolRequest) { r.Bank.HolderName = "" }, "bank.holder_name"},
		{"bad account number", func(r *pad.EnrolRequest) { r.AccountNumber = "70000000000012" }, "account_number"},
	}
	for _, tt := range tests {
		r := good
		tt.edit(&r)
		err := r.Validate()
		e, ok := err.(*openflex.Error)
		if !ok {
			t.Errorf("%s: Validate = %v, want a field error on %s", tt.name, err, tt.param)
			continue
		}
		found := false
		for _, f := range e.Fields {
			found = found || f.Param == tt.param
		}
		if !found {
			t.Errorf("%s: Validate = %+v, want a field error on %s", tt.name, e.Fields, tt.param)
		}
	}
}

func TestMoney(t *testing.T) {
	for _, tt := range []struct {
		lang  string
		cents int64
		want  string
	}{{"en", 123456, "$1,234.56"}, {"fr", 123456, "1\u00a0234,56\u00a0$"}, {"en", 5, "$0.05"}, {"en", 100000000, "$1,000,000.00"}} {
		if got := pad.Money(tt.lang, tt.cents); got != tt.want {
			t.Errorf("Money(%s, %d) = %q, want %q", tt.lang, tt.cents, got, tt.want)
		}
	}
}
