package sdk

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrorType is the broad class of an API error.
type ErrorType string

// Error types of API.md.
const (
	ErrorTypeInvalidRequest ErrorType = "invalid_request_error"
	ErrorTypeAuthentication ErrorType = "authentication_error"
	ErrorTypeCredit         ErrorType = "credit_error"
	ErrorTypePermission     ErrorType = "permission_error"
	ErrorTypeIdempotency    ErrorType = "idempotency_error"
	ErrorTypeRateLimit      ErrorType = "rate_limit_error"
	ErrorTypeAPI            ErrorType = "api_error"
)

// ErrorCode is the stable, machine-readable reason of an API error. Switch
// on it; the message is for people and follows WithLanguage.
type ErrorCode string

// Error codes of API.md, grouped by the status they come with.
const (
	// 400 invalid_request_error.
	CodeParameterMissing ErrorCode = "parameter_missing"
	CodeParameterInvalid ErrorCode = "parameter_invalid"
	CodeUnknownParameter ErrorCode = "unknown_parameter"
	CodeBodyInvalidJSON  ErrorCode = "body_invalid_json"
	CodeURLNotTrusted    ErrorCode = "url_not_trusted"
	CodePlanNotAvailable ErrorCode = "plan_not_available"
	// CodeDestinationNotAllowed: a webhook URL that does not reach a public
	// internet address (loopback, private, link-local, …).
	CodeDestinationNotAllowed ErrorCode = "destination_not_allowed"

	// 401 authentication_error. The client fetches a new token once by
	// itself on invalid_token and token_expired.
	CodeInvalidToken  ErrorCode = "invalid_token"
	CodeTokenExpired  ErrorCode = "token_expired"
	CodeInvalidClient ErrorCode = "invalid_client"

	// 402 credit_error.
	CodeInsufficientCredit       ErrorCode = "insufficient_credit"
	CodeAccountNotInGoodStanding ErrorCode = "account_not_in_good_standing"
	CodeVerificationFailed       ErrorCode = "verification_failed"
	CodeVerificationRequired     ErrorCode = "verification_required"

	// 403 permission_error.
	CodeIPNotTrusted          ErrorCode = "ip_not_trusted"
	CodeEnvironmentNotEnabled ErrorCode = "environment_not_enabled"
	// CodeCustomerConsentRequired: the customer has not authorized this
	// merchant on the account; get a checkout or a verification first.
	CodeCustomerConsentRequired ErrorCode = "customer_consent_required"

	// 404 and 405 invalid_request_error.
	CodeResourceMissing  ErrorCode = "resource_missing"
	CodeMethodNotAllowed ErrorCode = "method_not_allowed"

	// 409 invalid_request_error.
	CodeAuthorizationNotOpen   ErrorCode = "authorization_not_open"
	CodeAmountExceedsRemaining ErrorCode = "amount_exceeds_remaining"
	CodeReturnExceedsCaptured  ErrorCode = "return_exceeds_captured"
	CodeCheckoutNotOpen        ErrorCode = "checkout_not_open"

	// 409 and 422 idempotency_error. The client retries
	// idempotency_key_in_use by itself.
	CodeIdempotencyKeyInUse  ErrorCode = "idempotency_key_in_use"
	CodeIdempotencyKeyReused ErrorCode = "idempotency_key_reused"

	// 413 invalid_request_error.
	CodeBodyTooLarge ErrorCode = "body_too_large"

	// 429 rate_limit_error, retried by the client after Retry-After.
	CodeRateLimited ErrorCode = "rate_limited"

	// 500 and 503 api_error, retried by the client.
	CodeInternalError     ErrorCode = "internal_error"
	CodeBureauUnavailable ErrorCode = "bureau_unavailable"
	CodeUnavailable       ErrorCode = "unavailable"

	// Errors of POST /oauth/token (RFC 6749 §5.2) besides invalid_client:
	// 400 invalid_request and unsupported_grant_type, 403 access_denied
	// (the caller's IP is not a Trust IP of the key set).
	CodeInvalidRequest       ErrorCode = "invalid_request"
	CodeUnsupportedGrantType ErrorCode = "unsupported_grant_type"
	CodeAccessDenied         ErrorCode = "access_denied"
)

// FieldError is one field's problem in a 400 reply.
type FieldError struct {
	// Param is the field's JSON path, such as "applicant.address.postal_code".
	Param   string    `json:"param"`
	Code    ErrorCode `json:"code"`
	Message string    `json:"message"`
}

// Error is an error reply of the API. Get it with errors.As:
//
//	var e *sdk.Error
//	if errors.As(err, &e) && e.Code == sdk.CodeInsufficientCredit { … }
//
// Errors of POST /oauth/token (RFC 6749 §5.2) come as an Error too: their
// "error" is the Code and their "error_description" the Message.
type Error struct {
	// Status is the HTTP status code.
	Status int
	Type   ErrorType
	Code   ErrorCode
	// Param names the offending parameter, when there is one.
	Param   string
	Message string
	// Errors lists every field problem of a 400 at once.
	Errors []FieldError
	// RequestID is the Request-Id of the reply: quote it to the lender's
	// support.
	RequestID string
	// RetryAfter is the wait the server asked for (429), or zero.
	RetryAfter time.Duration

	token string // the access token the request carried
}

// Error returns "openflex: <status> <code> (<param>): <message> [request <id>]".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "openflex: %d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Param != "" {
		fmt.Fprintf(&b, " (%s)", e.Param)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

// TransportError is a failure to reach the server or to read its reply
// (refused connection, reset, timeout of one attempt). The client retries
// it; the caller sees it once retries are spent. Err is the cause, such as
// a *url.Error; errors.Is and errors.As see through it.
type TransportError struct {
	// Op is the request, such as "POST /v1/authorizations".
	Op  string
	Err error
}

// Error returns "openflex: <op>: <cause>".
func (e *TransportError) Error() string { return "openflex: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// typeOfStatus is the error type a reply without one gets.
func typeOfStatus(status int) ErrorType {
	switch {
	case status == http.StatusUnauthorized:
		return ErrorTypeAuthentication
	case status == http.StatusPaymentRequired:
		return ErrorTypeCredit
	case status == http.StatusForbidden:
		return ErrorTypePermission
	case status == http.StatusTooManyRequests:
		return ErrorTypeRateLimit
	case status >= 500:
		return ErrorTypeAPI
	}
	return ErrorTypeInvalidRequest
}

// parseError reads an error reply: the API.md envelope, an RFC 6749 token
// error, or anything else (a proxy's HTML page) as a bare status.
func parseError(status int, header http.Header, body []byte) *Error {
	e := &Error{Status: status, RequestID: header.Get("Request-Id"),
		RetryAfter: parseRetryAfter(header.Get("Retry-After"), time.Now())}
	var env struct {
		Error json.RawMessage `json:"error"`
		// RFC 6749 §5.2.
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &env) == nil && len(env.Error) > 0 {
		var obj struct {
			Type      ErrorType    `json:"type"`
			Code      ErrorCode    `json:"code"`
			Param     string       `json:"param"`
			Message   string       `json:"message"`
			Errors    []FieldError `json:"errors"`
			RequestID string       `json:"request_id"`
		}
		var code string
		switch {
		case json.Unmarshal(env.Error, &obj) == nil:
			e.Type, e.Code, e.Param, e.Message, e.Errors = obj.Type, obj.Code, obj.Param, obj.Message, obj.Errors
			if obj.RequestID != "" {
				e.RequestID = obj.RequestID
			}
		case json.Unmarshal(env.Error, &code) == nil:
			e.Code, e.Message = ErrorCode(code), env.Description
		}
	}
	if e.Type == "" {
		e.Type = typeOfStatus(status)
	}
	if e.Code == "" && e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}
