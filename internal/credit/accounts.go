package credit

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/openflex/openflex"
)

// openAccount opens a credit line with a fresh 14-digit Luhn number.
func (s *Service) openAccount(ctx context.Context, cust *openflex.Customer, limit int64, risk openflex.RiskCategory) (*openflex.Account, error) {
	for range 10 {
		acct := &openflex.Account{
			Number: NewAccountNumber(), CustomerID: cust.ID, Status: openflex.AccountNormal, CreditLimit: limit,
			Currency: openflex.CAD, RiskCategory: risk, Province: cust.Applicant.Address.Province, Language: cust.Language,
			FirstName: cust.Applicant.FirstName, LastName: cust.Applicant.LastName, Created: s.now(),
		}
		err := s.Store.CreateAccount(ctx, acct)
		if err == nil {
			return acct, nil
		}
		if openflex.ErrorCode(err) != openflex.CodeConflict {
			return nil, err
		}
	}
	return nil, errors.New("credit: could not draw a free account number")
}

// NewAccountNumber draws 13 random digits and appends the Luhn check digit.
// The first digit is never 0, so numbers keep 14 digits in any system.
func NewAccountNumber() string {
	var b strings.Builder
	for i := 0; i < 13; i++ {
		lo := int64(0)
		if i == 0 {
			lo = 1
		}
		n, err := rand.Int(rand.Reader, big.NewInt(10-lo))
		if err != nil {
			panic("credit: crypto/rand failed: " + err.Error())
		}
		b.WriteByte(byte('0' + lo + n.Int64()))
	}
	payload := b.String()
	return payload + string(openflex.LuhnCheckDigit(payload))
}

// Account returns an account by number. Accounts are the customer's, not a
// merchant's: any merchant of the environment may look one up by number, as
// at any till that takes the card.
func (s *Service) Account(ctx context.Context, number string) (*openflex.Account, error) {
	if !openflex.ValidAccountNumber(number) {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "account_number", Message: "account_number must be 14 digits with a valid check digit"}
	}
	return s.Store.Account(ctx, number)
}

// Search finds accounts by exact first name, last name and date of birth,
// and postal code when given.
func (s *Service) Search(ctx context.Context, first, last, dob, postal string) ([]*openflex.Account, error) {
	var probs openflex.Problems
	if strings.TrimSpace(first) == "" {
		probs.Missing("first_name")
	}
	if strings.TrimSpace(last) == "" {
		probs.Missing("last_name")
	}
	if dob == "" {
		probs.Missing("date_of_birth")
	} else if _, err := time.Parse(time.DateOnly, dob); err != nil {
		probs.Invalid("date_of_birth", "date_of_birth must be a date, YYYY-MM-DD")
	}
	if postal != "" {
		if canon, ok := parsePostalCode(strings.ToUpper(strings.TrimSpace(postal))); ok {
			postal = canon
		} else {
			probs.Invalid("postal_code", "postal_code must be a Canadian postal code such as M5V 2T6")
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return s.Store.AccountsByIdentity(ctx, first, last, dob, postal)
}
