package customer

import (
	"fmt"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
)

// A reversed payment's message kind (a returned debit taken under a PAD
// agreement is told by package pad's debit_returned instead).
const MessagePaymentReversed = "payment_reversed"

// About is what every servicing message says of its account: where it is
// and who to call, in the account's language. The account number is
// always masked: a message may be read by anyone holding the phone.
type About struct {
	Lang   string // "en" or "fr"
	Number string // the full account number; only its last four digits are written
	// Pages is the address of the customer's own pages (their sign-in).
	Pages  string
	Lender servicing.Lender
}

func (a About) fr() bool { return finance.IsFrench(a.Lang) }

func (a About) masked() string {
	if len(a.Number) < 4 {
		return a.Number
	}
	return "•••• " + a.Number[len(a.Number)-4:]
}

func (a About) money(c int64) string {
	if a.fr() {
		return openflex.FormatCAD(c, "fr")
	}
	return openflex.FormatCAD(c, "en")
}

func (a About) date(d servicing.Date) string { return servicing.LongDate(d, a.Lang) }

// colon is ":" with French typography's no-break space before it.
func (a About) colon() string {
	if a.fr() {
		return "\u00a0:"
	}
	return ":"
}

// StatementReady tells the customer their statement is out: its new
// balance, minimum payment and due date, and where to read it.
func StatementReady(a About, periodEnd, due servicing.Date, closing, minimum int64) (subject, body string) {
	c := a.colon()
	if a.fr() {
		body = fmt.Sprintf("Le relevé de votre compte %s pour la période se terminant le %s est prêt. Nouveau solde%s %s.", a.masked(), a.date(periodEnd), c, a.money(closing))
		if minimum > 0 {
			body += fmt.Sprintf(" Paiement minimum%s %s, à payer au plus tard le %s.", c, a.money(minimum), a.date(due))
		} else {
			body += " Aucun paiement n’est requis ce mois-ci."
		}
		return "Votre relevé est prêt", body + fmt.Sprintf(" Consultez-le sur vos pages de compte%s %sstatements", c, a.Pages)
	}
	body = fmt.Sprintf("The statement of your account %s for the period ending %s is ready. New balance%s %s.", a.masked(), a.date(periodEnd), c, a.money(closing))
	if minimum > 0 {
		body += fmt.Sprintf(" Minimum payment%s %s, due by %s.", c, a.money(minimum), a.date(due))
	} else {
		body += " No payment is due this month."
	}
	return "Your statement is ready", body + fmt.Sprintf(" Read it on your account pages%s %sstatements", c, a.Pages)
}

// PaymentDue reminds the customer, days before the due date, of the part
// of their minimum payment still unpaid.
func PaymentDue(a About, due servicing.Date, minimum, remaining int64) (subject, body string) {
	c := a.colon()
	if a.fr() {
		body = fmt.Sprintf("Le paiement minimum de %s de votre compte %s est dû le %s.", a.money(minimum), a.masked(), a.date(due))
		if remaining != minimum {
			body += fmt.Sprintf(" Reste à payer%s %s.", c, a.money(remaining))
		}
		return "Paiement dû dans 5 jours", body + fmt.Sprintf(" Payez-le sur vos pages de compte%s %s — si vous venez de payer, merci et ne tenez pas compte de ce message.", c, a.Pages)
	}
	body = fmt.Sprintf("The minimum payment of %s on your account %s is due on %s.", a.money(minimum), a.masked(), a.date(due))
	if remaining != minimum {
		body += fmt.Sprintf(" Still to pay%s %s.", c, a.money(remaining))
	}
	return "Payment due in 5 days", body + fmt.Sprintf(" Pay it on your account pages%s %s — if you just paid, thank you, and please ignore this message.", c, a.Pages)
}

// PaymentReceived thanks the customer for a payment: its amount and day,
// and what the account owes after it.
func PaymentReceived(a About, on servicing.Date, amount, balance int64) (subject, body string) {
	if a.fr() {
		return "Paiement reçu", fmt.Sprintf("Nous avons reçu votre paiement de %s le %s pour le compte %s. Votre nouveau solde est de %s. Merci.",
			a.money(amount), a.date(on), a.masked(), a.money(balance))
	}
	return "Payment received", fmt.Sprintf("We received your payment of %s on %s for account %s. Your new balance is %s. Thank you.",
		a.money(amount), a.date(on), a.masked(), a.money(balance))
}

// PaymentReversed tells the customer a payment was undone: returned
// unpaid by their bank (with the fee charged, if any) or corrected, and
// what the account owes now.
func PaymentReversed(a About, paidOn servicing.Date, amount int64, returned bool, fee, balance int64) (subject, body string) {
	c := a.colon()
	if a.fr() {
		why := "il avait été enregistré par erreur"
		if returned {
			why = "votre banque ou votre institution l’a retourné impayé"
		}
		body = fmt.Sprintf("Votre paiement de %s du %s sur le compte %s a été annulé%s %s.", a.money(amount), a.date(paidOn), a.masked(), c, why)
		if fee > 0 {
			body += fmt.Sprintf(" Des frais de paiement refusé de %s s’appliquent.", a.money(fee))
		}
		return "Paiement annulé", body + fmt.Sprintf(" Votre solde est maintenant de %s. Pour garder votre compte en règle, payez sur vos pages de compte%s %s", a.money(balance), c, a.Pages)
	}
	why := "it had been recorded in error"
	if returned {
		why = "your bank returned it unpaid"
	}
	body = fmt.Sprintf("Your payment of %s of %s on account %s was reversed%s %s.", a.money(amount), a.date(paidOn), a.masked(), c, why)
	if fee > 0 {
		body += fmt.Sprintf(" A returned-payment fee of %s applies.", a.money(fee))
	}
	return "Payment reversed", body + fmt.Sprintf(" Your balance is now %s. To keep your account in good standing, pay on your account pages%s %s", a.money(balance), c, a.Pages)
}

// StatusChanged tells the customer their account's standing moved, in
// plain words, with what they can do about it. pastDue is what is past
// due (for auth_prohibited) and balance what is owed (for charged_off).
func StatusChanged(a About, from, to openflex.AccountStatus, pastDue, balance int64) (subject, body string) {
	change := statusChange(to)
	if to == openflex.AccountNormal && from == openflex.AccountFrozen {
		change = statusUnfrozen
	}
	t, ok := statusTexts[change]
	if !ok {
		t = statusTexts[statusOther]
	}
	text := t.en
	if a.fr() {
		text = t.fr
	}
	fill := strings.NewReplacer("{account}", a.masked(), "{lender}", a.Lender.Name, "{phone}", a.Lender.Phone, "{pages}", a.Pages,
		"{past_due}", a.money(pastDue), "{balance}", a.money(balance))
	return text.subject, fill.Replace(text.body)
}

// statusChange is which status message an account's move calls for: the
// status it moved to, but for a freeze lifted (to normal from frozen),
// which is not a past-due amount paid.
type statusChange string

const (
	statusUnfrozen statusChange = "unfrozen"
	statusOther    statusChange = ""
)

type statusText struct{ subject, body string }

// statusTexts are the status messages in English and French. A body names
// {account} (masked), {lender}, {phone}, {pages}, {past_due} and
// {balance}; French keeps its no-break space before ":" and "?".
var statusTexts = map[statusChange]struct{ en, fr statusText }{
	statusChange(openflex.AccountAuthProhibited): {
		statusText{"Purchases paused on your account", "A minimum payment on account {account} is past due: new purchases are paused. Pay the past-due amount of {past_due} and purchases resume by themselves. Questions? Call us at {phone}. Pay on your account pages: {pages}"},
		statusText{"Achats suspendus sur votre compte", "Un paiement minimum du compte {account} est en souffrance\u00a0: les nouveaux achats sont suspendus. Payez le montant en souffrance de {past_due} et les achats reprendront d’eux-mêmes. Des questions\u00a0? Appelez-nous au {phone}. Payez sur vos pages de compte\u00a0: {pages}"},
	},
	statusUnfrozen: {
		statusText{"Your account is unfrozen", "{lender} lifted the freeze on account {account}: you can make purchases again."},
		statusText{"Votre compte est dégelé", "{lender} a levé le gel du compte {account}\u00a0: vous pouvez de nouveau faire des achats."},
	},
	statusChange(openflex.AccountNormal): {
		statusText{"Your account is back in good standing", "Thank you: the past-due amount is paid. You can make purchases again with account {account}."},
		statusText{"Votre compte est de nouveau en règle", "Merci\u00a0: le montant en souffrance est payé. Vous pouvez de nouveau faire des achats avec le compte {account}."},
	},
	statusChange(openflex.AccountFrozen): {
		statusText{"Your account is frozen", "{lender} froze account {account}: no new purchases for now. Your payments are still due. To find out why, call us at {phone}."},
		statusText{"Votre compte est gelé", "{lender} a gelé le compte {account}\u00a0: aucun nouvel achat pour l’instant. Vos paiements restent dus. Pour en savoir plus, appelez-nous au {phone}."},
	},
	statusChange(openflex.AccountClosed): {
		statusText{"Your account is closed", "Account {account} is closed: no new purchases. Any balance is still to be paid as your statements show. Questions: call us at {phone}."},
		statusText{"Votre compte est fermé", "Le compte {account} est fermé\u00a0: aucun nouvel achat. Tout solde reste à payer comme l’indiquent vos relevés. Pour toute question, appelez-nous au {phone}."},
	},
	statusChange(openflex.AccountChargedOff): {
		statusText{"Your account was charged off", "Account {account} was charged off after months without payment: it is closed to purchases and the balance of {balance} is still owed. Call us at {phone} to arrange payment."},
		statusText{"Votre compte a été radié", "Le compte {account} a été radié après des mois sans paiement\u00a0: il est fermé aux achats et le solde de {balance} reste dû. Appelez-nous au {phone} pour convenir d’un paiement."},
	},
	statusOther: {
		statusText{"Your account's status changed", "The status of account {account} changed. See your account pages: {pages}"},
		statusText{"L’état de votre compte a changé", "L’état du compte {account} a changé. Consultez vos pages de compte\u00a0: {pages}"},
	},
}
