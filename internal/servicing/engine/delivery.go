package engine

import (
	"context"
	"strings"
	"time"

	"github.com/openflex/openflex"
)

// StatementDelivery is how an account's statements reach the customer:
// electronically (on their pages, with a message when one is ready) only
// with their consent, else on paper by mail. Each choice is kept with the
// wording shown, so the lender can show what was consented to, and when.
type StatementDelivery struct {
	ID            string
	AccountNumber string
	Electronic    bool
	// Wording is the text the customer consented to, or the withdrawal's.
	Wording  string
	Language string
	// ChosenBy is "customer", a staff member, or "default" for an account
	// that never chose (not stored).
	ChosenBy string
	Created  time.Time
}

// DeliveryStore keeps the statement delivery choices.
type DeliveryStore interface {
	AddStatementDelivery(ctx context.Context, d *StatementDelivery) error
	// StatementDeliveries lists an account's choices, newest first.
	StatementDeliveries(ctx context.Context, number string) ([]*StatementDelivery, error)
}

// EStatementConsent is the consent to electronic statements a customer
// gives, and EStatementWithdrawal its withdrawal, in their language.
func EStatementConsent(lang string) string {
	if lang == "fr" {
		return strings.Join([]string{
			"Je consens à recevoir mes relevés de compte OpenFlex sous forme électronique plutôt que sur papier.",
			"Chaque relevé sera disponible sur ma page de compte (à l’écran et en PDF), et un avis me sera envoyé par courriel ou texto quand il est prêt.",
			"Je peux retirer ce consentement en tout temps sur la page Relevés\u00a0; je recevrai alors mes relevés par la poste, sans frais.",
		}, " ")
	}
	return strings.Join([]string{
		"I consent to receive my OpenFlex account statements electronically instead of on paper.",
		"Each statement will be available on my account pages (on screen and as a PDF), and I will be sent a notice by email or text when it is ready.",
		"I may withdraw this consent at any time on the Statements page; my statements will then come by mail, at no charge.",
	}, " ")
}

// EStatementWithdrawal is the text recorded when the customer withdraws
// their consent.
func EStatementWithdrawal(lang string) string {
	if lang == "fr" {
		return "Je retire mon consentement aux relevés électroniques\u00a0: envoyez-moi mes relevés par la poste."
	}
	return "I withdraw my consent to electronic statements: send my statements by mail."
}

// StatementDelivery returns how number's statements are delivered: its
// latest choice, or paper by mail ("default") when it never consented to
// electronic statements.
//
// Errors: resource_missing for an unknown account.
func (s *Service) StatementDelivery(ctx context.Context, number string) (*StatementDelivery, error) {
	if _, err := s.Store.Account(ctx, number); err != nil {
		return nil, err
	}
	list, err := s.Store.StatementDeliveries(ctx, number)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return &StatementDelivery{AccountNumber: number, ChosenBy: "default"}, nil
	}
	return list[0], nil
}

// SetStatementDelivery records a customer's consent to electronic
// statements (electronic) or its withdrawal, with the wording shown in
// lang, by whom (the customer, or the staff member who took it). The same
// choice again records nothing new.
//
// Errors: resource_missing for an unknown account; parameter_invalid for
// a language other than en or fr.
func (s *Service) SetStatementDelivery(ctx context.Context, number string, electronic bool, lang, by string) (*StatementDelivery, error) {
	if lang != "en" && lang != "fr" {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "language", Message: "language must be en or fr"}
	}
	cur, err := s.StatementDelivery(ctx, number)
	if err != nil {
		return nil, err
	}
	if cur.Electronic == electronic && cur.ChosenBy != "default" {
		return cur, nil
	}
	// Dated by the account's clock: on a TRAINING test clock the choice
	// belongs to the clock's day, as the account's statements do.
	at, err := s.AccountTime(ctx, number)
	if err != nil {
		return nil, err
	}
	d := &StatementDelivery{ID: openflex.NewID("sdl"), AccountNumber: number, Electronic: electronic, Language: lang, ChosenBy: by, Created: at}
	if electronic {
		d.Wording = EStatementConsent(lang)
	} else {
		d.Wording = EStatementWithdrawal(lang)
	}
	if err := s.Store.AddStatementDelivery(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}
