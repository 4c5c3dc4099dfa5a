package finance

import (
	"strconv"
	"strings"

	"github.com/openflex/openflex"
)

// French disclosures follow Canadian (Quebec) usage: "taux annuel du coût
// d'emprunt (TAC)", "coût total de l'emprunt", "frais d'administration", a
// no-break space before ":" and "%", and amounts such as "1 299,99 $".

// colon is the French colon with its no-break space.
const colon = nbsp + ":"

// ordinalFR is "1er" or "6e", as in "à la fin du 6e mois".
func ordinalFR(n int) string {
	if n == 1 {
		return "1er"
	}
	return strconv.Itoa(n) + "e"
}

func equalFR(q Quote) string {
	t := q.Terms
	m := func(c int64) string { return openflex.FormatCAD(c, "fr") }
	pct := func(p Percent) string { return FormatPercent(p, "fr") }
	n := t.Months
	var pay string
	if n == 1 {
		pay = "Vous financez " + m(q.Amount) + ", à rembourser en un seul versement de " + m(q.Payments[0].Amount) + "."
	} else {
		pay = "Vous financez " + m(q.Amount) + ", à rembourser en " + strconv.Itoa(n) + " versements mensuels égaux de " + m(q.MonthlyPayment)
		if t.FeeKind == FeeMonthly && t.AdminFee > 0 {
			pay += ", frais d'administration mensuels de " + m(t.AdminFee) + " compris"
		}
		var notes []string
		if t.FeeKind == FeeTotal && t.AdminFee > 0 {
			notes = append(notes, "premier versement"+colon+" "+m(q.Payments[0].Amount)+", frais d'administration compris")
		}
		if last := lastPayment(q); last >= 0 {
			notes = append(notes, "dernier versement"+colon+" "+m(last))
		}
		if len(notes) > 0 {
			pay += " (" + strings.Join(notes, "; ") + ")"
		}
		pay += "."
	}
	return sentences(
		pay,
		"Taux d'intérêt annuel"+colon+" "+pct(t.AnnualRate)+".",
		"Taux annuel du coût d'emprunt (TAC)"+colon+" "+pct(q.APR)+".",
		feeFR(t, "avec le premier versement"),
		"Coût total de l'emprunt (intérêts et frais)"+colon+" "+m(q.TotalCostOfBorrowing)+".",
		"Montant total à payer"+colon+" "+m(q.TotalToPay)+".",
	)
}

func feeFR(t Terms, once string) string {
	m := func(c int64) string { return openflex.FormatCAD(c, "fr") }
	switch {
	case t.AdminFee == 0:
		return "Frais d'administration" + colon + " aucuns."
	case t.FeeKind == FeeMonthly:
		return "Frais d'administration" + colon + " " + m(t.AdminFee) + " par mois, soit " + m(t.feeTotal()) + " au total."
	default:
		return "Frais d'administration" + colon + " " + m(t.AdminFee) + ", exigés une seule fois " + once + "."
	}
}

func deferredFR(q Quote) string {
	t := q.Terms
	m := func(c int64) string { return openflex.FormatCAD(c, "fr") }
	pct := func(p Percent) string { return FormatPercent(p, "fr") }
	months := strconv.Itoa(t.Months) + " mois"
	end := "à la fin du " + ordinalFR(t.Months) + " mois"

	var promo, otherwise string
	if t.AnnualRate == 0 {
		promo = "Aucun intérêt si le solde est payé en totalité d'ici " + months + colon +
			" aucun intérêt ne court sur cet achat (taux d'intérêt annuel" + colon + " 0" + nbsp + "%)."
	} else {
		promo = "Aucun intérêt si le solde est payé en totalité d'ici " + months + ". Des intérêts courent pendant la promotion" + colon +
			" ils sont calculés depuis la date d'achat au taux d'intérêt annuel de " + pct(t.AnnualRate) +
			" et ne sont annulés que si le solde est payé en totalité au plus tard " + end + "."
		otherwise = "Si le solde n'est pas payé en totalité " + end + ", les intérêts courus depuis la date d'achat sont exigés" + colon + " " +
			m(q.DeferredInterest) + " si rien n'est payé pendant la promotion (intérêt simple au taux annuel de " + pct(t.AnnualRate) +
			" sur " + m(q.Amount) + " pendant " + months + "), soit un taux annuel du coût d'emprunt (TAC) de " + pct(q.DeferredAPR) + "."
	}
	required := "Aucun versement n'est exigé pendant la promotion"
	if t.AdminFee > 0 {
		required += ", sauf les frais d'administration"
	}
	plan := required + "; pour payer le solde en totalité à temps, versez " + m(q.MonthlyPayment) + " par mois"
	var notes []string
	if t.FeeKind == FeeMonthly && t.AdminFee > 0 {
		notes = append(notes, "frais d'administration mensuels de "+m(t.AdminFee)+" compris")
	}
	if t.FeeKind == FeeTotal && t.AdminFee > 0 && t.Months > 1 {
		notes = append(notes, "premier versement"+colon+" "+m(q.Payments[0].Amount)+", frais d'administration compris")
	}
	if last := lastPayment(q); last >= 0 {
		notes = append(notes, "dernier versement"+colon+" "+m(last))
	}
	if len(notes) > 0 {
		plan += " (" + strings.Join(notes, "; ") + ")"
	}
	plan += "."
	return sentences(
		promo,
		"Vous financez "+m(q.Amount)+".",
		plan,
		otherwise,
		"Taux annuel du coût d'emprunt (TAC) si le solde est payé à temps"+colon+" "+pct(q.APR)+".",
		feeFR(t, "avec le premier versement"),
		"Coût total de l'emprunt (intérêts et frais) si le solde est payé à temps"+colon+" "+m(q.TotalCostOfBorrowing)+".",
		"Montant total à payer si le solde est payé à temps"+colon+" "+m(q.TotalToPay)+".",
	)
}

func regularFR(q Quote) string {
	t := q.Terms
	m := func(c int64) string { return openflex.FormatCAD(c, "fr") }
	pct := func(p Percent) string { return FormatPercent(p, "fr") }
	byDue := " si vous payez cet achat en totalité au plus tard à la date d'échéance de votre relevé"
	return sentences(
		"Achat régulier de "+m(q.Amount)+" porté à votre compte renouvelable.",
		"Taux d'intérêt annuel"+colon+" "+pct(t.AnnualRate)+"; taux annuel du coût d'emprunt (TAC)"+colon+" "+pct(q.APR)+".",
		"Des intérêts sont exigés sur tout solde qui n'est pas payé en totalité à la date d'échéance du relevé.",
		"Versement minimal sur cet achat"+colon+" "+m(q.MonthlyPayment)+" par mois (3"+nbsp+"% de l'achat arrondi au cent supérieur, au moins "+
			m(minimumPaymentFloor)+", ou la totalité de l'achat s'il est inférieur).",
		feeFR(t, "au moment de l'achat"),
		"Coût total de l'emprunt (intérêts et frais)"+colon+" "+m(q.TotalCostOfBorrowing)+byDue+"; sinon, des intérêts s'ajoutent.",
		"Montant total à payer"+colon+" "+m(q.TotalToPay)+byDue+".",
	)
}
