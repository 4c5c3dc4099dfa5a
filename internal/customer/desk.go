package customer

import "fmt"

// Message kinds of the lender's account desk.
const (
	MessageLimitChanged = "limit_changed"
	MessageChargeWaived = "charge_waived"
)

// LimitChanged tells the customer their credit limit changed, from what
// to what.
func LimitChanged(a About, previous, limit int64) (subject, body string) {
	c := a.colon()
	if a.fr() {
		return "Votre limite de crédit a changé", fmt.Sprintf("La limite de crédit de votre compte %s passe de %s à %s. Votre crédit disponible en tient compte dès maintenant%s %s",
			a.masked(), a.money(previous), a.money(limit), c, a.Pages)
	}
	return "Your credit limit has changed", fmt.Sprintf("The credit limit of your account %s is now %s (it was %s). Your available credit reflects it now%s %s",
		a.masked(), a.money(limit), a.money(previous), c, a.Pages)
}

// ChargeWaived tells the customer a fee or interest charge (kind "fee"
// or "interest") was waived, all or part of it.
func ChargeWaived(a About, kind string, amount int64) (subject, body string) {
	c := a.colon()
	if a.fr() {
		what := "de frais"
		if kind == "interest" {
			what = "d’intérêts"
		}
		return "Un crédit sur votre compte", fmt.Sprintf("Nous avons annulé %s %s imputés à votre compte %s. Le crédit figure dans vos opérations et sur votre prochain relevé%s %s",
			a.money(amount), what, a.masked(), c, a.Pages)
	}
	what := "fees"
	if kind == "interest" {
		what = "interest"
	}
	return "A credit on your account", fmt.Sprintf("We waived %s of %s charged to your account %s. The credit shows in your transactions and on your next statement%s %s",
		a.money(amount), what, a.masked(), c, a.Pages)
}
