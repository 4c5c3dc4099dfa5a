package finance

import (
	"strings"
	"testing"
)

// nb spells French expectations readably: each "_" stands for the no-break
// space (U+00A0) that FormatCAD, FormatPercent and French colons use.
func nb(s string) string {
	return strings.ReplaceAll(s, "_", "\u00a0")
}

func TestDisclosure(t *testing.T) {
	equal0 := Terms{Category: EqualPayments, Months: 12}
	equalFee := Terms{Category: EqualPayments, Months: 12, AdminFee: 4999}
	equal2999 := Terms{Category: EqualPayments, Months: 24, AnnualRate: 29990}
	equalMonthly := Terms{Category: EqualPayments, Months: 12, AnnualRate: 9990, AdminFee: 500, FeeKind: FeeMonthly}
	deferred := Terms{Category: Deferred, Months: 6, AnnualRate: 29990}
	deferredFee := Terms{Category: Deferred, Months: 3, AnnualRate: 29990, AdminFee: 4999}
	deferred0 := Terms{Category: Deferred, Months: 1}
	regular := Terms{Category: Regular, AnnualRate: 29990}
	tests := []struct {
		name   string
		amount int64
		terms  Terms
		lang   string
		want   []string
	}{
		{"equal 0% en", 120000, equal0, "en-CA", []string{
			"You are financing $1,200.00, repaid in 12 equal monthly payments of $100.00.",
			"Annual interest rate: 0%.", "Annual percentage rate (APR): 0%.", "Administration fee: none.",
			"Total cost of borrowing (interest and fees): $0.00.", "Total to pay: $1,200.00.",
		}},
		{"equal fee en", 120000, equalFee, "en", []string{
			"12 equal monthly payments of $100.00 (first payment: $149.99, including the administration fee).",
			"Annual percentage rate (APR): 7.75%.", "Administration fee: $49.99, charged once with the first payment.",
			"Total cost of borrowing (interest and fees): $49.99.", "Total to pay: $1,249.99.",
		}},
		{"equal fee fr", 120000, equalFee, "fr-CA", []string{
			nb("Vous financez 1_200,00_$, à rembourser en 12 versements mensuels égaux de 100,00_$ (premier versement_: 149,99_$, frais d'administration compris)."),
			nb("Taux d'intérêt annuel_: 0_%."), nb("Taux annuel du coût d'emprunt (TAC)_: 7,75_%."),
			nb("Frais d'administration_: 49,99_$, exigés une seule fois avec le premier versement."),
			nb("Coût total de l'emprunt (intérêts et frais)_: 49,99_$."), nb("Montant total à payer_: 1_249,99_$."),
		}},
		{"equal 29.99% en", 200000, equal2999, "en", []string{
			"24 equal monthly payments of $111.82 (last payment: $111.65).", "Annual interest rate: 29.99%.",
			"(APR): 30%.", "Total cost of borrowing (interest and fees): $683.51.", "Total to pay: $2,683.51.",
		}},
		{"equal 29.99% fr", 200000, equal2999, "fr", []string{
			nb("24 versements mensuels égaux de 111,82_$ (dernier versement_: 111,65_$)."), nb("Taux d'intérêt annuel_: 29,99_%."),
			nb("(TAC)_: 30_%."), nb("Frais d'administration_: aucuns."), nb("Coût total de l'emprunt (intérêts et frais)_: 683,51_$."),
			nb("Montant total à payer_: 2_683,51_$."),
		}},
		{"equal monthly fee en", 120000, equalMonthly, "en", []string{
			"12 equal monthly payments of $110.49, including the $5.00 monthly administration fee (last payment: $110.51).",
			"Administration fee: $5.00 a month, $60.00 in total.", "(APR): 19.125%.",
		}},
		{"equal monthly fee fr", 120000, equalMonthly, "fr", []string{
			nb("12 versements mensuels égaux de 110,49_$, frais d'administration mensuels de 5,00_$ compris"),
			nb("Frais d'administration_: 5,00_$ par mois, soit 60,00_$ au total."), nb("(TAC)_: 19,125_%."),
		}},
		{"one payment en", 10000, Terms{Category: EqualPayments, Months: 1, AnnualRate: 12000}, "en", []string{
			// 100.00 + 100.00 × 0.12/12 = 101.00.
			"repaid in one payment of $101.00.",
		}},
		{"deferred en", 60000, deferred, "en", []string{
			"No interest if paid in full within 6 months. Interest accrues during the promotion: it is charged from the purchase date at the annual interest rate of 29.99% unless the balance is paid in full by the end of month 6.",
			"You are financing $600.00.",
			"No payment is required during the promotion; to pay the balance in full in time, pay $100.00 a month.",
			"the interest accrued since the purchase date is charged: $89.97 if nothing is paid during the promotion",
			"for an annual percentage rate (APR) of 30%.", "Annual percentage rate (APR) if paid in full in time: 0%.",
			"Total cost of borrowing (interest and fees) if paid in full in time: $0.00.",
			"Total to pay if paid in full in time: $600.00.",
		}},
		{"deferred fr", 60000, deferred, "fr", []string{
			nb("Aucun intérêt si le solde est payé en totalité d'ici 6 mois. Des intérêts courent pendant la promotion_:"),
			nb("au taux d'intérêt annuel de 29,99_% et ne sont annulés que si le solde est payé en totalité au plus tard à la fin du 6e mois."),
			nb("versez 100,00_$ par mois."), nb("sont exigés_: 89,97_$ si rien n'est payé pendant la promotion"),
			nb("soit un taux annuel du coût d'emprunt (TAC) de 30_%."),
			nb("Coût total de l'emprunt (intérêts et frais) si le solde est payé à temps_: 0,00_$."),
			nb("Montant total à payer si le solde est payé à temps_: 600,00_$."),
		}},
		{"deferred fee en", 100000, deferredFee, "en", []string{
			"No payment is required during the promotion other than the administration fee; to pay the balance in full in time, pay $333.34 a month (first payment: $383.33, including the administration fee; last payment: $333.32).",
			"$74.98 if nothing is paid", "of 50%.", "Annual percentage rate (APR) if paid in full in time: 30%.",
			"Total to pay if paid in full in time: $1,049.99.",
		}},
		{"deferred 0% 1 month fr", 5000, deferred0, "fr", []string{
			nb("Aucun intérêt si le solde est payé en totalité d'ici 1 mois_: aucun intérêt ne court sur cet achat"),
		}},
		{"deferred 1 month en", 5000, Terms{Category: Deferred, Months: 1, AnnualRate: 12000}, "en", []string{
			"within 1 month.", "by the end of month 1", "for 1 month)",
		}},
		{"regular en", 25000, regular, "en", []string{
			"Regular purchase of $250.00 on your revolving account.",
			"Annual interest rate: 29.99%; annual percentage rate (APR): 29.99%.",
			"Interest is charged on any balance not paid in full by the statement due date.",
			"Minimum payment on this purchase: $10.00 a month (3% of the purchase rounded up to the cent, but at least $10.00",
			"Total to pay: $250.00 if you pay this purchase in full by your statement due date.",
		}},
		{"regular fr", 100000, regular, "fr", []string{
			nb("Achat régulier de 1_000,00_$ porté à votre compte renouvelable."),
			nb("Taux d'intérêt annuel_: 29,99_%; taux annuel du coût d'emprunt (TAC)_: 29,99_%."),
			nb("Versement minimal sur cet achat_: 30,00_$ par mois (3_% de l'achat arrondi au cent supérieur, au moins 10,00_$"),
			nb("Des intérêts sont exigés sur tout solde qui n'est pas payé en totalité à la date d'échéance du relevé."),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := NewQuote(tt.amount, tt.terms, tt.lang)
			if err != nil {
				t.Fatalf("%s: %v", call(tt.amount, tt.terms, tt.lang), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(q.Disclosure, w) {
					t.Errorf("%s.Disclosure = %q, want it to contain %q", call(tt.amount, tt.terms, tt.lang), q.Disclosure, w)
				}
			}
		})
	}
}

// TestDisclosureLanguage checks that no English leaks into French and the
// reverse, and that French never uses a breaking space where a no-break
// space belongs.
func TestDisclosureLanguage(t *testing.T) {
	for _, terms := range []Terms{
		{Category: EqualPayments, Months: 12, AnnualRate: 9990, AdminFee: 500, FeeKind: FeeMonthly},
		{Category: Deferred, Months: 6, AnnualRate: 29990, AdminFee: 4999},
		{Category: Regular, AnnualRate: 29990},
	} {
		en, _ := NewQuote(123456, terms, "en")
		fr, _ := NewQuote(123456, terms, "fr")
		for _, bad := range []string{"payment", "interest rate", "fee", "Total"} {
			if strings.Contains(fr.Disclosure, bad) {
				t.Errorf("%s.Disclosure = %q, contains English %q", call(123456, terms, "fr"), fr.Disclosure, bad)
			}
		}
		for _, bad := range []string{"versement", "frais", "TAC", "\u00a0"} {
			if strings.Contains(en.Disclosure, bad) {
				t.Errorf("%s.Disclosure = %q, contains %q", call(123456, terms, "en"), en.Disclosure, bad)
			}
		}
		for _, bad := range []string{" $", " %", " :"} {
			if strings.Contains(fr.Disclosure, bad) {
				t.Errorf("%s.Disclosure = %q, has a breaking space in %q", call(123456, terms, "fr"), fr.Disclosure, bad)
			}
		}
	}
}
