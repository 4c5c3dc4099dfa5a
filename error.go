package openflex

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code is a stable, machine-readable error code of the public API. The API
// maps each code to its HTTP status and error type in exactly one table.
type Code string

// The stable codes of API.md.
const (
	CodeParameterMissing  Code = "parameter_missing"
	CodeParameterInvalid  Code = "parameter_invalid"
	CodeUnknownParameter  Code = "unknown_parameter"
	CodeBodyInvalidJSON   Code = "body_invalid_json"
	CodeURLNotTrusted     Code = "url_not_trusted"
	CodePlanNotAvailable  Code = "plan_not_available"
	CodeInvalidToken      Code = "invalid_token"
	CodeTokenExpired      Code = "token_expired"
	CodeInvalidClient     Code = "invalid_client"
	CodeInsufficientCred  Code = "insufficient_credit"
	CodeAccountNotGood    Code = "account_not_in_good_standing"
	CodeVerifyFailed      Code = "verification_failed"
	CodeVerifyRequired    Code = "verification_required"
	CodeConsentRequired   Code = "customer_consent_required"
	CodeIPNotTrusted      Code = "ip_not_trusted"
	CodeEnvNotEnabled     Code = "environment_not_enabled"
	CodeResourceMissing   Code = "resource_missing"
	CodeMethodNotAllowed  Code = "method_not_allowed"
	CodeAuthNotOpen       Code = "authorization_not_open"
	CodeAmountExceeds     Code = "amount_exceeds_remaining"
	CodeReturnExceeds     Code = "return_exceeds_captured"
	CodeCheckoutNotOpen   Code = "checkout_not_open"
	CodeIdempotencyInUse  Code = "idempotency_key_in_use"
	CodeIdempotencyReused Code = "idempotency_key_reused"
	CodeBodyTooLarge      Code = "body_too_large"
	CodeRateLimited       Code = "rate_limited"
	CodeInternal          Code = "internal_error"
	CodeBureauUnavailable Code = "bureau_unavailable"
	CodeUnavailable       Code = "unavailable"

	// CodeConflict: a write collided with another (a key a concurrent
	// write took first). Stores return it; the domain retries with a new
	// key or knows the work is done. It is not one of the API's codes: one
	// that escapes is answered as internal_error.
	CodeConflict Code = "conflict"

	// CodeDestinationNotAllowed: a webhook URL that does not reach a public
	// internet address (loopback, private, link-local, metadata, …).
	CodeDestinationNotAllowed Code = "destination_not_allowed"
)

// CodeDuplicateParameter is a JSON member name repeated in one object, a
// query parameter or an Idempotency-Key header given twice: two readers of
// the same request could otherwise act on different values.
const CodeDuplicateParameter Code = "duplicate_parameter"

// CodeUnsupportedMediaType is a request body declared as something other
// than JSON (Content-Type: text/plain, a form).
const CodeUnsupportedMediaType Code = "unsupported_media_type"

// FieldError is one problem with one request field.
type FieldError struct {
	Param   string
	Code    Code
	Message string
}

// Error is the one error type the domain returns to callers. Message is safe
// to show to an API client; Cause is for the log only.
type Error struct {
	Code    Code
	Message string
	Param   string
	// Fields lists every field problem of a request at once.
	Fields []FieldError
	Cause  error
	// RetryAfter, on a rate_limited error, is how long until the same
	// request would be accepted (the API's Retry-After header).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return string(e.Code) + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// Errorf returns an *Error with a formatted client-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound is the error for any object the caller may not see, whether it
// does not exist, belongs to another merchant or another environment.
func NotFound(kind, id string) *Error {
	return &Error{Code: CodeResourceMissing, Message: fmt.Sprintf("no such %s: %q", kind, id)}
}

// ErrorCode returns the code of err, CodeInternal for anything that is not an
// *Error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Problems collects field errors so a request reports all of them at once.
type Problems []FieldError

// Add records a problem; a nil *FieldError is ignored so checks compose.
func (p *Problems) Add(fe *FieldError) {
	if fe != nil {
		*p = append(*p, *fe)
	}
}

// Missing records a parameter_missing problem.
func (p *Problems) Missing(param string) {
	*p = append(*p, FieldError{Param: param, Code: CodeParameterMissing, Message: param + " is required"})
}

// Invalid records a parameter_invalid problem.
func (p *Problems) Invalid(param, format string, args ...any) {
	*p = append(*p, FieldError{Param: param, Code: CodeParameterInvalid, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil without problems, otherwise an *Error led by the first.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	first := p[0]
	msg := first.Message
	if len(p) > 1 {
		msg = fmt.Sprintf("%s (and %d more problems)", strings.TrimSuffix(msg, "."), len(p)-1)
	}
	return &Error{Code: first.Code, Param: first.Param, Message: msg, Fields: p}
}

// Servicing's codes.
const (
	// CodePlanExceedsCriminalRate: a plan whose cost of borrowing, fees
	// included, exceeds the Criminal Code's 35 % APR at an amount it allows.
	CodePlanExceedsCriminalRate Code = "plan_exceeds_criminal_rate"
	// CodeAccountStatusInvalid: a staff action the account's standing does
	// not allow (unfreezing an account that is not frozen, reopening a
	// closed one, …).
	CodeAccountStatusInvalid Code = "account_status_invalid"
)

// Payment codes (issue 26).
const (
	// CodePaymentLimit: the payment would take the account past the most
	// it may be paid in one day ($10,000).
	CodePaymentLimit Code = "payment_limit_exceeded"
	// CodePaymentNotReversible: the payment is already reversed, or is cash
	// a merchant took in store.
	CodePaymentNotReversible Code = "payment_not_reversible"
)

// CodeDebitNotReturnable: a pre-authorized debit that was not sent to the
// bank, or was already returned, cannot be returned.
const CodeDebitNotReturnable Code = "debit_not_returnable"
