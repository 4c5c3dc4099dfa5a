package customer

import "github.com/openflex/openflex"

// Message kinds of the lender's account desk.
const (
	MessageLimitChanged = "limit_changed"
	MessageChargeWaived = "charge_waived"
)

// LimitChanged is the message telling a customer their credit limit
// changed, in their language.
func LimitChanged(lang string, previous, limit int64) (subject, body string) {
	if lang == "fr" {
		return "Votre limite de crédit a changé",
			"La limite de crédit de votre compte OpenFlex passe de " + openflex.FormatCAD(previous, "fr") + " à " + openflex.FormatCAD(limit, "fr") +
				". Votre crédit disponible en tient compte dès maintenant. Des questions\u00a0? Appelez-nous."
	}
	return "Your credit limit has changed",
		"The credit limit of your OpenFlex account is now " + openflex.FormatCAD(limit, "en") + " (it was " + openflex.FormatCAD(previous, "en") +
			"). Your available credit reflects it now. Questions? Call us."
}

// ChargeWaived is the message telling a customer a fee or interest
// charge was waived (kind "fee" or "interest"), in their language.
func ChargeWaived(lang, kind string, amount int64) (subject, body string) {
	if lang == "fr" {
		what := "des frais"
		if kind == "interest" {
			what = "des intérêts"
		}
		return "Un crédit sur votre compte",
			"Nous avons annulé " + openflex.FormatCAD(amount, "fr") + " " + what + " imputés à votre compte OpenFlex. Le crédit figure dans vos opérations et sur votre prochain relevé."
	}
	what := "fees"
	if kind == "interest" {
		what = "interest"
	}
	return "A credit on your account",
		"We waived " + openflex.FormatCAD(amount, "en") + " of " + what + " charged to your OpenFlex account. The credit shows in your transactions and on your next statement."
}
