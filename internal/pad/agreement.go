// Package pad is customers' pre-authorized debit (PAD) agreements under
// Payments Canada Rule H1: the agreement text and what the customer chose,
// the written confirmation before the first debit, the notice before each
// variable debit, cancellation at any time, the debits each due date
// produces, and the bank's returned debits.
//
// The rules are pure; Service keeps agreements and debits through its
// Store port, takes the payments through the servicing engine (its
// Payments port) and writes and reads the bank's files with package
// cpa005. Nothing reads the wall clock: Now is injected.
package pad

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openflex/openflex"
)

// Choice is what the customer asked to be debited on each due date.
type Choice string

// The amounts a customer may choose.
const (
	// ChoiceMinimum debits the statement's minimum payment.
	ChoiceMinimum Choice = "minimum"
	// ChoiceStatement debits the statement's whole closing balance.
	ChoiceStatement Choice = "statement_balance"
	// ChoiceFixed debits a fixed amount (never more than the account owes).
	ChoiceFixed Choice = "fixed"
)

// Variable reports whether the amount changes from debit to debit, so that
// Rule H1 asks for a notice of each debit's amount and date beforehand.
func (c Choice) Variable() bool { return c != ChoiceFixed }

// Rule H1's periods, in calendar days.
const (
	// ConfirmationDays: the payor's written confirmation of the agreement
	// reaches them at least this long before the first debit. OpenFlex
	// never waives it.
	ConfirmationDays = 10
	// NoticeDays: a variable debit's amount and date are notified at least
	// this long before it is taken.
	NoticeDays = 10
)

// Agreement statuses.
const (
	Active    = "active"
	Cancelled = "cancelled"
)

// Agreement is one customer's PAD agreement for their account. Text is the
// agreement as the customer read and accepted it, kept verbatim.
type Agreement struct {
	ID            string
	AccountNumber string
	Choice        Choice
	FixedAmount   int64 // cents, ChoiceFixed only
	// Bank is the payor's bank account; HolderName the payor.
	Bank     openflex.BankAccount
	Language string
	Text     string
	Status   string
	AgreedAt time.Time
	// AgreedBy is "customer", or the staff member who took it by phone.
	AgreedBy string
	// ConfirmedAt is when the written confirmation was sent; FirstDebitOn
	// the first day a debit may be taken (YYYY-MM-DD), ConfirmationDays
	// after it.
	ConfirmedAt  time.Time
	FirstDebitOn string
	CancelledAt  time.Time
	CancelledBy  string
	CancelReason string
}

// Payee is the lender as the agreement names it.
type Payee struct {
	Name    string
	Phone   string
	Email   string
	Address string
}

// EnrolRequest is a customer's (or an agent's, on their behalf) request to
// set up automatic payments.
type EnrolRequest struct {
	AccountNumber string
	Choice        Choice
	FixedAmount   int64
	Bank          openflex.BankAccount
	Language      string
	// Accepted is the customer's ticked acceptance of the agreement text.
	Accepted bool
	By       string
}

// Validate reports every field problem of r at once.
func (r *EnrolRequest) Validate() error {
	var p openflex.Problems
	if !openflex.ValidAccountNumber(r.AccountNumber) {
		p.Invalid("account_number", "account_number must be 14 digits with a valid check digit")
	}
	switch r.Choice {
	case ChoiceMinimum, ChoiceStatement:
		if r.FixedAmount != 0 {
			p.Invalid("fixed_amount", "fixed_amount is only for a fixed choice")
		}
	case ChoiceFixed:
		p.Add(openflex.CheckAmount("fixed_amount", r.FixedAmount, false))
	case "":
		p.Missing("choice")
	default:
		p.Invalid("choice", "choice must be minimum, statement_balance or fixed")
	}
	if err := r.Bank.Validate(); err != nil {
		var e *openflex.Error
		if errors.As(err, &e) {
			for _, fe := range e.Fields {
				fe.Param = "bank." + fe.Param
				p.Add(&fe)
			}
		}
	}
	if !r.Accepted {
		p.Invalid("accepted", "the pre-authorized debit agreement must be accepted")
	}
	if r.Language != "en" && r.Language != "fr" {
		p.Invalid("language", "language must be en or fr")
	}
	return p.Err()
}

// FirstDebitOn is the first day a debit may be taken under an agreement
// confirmed on day (YYYY-MM-DD).
func FirstDebitOn(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic("pad: not a date: " + day)
	}
	return d.AddDate(0, 0, ConfirmationDays).Format(time.DateOnly)
}

// Amount is what to debit on a due date: the choice applied to the
// statement (its minimum, or its closing balance), less what was already
// paid since it, and never more than the account owes today (owed). Zero
// means there is nothing to debit.
func Amount(c Choice, fixed, minimum, closing, paidSince, owed int64) int64 {
	var a int64
	switch c {
	case ChoiceMinimum:
		a = minimum - paidSince
	case ChoiceStatement:
		a = closing - paidSince
	case ChoiceFixed:
		a = fixed
	}
	return max(0, min(a, owed))
}

// ChoiceText names a choice in a language, for the agreement and messages.
func ChoiceText(lang string, c Choice, fixed int64) string {
	fr := lang == "fr"
	switch c {
	case ChoiceMinimum:
		if fr {
			return "le paiement minimum de chaque relevé"
		}
		return "the minimum payment of each statement"
	case ChoiceStatement:
		if fr {
			return "le solde complet de chaque relevé"
		}
		return "the full balance of each statement"
	}
	if fr {
		return "un montant fixe de " + Money("fr", fixed) + " (jamais plus que le solde dû)"
	}
	return "a fixed amount of " + Money("en", fixed) + " (never more than the balance owing)"
}

// Money writes cents as the language writes dollars: $1,234.56 or 1 234,56 $.
func Money(lang string, cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole, frac := fmt.Sprint(cents/100), fmt.Sprintf("%02d", cents%100)
	sep, dec := ",", "."
	if lang == "fr" {
		sep, dec = "\u00a0", ","
	}
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	out := b.String() + dec + frac
	if lang == "fr" {
		out += "\u00a0$"
	} else {
		out = "$" + out
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Text is the agreement a customer reads before accepting, with what Rule
// H1 requires: the parties, the authority to debit, a personal PAD, the
// amount and its timing (and the notice of variable amounts), the written
// confirmation before the first debit, how to cancel, and the recourse
// rights statement. agreedOn is the day it is accepted.
func Text(lang string, p Payee, r EnrolRequest, payor, agreedOn string) string {
	acct := r.Bank.Masked()
	if lang == "fr" {
		return strings.Join([]string{
			"Accord de débit préautorisé (DPA) — personnel",
			fmt.Sprintf("Payeur\u00a0: %s, compte bancaire %s. Bénéficiaire\u00a0: %s, %s, %s, %s.", payor, acct, p.Name, p.Address, p.Phone, p.Email),
			fmt.Sprintf("Vous autorisez %s et l’institution financière qu’il désigne à débiter ce compte bancaire pour les paiements de votre compte OpenFlex %s.", p.Name, maskNumber(r.AccountNumber)),
			fmt.Sprintf("Montant et date\u00a0: %s, débité à la date d’échéance de chaque relevé (le jour ouvrable suivant si elle tombe un jour férié ou une fin de semaine).", ChoiceText("fr", r.Choice, r.FixedAmount)),
			fmt.Sprintf("Lorsque le montant varie, nous vous avisons du montant et de la date de chaque débit au moins %d jours civils à l’avance, avec votre relevé.", NoticeDays),
			fmt.Sprintf("Nous vous envoyons une confirmation écrite du présent accord au moins %d jours civils avant le premier débit.", ConfirmationDays),
			"Vous pouvez annuler cet accord en tout temps, sur votre page de compte (Paiements automatiques) ou en nous appelant\u00a0; un débit déjà transmis à la banque ne peut plus être arrêté. Pour un modèle de formulaire d’annulation ou plus d’information sur votre droit d’annuler un accord de DPA, communiquez avec votre institution financière ou visitez www.paiements.ca.",
			"Vous avez certains droits de recours si un débit n’est pas conforme au présent accord. Par exemple, vous avez le droit de recevoir le remboursement de tout débit non autorisé ou non conforme au présent accord de DPA. Pour obtenir plus d’information sur vos droits de recours, communiquez avec votre institution financière ou visitez www.paiements.ca.",
			fmt.Sprintf("Accepté électroniquement par %s le %s.", payor, agreedOn),
		}, "\n\n")
	}
	return strings.Join([]string{
		"Pre-authorized debit (PAD) agreement — personal",
		fmt.Sprintf("Payor: %s, bank account %s. Payee: %s, %s, %s, %s.", payor, acct, p.Name, p.Address, p.Phone, p.Email),
		fmt.Sprintf("You authorize %s and the financial institution it designates to debit this bank account for payments towards your OpenFlex account %s.", p.Name, maskNumber(r.AccountNumber)),
		fmt.Sprintf("Amount and timing: %s, debited on each statement's due date (the next business day when it falls on a weekend or holiday).", ChoiceText("en", r.Choice, r.FixedAmount)),
		fmt.Sprintf("When the amount varies, we tell you each debit's amount and date at least %d calendar days before it, with your statement.", NoticeDays),
		fmt.Sprintf("We send you a written confirmation of this agreement at least %d calendar days before the first debit.", ConfirmationDays),
		"You may cancel this agreement at any time, on your account pages (Automatic payments) or by calling us; a debit already sent to the bank can no longer be stopped. To obtain a sample cancellation form, or more information on your right to cancel a PAD agreement, contact your financial institution or visit www.payments.ca.",
		"You have certain recourse rights if any debit does not comply with this agreement. For example, you have the right to receive reimbursement for any debit that is not authorized or is not consistent with this PAD Agreement. To obtain more information on your recourse rights, contact your financial institution or visit www.payments.ca.",
		fmt.Sprintf("Accepted electronically by %s on %s.", payor, agreedOn),
	}, "\n\n")
}

// Confirmation is the written confirmation Rule H1 asks for: the agreement
// itself and the first day a debit may be taken.
func Confirmation(lang string, a *Agreement) (subject, body string) {
	if lang == "fr" {
		return "Confirmation de votre accord de débit préautorisé",
			fmt.Sprintf("Voici la confirmation de votre accord de débit préautorisé. Aucun débit n’aura lieu avant le %s.\n\n%s", a.FirstDebitOn, a.Text)
	}
	return "Confirmation of your pre-authorized debit agreement",
		fmt.Sprintf("This confirms your pre-authorized debit agreement. No debit will be taken before %s.\n\n%s", a.FirstDebitOn, a.Text)
}

// Notice is the notice of one debit's amount and date.
func Notice(lang string, d *Debit, bank string) (subject, body string) {
	if lang == "fr" {
		return "Votre prochain débit préautorisé",
			fmt.Sprintf("Le %s, nous débiterons %s de votre compte bancaire %s pour votre compte OpenFlex, selon votre accord de débit préautorisé. Vous pouvez l’annuler sur votre page de compte.", d.DueOn, Money("fr", d.Amount), bank)
	}
	return "Your next pre-authorized debit",
		fmt.Sprintf("On %s we will debit %s from your bank account %s for your OpenFlex account, under your pre-authorized debit agreement. You can cancel it on your account pages.", d.DueOn, Money("en", d.Amount), bank)
}

// Returned is the message telling a customer a debit came back unpaid.
func Returned(lang string, d *Debit, fee int64) (subject, body string) {
	if lang == "fr" {
		b := fmt.Sprintf("Votre banque a retourné le débit de %s du %s. Le paiement a été annulé", Money("fr", d.Amount), d.DueOn)
		if fee > 0 {
			b += fmt.Sprintf(" et des frais de %s s’appliquent", Money("fr", fee))
		}
		return "Débit retourné", b + ". Veuillez payer sur votre page de compte pour garder votre compte en règle."
	}
	b := fmt.Sprintf("Your bank returned the debit of %s on %s. The payment was reversed", Money("en", d.Amount), d.DueOn)
	if fee > 0 {
		b += fmt.Sprintf(" and a fee of %s applies", Money("en", fee))
	}
	return "Debit returned", b + ". Please pay on your account pages to keep your account in good standing."
}

func maskNumber(n string) string {
	if len(n) < 4 {
		return n
	}
	return "•••• " + n[len(n)-4:]
}
