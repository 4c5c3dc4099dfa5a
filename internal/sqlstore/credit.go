package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openflex/openflex"
)

// ErrDuplicate reports a unique-key collision the caller can retry with a
// new value (a freshly drawn account number).
var ErrDuplicate = errors.New("sqlstore: duplicate key")

// sealedPII is what a customer's pii column holds, sealed.
type sealedPII struct {
	MiddleName         string           `json:"middle_name,omitempty"`
	DateOfBirth        string           `json:"date_of_birth"`
	Email              string           `json:"email"`
	Phone              string           `json:"phone"`
	Address            openflex.Address `json:"address"`
	AnnualIncome       int64            `json:"annual_income"`
	EmploymentStatus   string           `json:"employment_status"`
	HousingStatus      string           `json:"housing_status"`
	MonthlyHousingCost int64            `json:"monthly_housing_cost"`
	SIN                string           `json:"sin,omitempty"`
}

func (db *DB) identity(first, last, dob string) []byte { return db.Vault.Index(first, last, dob) }

// CreateCustomer stores c, sealing its personal data.
func (db *DB) CreateCustomer(ctx context.Context, c *openflex.Customer) error {
	a := c.Applicant
	plain, err := json.Marshal(sealedPII{MiddleName: a.MiddleName, DateOfBirth: a.DateOfBirth, Email: a.Email, Phone: a.Phone,
		Address: a.Address, AnnualIncome: a.AnnualIncome, EmploymentStatus: a.EmploymentStatus, HousingStatus: a.HousingStatus,
		MonthlyHousingCost: a.MonthlyHousingCost, SIN: a.SIN})
	if err != nil {
		return err
	}
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO customers (id, first_name, last_name, province, language, identity_hash, postal_hash, pii, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.ID, a.FirstName, a.LastName, string(a.Address.Province), c.Language, db.identity(a.FirstName, a.LastName, a.DateOfBirth),
			db.Vault.Index(a.Address.PostalCode), db.Vault.Seal(plain, []byte(c.ID)), micros(c.Created))
		if err != nil {
			return fmt.Errorf("insert customer: %w", err)
		}
		return nil
	})
}

// Customer returns a customer with its personal data opened.
func (db *DB) Customer(ctx context.Context, id string) (*openflex.Customer, error) {
	c := openflex.Customer{ID: id}
	var prov string
	var sealed []byte
	var created int64
	err := db.q(ctx).QueryRowContext(ctx, `SELECT first_name, last_name, province, language, pii, created FROM customers WHERE id = $1`, id).
		Scan(&c.Applicant.FirstName, &c.Applicant.LastName, &prov, &c.Language, &sealed, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("customer", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read customer: %w", err)
	}
	plain, err := db.Vault.Open(sealed, []byte(id))
	if err != nil {
		return nil, fmt.Errorf("open customer %s personal data: %w", id, err)
	}
	var p sealedPII
	if err := json.Unmarshal(plain, &p); err != nil {
		return nil, fmt.Errorf("decode customer personal data: %w", err)
	}
	a := &c.Applicant
	a.MiddleName, a.DateOfBirth, a.Email, a.Phone, a.Address = p.MiddleName, p.DateOfBirth, p.Email, p.Phone, p.Address
	a.AnnualIncome, a.EmploymentStatus, a.HousingStatus, a.MonthlyHousingCost, a.SIN = p.AnnualIncome, p.EmploymentStatus, p.HousingStatus, p.MonthlyHousingCost, p.SIN
	c.Created = fromMicros(created)
	return &c, nil
}

const applicationCols = `id, merchant_id, store_id, customer_id, status, reasons, requested_amount, credit_limit, risk_category,
	account_number, score, language, consent_at, consent_ip, terms_version, created, decided_at, repeat_of`

func scanApplication(sc interface{ Scan(...any) error }) (*openflex.Application, error) {
	var a openflex.Application
	var status, reasons, risk string
	var consentAt, created, decided int64
	err := sc.Scan(&a.ID, &a.MerchantID, &a.StoreID, &a.CustomerID, &status, &reasons, &a.RequestedAmount, &a.CreditLimit, &risk,
		&a.AccountNumber, &a.Score, &a.Language, &consentAt, &a.Consent.IP, &a.Consent.TermsVersion, &created, &decided, &a.RepeatOf)
	if err != nil {
		return nil, err
	}
	a.Status, a.RiskCategory = openflex.ApplicationStatus(status), openflex.RiskCategory(risk)
	var rs []struct{ Code, Message string }
	if err := json.Unmarshal([]byte(reasons), &rs); err != nil {
		return nil, fmt.Errorf("decode reasons: %w", err)
	}
	for _, r := range rs {
		a.Reasons = append(a.Reasons, openflex.Reason{Code: r.Code, Message: r.Message})
	}
	a.Consent.CreditCheck, a.Consent.TermsAccepted = true, true
	a.Consent.At, a.Created, a.DecidedAt = fromMicros(consentAt), fromMicros(created), fromMicros(decided)
	return &a, nil
}

func reasonsJSON(rs []openflex.Reason) string {
	out := make([]map[string]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, map[string]string{"Code": r.Code, "Message": r.Message})
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// CreateApplication stores a, indexed by its customer's identity.
func (db *DB) CreateApplication(ctx context.Context, a *openflex.Application) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO applications (`+applicationCols+`, identity_hash)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, identity_hash FROM customers WHERE id = $4`,
			a.ID, a.MerchantID, a.StoreID, a.CustomerID, string(a.Status), reasonsJSON(a.Reasons), a.RequestedAmount, a.CreditLimit,
			string(a.RiskCategory), a.AccountNumber, a.Score, a.Language, micros(a.Consent.At), a.Consent.IP, a.Consent.TermsVersion,
			micros(a.Created), micros(a.DecidedAt), a.RepeatOf)
		if err != nil {
			return fmt.Errorf("insert application: %w", err)
		}
		return nil
	})
}

// UpdateDecision records the decision of a pending application.
func (db *DB) UpdateDecision(ctx context.Context, a *openflex.Application) error {
	return db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE applications SET status = $2, reasons = $3, credit_limit = $4, risk_category = $5,
			account_number = $6, decided_at = $7 WHERE id = $1 AND status = 'pending'`,
			a.ID, string(a.Status), reasonsJSON(a.Reasons), a.CreditLimit, string(a.RiskCategory), a.AccountNumber, micros(a.DecidedAt))
		if err != nil {
			return fmt.Errorf("update application: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return openflex.Errorf(openflex.CodeParameterInvalid, "application %s is not pending", a.ID)
		}
		return nil
	})
}

// Application returns merchantID's application id ("" merchantID: any,
// for lender staff).
func (db *DB) Application(ctx context.Context, merchantID, id string) (*openflex.Application, error) {
	q := `SELECT ` + applicationCols + ` FROM applications WHERE id = $1`
	args := []any{id}
	if merchantID != "" {
		q += ` AND merchant_id = $2`
		args = append(args, merchantID)
	}
	a, err := scanApplication(db.q(ctx).QueryRowContext(ctx, q+db.forUpdate(), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("application", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read application: %w", err)
	}
	return a, nil
}

// RecentApplication returns the newest decided application (not retry)
// for the person with this name and date of birth created at or after since.
func (db *DB) RecentApplication(ctx context.Context, first, last, dob string, since time.Time) (*openflex.Application, error) {
	a, err := scanApplication(db.q(ctx).QueryRowContext(ctx, `SELECT `+applicationCols+` FROM applications
		WHERE identity_hash = $1 AND created >= $2 AND status <> 'retry' ORDER BY created DESC, id DESC LIMIT 1`,
		db.identity(first, last, dob), micros(since)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("application", "")
	}
	if err != nil {
		return nil, fmt.Errorf("read recent application: %w", err)
	}
	return a, nil
}

// PendingApplications lists applications awaiting review, oldest first.
func (db *DB) PendingApplications(ctx context.Context, limit int) ([]*openflex.Application, error) {
	return db.applications(ctx, "list pending applications", `SELECT `+applicationCols+` FROM applications WHERE status = 'pending' ORDER BY id LIMIT $1`, limit)
}

// PendingRepeats lists the pending applications that repeat application id.
func (db *DB) PendingRepeats(ctx context.Context, id string) ([]*openflex.Application, error) {
	return db.applications(ctx, "list repeats", `SELECT `+applicationCols+` FROM applications WHERE repeat_of = $1 AND status = 'pending' ORDER BY id`, id)
}

// OpeningApplication returns the application that opened account number
// (not a repeat that answered with it).
func (db *DB) OpeningApplication(ctx context.Context, number string) (*openflex.Application, error) {
	a, err := scanApplication(db.q(ctx).QueryRowContext(ctx, `SELECT `+applicationCols+` FROM applications
		WHERE account_number = $1 AND repeat_of = '' ORDER BY created, id LIMIT 1`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("application", "")
	}
	if err != nil {
		return nil, fmt.Errorf("read opening application: %w", err)
	}
	return a, nil
}

// LockIdentity serialises, until the transaction ends, the opening of
// accounts for the person with this name and date of birth, so that two
// applications at once cannot both open one. On PostgreSQL it is a
// transaction-scoped advisory lock on the identity hash; SQLite's single
// writer already serialises every write.
func (db *DB) LockIdentity(ctx context.Context, first, last, dob string) error {
	if db.Dialect != Postgres || !db.InTx(ctx) {
		return nil
	}
	_, err := db.q(ctx).ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('openflex identity ' || encode($1::bytea, 'hex'), 0))`,
		db.identity(first, last, dob))
	if err != nil {
		return fmt.Errorf("lock identity: %w", err)
	}
	return nil
}

func (db *DB) applications(ctx context.Context, what, q string, args ...any) ([]*openflex.Application, error) {
	rows, err := db.q(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []*openflex.Application
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RecordInquiry stores a bureau inquiry with its consent.
func (db *DB) RecordInquiry(ctx context.Context, in *openflex.Inquiry) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO bureau_inquiries (id, application_id, customer_id, bureau, outcome, score, reference,
			consent_at, consent_ip, terms_version, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			in.ID, in.ApplicationID, in.CustomerID, in.Bureau, in.Outcome, in.Score, in.Reference,
			micros(in.Consent.At), in.Consent.IP, in.Consent.TermsVersion, micros(in.Created))
		if err != nil {
			return fmt.Errorf("insert inquiry: %w", err)
		}
		return nil
	})
}

// Inquiries returns the inquiries made for an application.
func (db *DB) Inquiries(ctx context.Context, applicationID string) ([]openflex.Inquiry, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, customer_id, bureau, outcome, score, reference, consent_at, consent_ip, terms_version, created
		FROM bureau_inquiries WHERE application_id = $1 ORDER BY id`, applicationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []openflex.Inquiry
	for rows.Next() {
		in := openflex.Inquiry{ApplicationID: applicationID}
		var at, created int64
		if err := rows.Scan(&in.ID, &in.CustomerID, &in.Bureau, &in.Outcome, &in.Score, &in.Reference, &at, &in.Consent.IP, &in.Consent.TermsVersion, &created); err != nil {
			return nil, err
		}
		in.Consent.At, in.Created = fromMicros(at), fromMicros(created)
		out = append(out, in)
	}
	return out, rows.Err()
}

const accountCols = `account_number, customer_id, status, credit_limit, posted_balance, held, currency, risk_category, province, language, first_name, last_name, created, charges`

// accountClock is the time of the account's test clock (0 without one),
// read with the account so that dating its movements costs no round trip.
const accountClock = `COALESCE((SELECT c.frozen_time FROM account_servicing s JOIN test_clocks c ON c.id = s.test_clock_id
	WHERE s.account_number = accounts.account_number), 0)`

func scanAccount(sc interface{ Scan(...any) error }, extra ...any) (*openflex.Account, error) {
	var a openflex.Account
	var status, cur, risk, prov string
	var created int64
	err := sc.Scan(append([]any{&a.Number, &a.CustomerID, &status, &a.CreditLimit, &a.PostedBalance, &a.Held, &cur, &risk, &prov, &a.Language,
		&a.FirstName, &a.LastName, &created, &a.Charges}, extra...)...)
	if err != nil {
		return nil, err
	}
	a.Status, a.Currency, a.RiskCategory, a.Province, a.Created = openflex.AccountStatus(status), openflex.Currency(cur), openflex.RiskCategory(risk), openflex.Province(prov), fromMicros(created)
	return &a, nil
}

// CreateAccount opens a; a taken account number is ErrDuplicate.
func (db *DB) CreateAccount(ctx context.Context, a *openflex.Account) error {
	return db.Write(ctx, func(ctx context.Context) error {
		var exists int
		err := db.q(ctx).QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE account_number = $1`, a.Number).Scan(&exists)
		if err == nil {
			return ErrDuplicate
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = db.q(ctx).ExecContext(ctx, `INSERT INTO accounts (`+accountCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			a.Number, a.CustomerID, string(a.Status), a.CreditLimit, a.PostedBalance, a.Held, string(a.Currency), string(a.RiskCategory),
			string(a.Province), a.Language, a.FirstName, a.LastName, micros(a.Created), a.Charges)
		if err != nil {
			return fmt.Errorf("insert account: %w", err)
		}
		return db.openServicing(ctx, a)
	})
}

// Account returns the account with number. Inside a write transaction on
// PostgreSQL the row is locked, so balance checks and updates are atomic.
func (db *DB) Account(ctx context.Context, number string) (*openflex.Account, error) {
	return readAccount(number)(db.q(ctx).QueryRowContext(ctx, db.accountQuery(ctx), number))
}

func (db *DB) accountQuery(ctx context.Context) string {
	lock := ""
	if db.InTx(ctx) {
		lock = db.forUpdate()
	}
	return `SELECT ` + accountCols + `, ` + accountClock + ` FROM accounts WHERE account_number = $1` + lock
}

func readAccount(number string) func(row) (*openflex.Account, error) {
	return func(r row) (*openflex.Account, error) {
		var clock int64
		a, err := scanAccount(r, &clock)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, openflex.NotFound("account", number)
		}
		if clock != 0 {
			a.ClockTime = fromMicros(clock)
		}
		if err != nil {
			return nil, fmt.Errorf("read account: %w", err)
		}
		return a, nil
	}
}

// AccountWithConsent is Account (locked in a write transaction) with
// merchantID's active consent on it, nil when it holds none; with
// merchantID "", Account alone. The consent is read after the account,
// once its lock is granted, as by two calls; on PostgreSQL the two reads
// share one round trip.
func (db *DB) AccountWithConsent(ctx context.Context, number, merchantID string) (*openflex.Account, *openflex.AccountConsent, error) {
	if merchantID == "" {
		a, err := db.Account(ctx, number)
		return a, nil, err
	}
	var a *openflex.Account
	var aerr error
	db.queryLater(ctx, "read account", db.accountQuery(ctx), []any{number}, func(r row) {
		a, aerr = readAccount(number)(r)
	})
	c, err := db.ActiveConsent(ctx, merchantID, number)
	if aerr != nil {
		return nil, nil, aerr
	}
	if err != nil {
		return nil, nil, err
	}
	return a, c, nil
}

// AccountsByIdentity finds accounts by exact name + date of birth, and
// postal code when given.
func (db *DB) AccountsByIdentity(ctx context.Context, first, last, dob, postal string) ([]*openflex.Account, error) {
	q := `SELECT a.account_number, a.customer_id, a.status, a.credit_limit, a.posted_balance, a.held, a.currency, a.risk_category,
		a.province, a.language, a.first_name, a.last_name, a.created, a.charges
		FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE c.identity_hash = $1`
	args := []any{db.identity(first, last, dob)}
	if postal != "" {
		q += ` AND c.postal_hash = $2`
		args = append(args, db.Vault.Index(postal))
	}
	rows, err := db.q(ctx).QueryContext(ctx, q+` ORDER BY a.created DESC LIMIT 20`, args...)
	if err != nil {
		return nil, fmt.Errorf("search accounts: %w", err)
	}
	defer rows.Close()
	var out []*openflex.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CreateVerification stores v.
func (db *DB) CreateVerification(ctx context.Context, v *openflex.Verification) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO verifications (id, account_number, merchant_id, channel, code_hash, sent_to, attempts, status, expires_at, created, budget_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			v.ID, v.AccountNumber, v.MerchantID, v.Channel, v.CodeHash, v.SentTo, v.Attempts, string(v.Status), micros(v.ExpiresAt), micros(v.Created), v.BudgetKey)
		if err != nil {
			return fmt.Errorf("insert verification: %w", err)
		}
		return nil
	})
}

// Verification returns merchantID's verification id (locked for update
// inside a write transaction).
func (db *DB) Verification(ctx context.Context, merchantID, id string) (*openflex.Verification, error) {
	var v openflex.Verification
	var status string
	var exp, created, used int64
	lock := ""
	if db.InTx(ctx) {
		lock = db.forUpdate()
	}
	err := db.q(ctx).QueryRowContext(ctx, `SELECT id, account_number, merchant_id, channel, code_hash, sent_to, attempts, status, expires_at, created, used_at
		FROM verifications WHERE id = $1 AND merchant_id = $2`+lock, id, merchantID).
		Scan(&v.ID, &v.AccountNumber, &v.MerchantID, &v.Channel, &v.CodeHash, &v.SentTo, &v.Attempts, &status, &exp, &created, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("verification", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read verification: %w", err)
	}
	v.Status, v.ExpiresAt, v.Created, v.UsedAt = openflex.VerificationStatus(status), fromMicros(exp), fromMicros(created), fromMicros(used)
	return &v, nil
}

// UpdateVerification saves a verification's attempts, status and use.
func (db *DB) UpdateVerification(ctx context.Context, v *openflex.Verification) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `UPDATE verifications SET attempts = $2, status = $3, used_at = $4 WHERE id = $1`,
			v.ID, v.Attempts, string(v.Status), micros(v.UsedAt))
		return err
	})
}

// RecordMessage stores a message for the TRAINING validation inbox.
func (db *DB) RecordMessage(ctx context.Context, m *openflex.Message) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO sent_messages (id, merchant_id, channel, recipient, subject, body, created) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			m.ID, m.MerchantID, m.Channel, m.Recipient, m.Subject, m.Body, micros(m.Created))
		return err
	})
}

// Messages lists a merchant's recorded messages, newest first.
func (db *DB) Messages(ctx context.Context, merchantID string, limit int) ([]openflex.Message, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, channel, recipient, subject, body, created FROM sent_messages WHERE merchant_id = $1 ORDER BY id DESC LIMIT $2`, merchantID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []openflex.Message
	for rows.Next() {
		m := openflex.Message{MerchantID: merchantID}
		var created int64
		if err := rows.Scan(&m.ID, &m.Channel, &m.Recipient, &m.Subject, &m.Body, &created); err != nil {
			return nil, err
		}
		m.Created = fromMicros(created)
		out = append(out, m)
	}
	return out, rows.Err()
}
