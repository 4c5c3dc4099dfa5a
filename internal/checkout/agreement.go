package checkout

import (
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

// Agreement is the lender's credit agreement, shown in full with its key
// figures on the application page, before the box the shopper ticks to
// accept it.
type Agreement struct {
	// Text is the lender's agreement in English and French, paragraphs
	// separated by blank lines; an empty one is DefaultAgreement's.
	Text [2]string
	// PurchaseRate is the annual interest rate on regular (revolving)
	// purchases.
	PurchaseRate finance.Percent
	// MinimumPercent and MinimumFloor make the minimum payment: that share
	// of the balance, at least MinimumFloor cents (or the whole balance).
	MinimumPercent finance.Percent
	MinimumFloor   int64
	// ReturnedPaymentFee is charged when a payment is returned; 0: none.
	ReturnedPaymentFee int64
	// DueDays is the grace from a statement to its due date.
	DueDays int
}

// agreementView is the agreement in one language, ready for the page.
type agreementView struct {
	Paragraphs []string
	Figures    [][2]string // label, value
}

func (a Agreement) view(lang string) agreementView {
	i := 0
	if lang == "fr" {
		i = 1
	}
	text := a.Text[i]
	if strings.TrimSpace(text) == "" {
		text = DefaultAgreement[i]
	}
	var v agreementView
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			v.Paragraphs = append(v.Paragraphs, p)
		}
	}
	fee := t(lang, "agreement.none")
	if a.ReturnedPaymentFee > 0 {
		fee = openflex.FormatCAD(a.ReturnedPaymentFee, lang)
	}
	v.Figures = [][2]string{
		{t(lang, "agreement.rate"), finance.FormatPercent(a.PurchaseRate, lang)},
		{t(lang, "agreement.minimum"), sprintf(t(lang, "agreement.minimum_value"), finance.FormatPercent(a.MinimumPercent, lang), openflex.FormatCAD(a.MinimumFloor, lang))},
		{t(lang, "agreement.grace"), sprintf(t(lang, "agreement.grace_value"), a.DueDays)},
		{t(lang, "agreement.annual_fee"), t(lang, "agreement.none")},
		{t(lang, "agreement.returned_fee"), fee},
		{t(lang, "agreement.plans"), t(lang, "agreement.plans_value")},
	}
	return v
}

// DefaultAgreement is the agreement shown when the lender configured none:
// a plain-language revolving credit agreement, in English and French.
var DefaultAgreement = [2]string{
	`This agreement is between you and the lender named on your statements. It applies to the revolving credit account opened if your application is approved, and to every purchase you make on it.

Credit limit. We tell you your credit limit when we approve you. You may not go over it; purchases that would are refused.

Interest. Regular purchases are charged interest at the annual rate shown above, calculated daily and charged monthly, unless you pay your statement's full balance by its due date. A promotional plan (equal payments or deferred interest) has the rate, fees and dates disclosed when you choose it, and those govern that purchase.

Payments. Each month we send you a statement. You must pay at least the minimum payment by the due date. You may pay more, or the whole balance, at any time without penalty. Payments go first to fees and interest, then to what is due, then to the balance with the highest rate.

Missed payments. If a minimum payment is late, new purchases may be refused until it is paid, and a promotional plan may end, moving its balance to the regular rate. Accounts left unpaid may be closed and sent for collection.

Changes and cancellation. We tell you in writing at least 30 days before any change to rates or fees. You may close the account at any time by paying the balance. Your personal information is used to manage your account and as the privacy notice says.`,
	`La présente convention lie le prêteur nommé sur vos relevés et vous. Elle s’applique au compte de crédit renouvelable ouvert si votre demande est approuvée et à chaque achat que vous y portez.

Limite de crédit. Nous vous indiquons votre limite de crédit lors de l’approbation. Vous ne pouvez pas la dépasser; les achats qui la dépasseraient sont refusés.

Intérêts. Les achats réguliers portent intérêt au taux annuel indiqué ci-dessus, calculé chaque jour et porté au compte chaque mois, sauf si vous payez le solde complet de votre relevé au plus tard à la date d’échéance. Un plan promotionnel (versements égaux ou intérêts différés) a le taux, les frais et les dates divulgués lorsque vous le choisissez, et ceux-ci régissent cet achat.

Paiements. Chaque mois, nous vous envoyons un relevé. Vous devez payer au moins le paiement minimum au plus tard à la date d’échéance. Vous pouvez payer davantage, ou le solde complet, en tout temps et sans pénalité. Les paiements s’appliquent d’abord aux frais et aux intérêts, puis à ce qui est dû, puis au solde au taux le plus élevé.

Paiements manqués. Si un paiement minimum est en retard, les nouveaux achats peuvent être refusés jusqu’à son paiement, et un plan promotionnel peut prendre fin, son solde passant au taux régulier. Un compte laissé impayé peut être fermé et confié au recouvrement.

Modifications et résiliation. Nous vous avisons par écrit au moins 30 jours avant toute modification des taux ou des frais. Vous pouvez fermer le compte en tout temps en payant le solde. Vos renseignements personnels servent à gérer votre compte, comme l’indique l’avis de confidentialité.`,
}
