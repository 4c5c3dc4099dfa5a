package pad

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/cpa005"
)

// One-time payment statuses, beside the debits' (DebitScheduled, DebitSent,
// DebitReturned, DebitSkipped).
const (
	// OneTimeCancelled: the customer cancelled it before it was sent.
	OneTimeCancelled = "cancelled"
)

// OneTimePrefix starts a one-time payment's id.
const OneTimePrefix = "pot"

// MessageOneTime is the confirmation of a one-time payment's
// authorization, and MessageOneTimeCancelled of its cancellation.
const (
	MessageOneTime          = "pad_one_time"
	MessageOneTimeCancelled = "pad_one_time_cancelled"
	// MessageOneTimeSkipped: the debit file could not take it (Note says
	// why); nothing was debited.
	MessageOneTimeSkipped = "pad_one_time_skipped"
)

// NotTaken is the message telling a customer their one-time payment was
// not taken.
func NotTaken(lang string, o *OneTime) (subject, body string) {
	if lang == "fr" {
		return "Paiement ponctuel non effectué", fmt.Sprintf("Votre paiement ponctuel de %s du %s n’a pas pu être effectué\u00a0: rien n’a été débité. Veuillez payer autrement ou le prévoir de nouveau sur votre page de compte.",
			Money("fr", o.Amount), o.DebitOn)
	}
	return "One-time payment not taken", fmt.Sprintf("Your one-time payment of %s on %s could not be taken: nothing was debited. Please pay another way, or schedule it again on your account pages.",
		Money("en", o.Amount), o.DebitOn)
}

// OneTime is a one-time payment from a bank account: under Rule H1 a
// sporadic pre-authorized debit, authorized by its own text for this one
// debit and ended by it. The day's debit file takes it on DebitOn; until
// then the customer may cancel it.
type OneTime struct {
	ID string
	// Reference is its cross reference in the debit file (see Debit).
	Reference     string
	AccountNumber string
	// Key is the idempotency key it was asked with (the form's token).
	Key     string
	Amount  int64
	DebitOn string // YYYY-MM-DD
	// PlanID directs the payment at a plan (paying it off early); "" pays
	// the account in the allocation order.
	PlanID string
	// AgreementID names the PAD agreement whose bank account on file it
	// uses; "" when the customer gave one for this payment.
	AgreementID  string
	Bank         openflex.BankAccount
	Language     string
	Text         string
	Status       string
	AuthorizedAt time.Time
	AuthorizedBy string
	FileNumber   int
	PaymentID    string
	Note         string
	Updated      time.Time
}

// OneTimeRequest asks for a one-time payment.
type OneTimeRequest struct {
	AccountNumber string
	Amount        int64
	DebitOn       string
	// Earliest and Latest bound DebitOn: the account's day, and the
	// statement's due date or the payoff's day (at most 60 days on).
	Earliest, Latest string
	PlanID           string
	// OnFile takes the bank account of the active agreement; else Bank.
	OnFile   bool
	Bank     openflex.BankAccount
	Language string
	// Accepted is the customer's ticked acceptance of the authorization.
	Accepted bool
	Key      string
	By       string
}

// Validate reports every field problem of r at once.
func (r *OneTimeRequest) Validate() error {
	var p openflex.Problems
	if !openflex.ValidAccountNumber(r.AccountNumber) {
		p.Invalid("account_number", "account_number must be 14 digits with a valid check digit")
	}
	p.Add(openflex.CheckAmount("amount", r.Amount, false))
	if _, err := time.Parse(time.DateOnly, r.DebitOn); err != nil {
		p.Invalid("debit_on", "debit_on must be a date, YYYY-MM-DD")
	} else if r.DebitOn < r.Earliest || r.Latest != "" && r.DebitOn > r.Latest {
		p.Invalid("debit_on", "debit_on must be from %s to %s", r.Earliest, r.Latest)
	}
	if !r.OnFile {
		if err := r.Bank.Validate(); err != nil {
			var e *openflex.Error
			if errors.As(err, &e) {
				for _, fe := range e.Fields {
					fe.Param = "bank." + fe.Param
					p.Add(&fe)
				}
			}
		}
	}
	if !r.Accepted {
		p.Invalid("accepted", "the one-time debit must be authorized")
	}
	if r.Language != "en" && r.Language != "fr" {
		p.Invalid("language", "language must be en or fr")
	}
	if r.Key == "" || len(r.Key) > 100 {
		p.Invalid("key", "an idempotency key of 1 to 100 characters is required")
	}
	return p.Err()
}

// OneTimeText is a one-time debit's authorization: a personal sporadic
// PAD for this one amount and day, what ends it, how to cancel it before
// it is sent, and the recourse rights statement Rule H1 asks for.
func OneTimeText(lang string, p Payee, payor, bank, number string, amount int64, debitOn, agreedOn string) string {
	if lang == "fr" {
		return strings.Join([]string{
			"Autorisation de débit préautorisé ponctuel (DPA) — personnel",
			fmt.Sprintf("Vous autorisez %s (%s, %s) à débiter une seule fois votre compte bancaire %s de %s le %s, pour un paiement de votre compte OpenFlex %s.", p.Name, p.Phone, p.Email, bank, Money("fr", amount), debitOn, maskNumber(number)),
			"Cette autorisation vaut pour ce seul paiement et prend fin une fois le débit effectué. Vous pouvez l’annuler sur votre page de compte jusqu’à sa transmission à la banque.",
			"Vous avez certains droits de recours si un débit n’est pas conforme à la présente autorisation. Par exemple, vous avez le droit de recevoir le remboursement de tout débit non autorisé ou non conforme. Pour plus d’information, communiquez avec votre institution financière ou visitez www.paiements.ca.",
			fmt.Sprintf("Autorisé électroniquement par %s le %s.", payor, agreedOn),
		}, "\n\n")
	}
	return strings.Join([]string{
		"One-time pre-authorized debit (sporadic PAD) authorization — personal",
		fmt.Sprintf("You authorize %s (%s, %s) to debit your bank account %s once, for %s on %s, as a payment towards your OpenFlex account %s.", p.Name, p.Phone, p.Email, bank, Money("en", amount), debitOn, maskNumber(number)),
		"This authorization is for this payment only and ends once it is debited. You may cancel it on your account pages until it is sent to the bank.",
		"You have certain recourse rights if any debit does not comply with this authorization. For example, you have the right to receive reimbursement for any debit that is not authorized or is not consistent with it. For more information, contact your financial institution or visit www.payments.ca.",
		fmt.Sprintf("Authorized electronically by %s on %s.", payor, agreedOn),
	}, "\n\n")
}

// OneTimePayment schedules a one-time payment and sends its written
// confirmation. The same key again returns the payment it made (a double
// submit, a refresh): never a second one.
//
// Errors: the request's field errors; parameter_invalid (param "key")
// for a key that made a payment of another amount, day or plan; parameter_invalid (param "bank")
// for OnFile without an active agreement; resource_missing;
// account_status_invalid for a closed account with nothing owed.
func (s *Service) OneTimePayment(ctx context.Context, r OneTimeRequest) (*OneTime, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if prev, err := s.Store.OneTimeByKey(ctx, r.AccountNumber, r.Key); err != nil || prev != nil {
		if prev != nil && (prev.Amount != r.Amount || prev.DebitOn != r.DebitOn || prev.PlanID != r.PlanID) {
			// The key stands for the payment it made: another payment under
			// it (a form changed after it was sent) is refused, not merged.
			return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "key", Message: "this form already made another payment: start again",
				Fields: []openflex.FieldError{{Code: openflex.CodeParameterInvalid, Param: "key", Message: "key already used for another payment"}}}
		}
		return prev, err
	}
	acct, err := s.Accounts.Account(ctx, r.AccountNumber)
	if err != nil {
		return nil, err
	}
	if acct.Status == openflex.AccountClosed && acct.Owed() <= 0 {
		return nil, &openflex.Error{Code: openflex.CodeAccountStatusInvalid, Message: "a closed account with nothing owed takes no payment"}
	}
	now := s.now()
	by := r.By
	if by == "" {
		by = "customer"
	}
	o := &OneTime{ID: openflex.NewID(OneTimePrefix), AccountNumber: r.AccountNumber, Key: r.Key, Amount: r.Amount, DebitOn: r.DebitOn,
		PlanID: r.PlanID, Bank: r.Bank, Language: r.Language, Status: DebitScheduled, AuthorizedAt: now, AuthorizedBy: by, Updated: now}
	o.Reference = reference(o.ID)
	if r.OnFile {
		a, err := s.Store.ActiveAgreement(ctx, r.AccountNumber)
		if err != nil {
			return nil, err
		}
		if a == nil {
			return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "bank", Message: "there is no bank account on file: enter one",
				Fields: []openflex.FieldError{{Code: openflex.CodeParameterInvalid, Param: "bank", Message: "no bank account on file"}}}
		}
		o.AgreementID, o.Bank = a.ID, a.Bank
	}
	o.Text = OneTimeText(r.Language, s.Payee, o.Bank.HolderName, o.Bank.Masked(), r.AccountNumber, r.Amount, r.DebitOn, now.Format(time.DateOnly))
	stored, err := s.Store.CreateOneTime(ctx, o)
	if err != nil {
		return nil, err
	}
	if stored != o { // the same key, in a race: the first one stands
		return stored, nil
	}
	subject, body := "Your one-time payment", fmt.Sprintf("We will debit %s from your bank account %s on %s. You can cancel it on your account pages until it is sent to the bank.\n\n%s",
		Money("en", o.Amount), o.Bank.Masked(), o.DebitOn, o.Text)
	if o.Language == "fr" {
		subject, body = "Votre paiement ponctuel", fmt.Sprintf("Nous débiterons %s de votre compte bancaire %s le %s. Vous pouvez l’annuler sur votre page de compte jusqu’à sa transmission à la banque.\n\n%s",
			Money("fr", o.Amount), o.Bank.Masked(), o.DebitOn, o.Text)
	}
	if err := s.Messenger.Tell(ctx, o.AccountNumber, MessageOneTime, subject, body); err != nil {
		s.log().Error("one-time payment confirmation not sent", "payment", o.ID, "err", err)
	}
	return o, nil
}

// CancelOneTime cancels an account's one-time payment not yet sent to the
// bank, and tells the customer.
//
// Errors: resource_missing (also for another account's);
// parameter_invalid when it was already sent or cancelled.
func (s *Service) CancelOneTime(ctx context.Context, number, id, by string) (*OneTime, error) {
	var o *OneTime
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		var err error
		if o, err = s.Store.OneTimePayment(ctx, id); err != nil {
			return err
		}
		if o.AccountNumber != number {
			return openflex.NotFound("one-time payment", id)
		}
		if o.Status != DebitScheduled {
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "payment", Message: fmt.Sprintf("one-time payment %s is %s: only a payment not yet sent to the bank can be cancelled", id, o.Status)}
		}
		o.Status, o.Note, o.Updated = OneTimeCancelled, "cancelled by "+by, s.now()
		moved, err := s.Store.MoveOneTime(ctx, o, DebitScheduled)
		if err == nil && !moved { // the debit file claimed it meanwhile
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "payment", Message: fmt.Sprintf("one-time payment %s was sent to the bank: it can no longer be cancelled", id)}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	subject, body := "One-time payment cancelled", fmt.Sprintf("Your one-time payment of %s on %s is cancelled: nothing will be debited.", Money("en", o.Amount), o.DebitOn)
	if o.Language == "fr" {
		subject, body = "Paiement ponctuel annulé", fmt.Sprintf("Votre paiement ponctuel de %s du %s est annulé\u00a0: rien ne sera débité.", Money("fr", o.Amount), o.DebitOn)
	}
	if err := s.Messenger.Tell(ctx, number, MessageOneTimeCancelled, subject, body); err != nil {
		s.log().Error("one-time payment cancellation notice not sent", "payment", o.ID, "err", err)
	}
	return o, nil
}

// takeOneTime applies a claimed one-time payment through the engine
// (directed at its plan) and returns its file item.
func (s *Service) takeOneTime(ctx context.Context, o *OneTime, now time.Time) (cpa005.Transfer, error) {
	t := cpa005.Transfer{Amount: o.Amount, DueDate: mustDay(o.DebitOn), Account: o.Bank, Name: o.Bank.HolderName,
		CrossReference: o.Reference, Sundry: o.AccountNumber[len(o.AccountNumber)-8:]}
	if p := t.Problem(); p != "" {
		return cpa005.Transfer{}, fmt.Errorf("%s", p)
	}
	id, err := s.Payments.PayDebitTo(ctx, o.AccountNumber, o.Amount, o.ID, o.PlanID)
	if err != nil {
		return cpa005.Transfer{}, err
	}
	o.PaymentID, o.Updated = id, now
	return t, s.Store.UpdateOneTime(ctx, o)
}

// returnOneTime is Return for a one-time payment.
func (s *Service) returnOneTime(ctx context.Context, id, by, reason string) (int64, error) {
	o, err := s.Store.OneTimePayment(ctx, id)
	if err != nil {
		return 0, err
	}
	if o.Status != DebitSent || o.PaymentID == "" {
		return 0, openflex.Errorf(openflex.CodeDebitNotReturnable, "one-time payment %s is %s: only a debit sent to the bank can be returned", o.ID, o.Status)
	}
	fee, err := s.Payments.ReturnDebit(ctx, o.PaymentID, reason)
	if err != nil {
		return 0, err
	}
	o.Status, o.Note, o.Updated = DebitReturned, reason+" — "+by, s.now()
	if err := s.Store.UpdateOneTime(ctx, o); err != nil {
		return 0, err
	}
	subject, body := Returned(o.Language, &Debit{Amount: o.Amount, DueOn: o.DebitOn}, fee)
	if err := s.Messenger.Tell(ctx, o.AccountNumber, MessageReturned, subject, body); err != nil {
		s.log().Error("debit returned notice not sent", "payment", o.ID, "err", err)
	}
	return fee, nil
}
