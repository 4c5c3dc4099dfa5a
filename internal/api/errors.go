package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/openflex/openflex"
)

// codeInfo is the one table mapping domain error codes to HTTP.
var codeInfo = map[openflex.Code]struct {
	status int
	typ    string
	fr     string // French message; %s is the parameter when there is one
}{
	openflex.CodeParameterMissing:  {400, "invalid_request_error", "le paramètre %s est obligatoire"},
	openflex.CodeParameterInvalid:  {400, "invalid_request_error", "la valeur de %s n'est pas valide"},
	openflex.CodeUnknownParameter:  {400, "invalid_request_error", "paramètre inconnu : %s"},
	openflex.CodeBodyInvalidJSON:   {400, "invalid_request_error", "le corps de la requête n'est pas un JSON valide"},
	openflex.CodeURLNotTrusted:     {400, "invalid_request_error", "l'adresse %s ne correspond à aucune URL de confiance"},
	openflex.CodePlanNotAvailable:  {400, "invalid_request_error", "ce plan de financement n'est pas offert pour cet achat"},
	openflex.CodeInvalidToken:      {401, "authentication_error", "le jeton d'accès n'est pas valide"},
	openflex.CodeTokenExpired:      {401, "authentication_error", "le jeton d'accès a expiré"},
	openflex.CodeInvalidClient:     {401, "authentication_error", "identifiants client non valides"},
	openflex.CodeInsufficientCred:  {402, "credit_error", "le crédit disponible est insuffisant"},
	openflex.CodeAccountNotGood:    {402, "credit_error", "le compte n'est pas en règle"},
	openflex.CodeVerifyFailed:      {402, "credit_error", "la vérification a échoué"},
	openflex.CodeVerifyRequired:    {402, "credit_error", "une vérification du client est requise"},
	openflex.CodeConsentRequired:   {403, "permission_error", "le client n'a pas autorisé ce marchand : une session de paiement ou une vérification est requise"},
	openflex.CodeIPNotTrusted:      {403, "permission_error", "cette adresse IP n'est pas une IP de confiance"},
	openflex.CodeEnvNotEnabled:     {403, "permission_error", "cet environnement n'est pas activé pour ce marchand"},
	openflex.CodeResourceMissing:   {404, "invalid_request_error", "ressource introuvable"},
	openflex.CodeMethodNotAllowed:  {405, "invalid_request_error", "méthode non permise"},
	openflex.CodeAuthNotOpen:       {409, "invalid_request_error", "l'autorisation n'est plus ouverte"},
	openflex.CodeAmountExceeds:     {409, "invalid_request_error", "le montant dépasse le solde de l'autorisation"},
	openflex.CodeReturnExceeds:     {409, "invalid_request_error", "le retour dépasse le montant saisi"},
	openflex.CodeCheckoutNotOpen:   {409, "invalid_request_error", "la session de paiement n'est plus ouverte"},
	openflex.CodeIdempotencyInUse:  {409, "idempotency_error", "une requête avec cette clé d'idempotence est en cours"},
	openflex.CodeIdempotencyReused: {422, "idempotency_error", "cette clé d'idempotence a déjà servi pour une autre requête"},
	openflex.CodeBodyTooLarge:      {413, "invalid_request_error", "le corps de la requête dépasse 1 Mio"},
	openflex.CodeRateLimited:       {429, "rate_limit_error", "trop de requêtes; réessayez sous peu"},
	openflex.CodeInternal:          {500, "api_error", "erreur interne; le journal la consigne sous l'identifiant de requête"},
	openflex.CodeBureauUnavailable: {503, "api_error", "le bureau de crédit est indisponible; réessayez plus tard"},
	openflex.CodeUnavailable:       {503, "api_error", "service indisponible; réessayez plus tard"},

	openflex.CodeDestinationNotAllowed: {400, "invalid_request_error", "l'adresse %s doit joindre une adresse Internet publique (ni bouclage, ni adresse privée, locale ou réservée)"},
	openflex.CodeDuplicateParameter:    {400, "invalid_request_error", "le paramètre %s apparaît plus d'une fois"},
	openflex.CodeUnsupportedMediaType:  {415, "invalid_request_error", "le corps de la requête doit être du JSON (Content-Type: application/json)"},

	openflex.CodePlanExceedsCriminalRate: {400, "invalid_request_error", "le coût d'emprunt de ce plan dépasse le taux criminel de 35 % par année"},
	openflex.CodeAccountStatusInvalid:    {409, "invalid_request_error", "l'état du compte ne permet pas cette action"},
	openflex.CodePaymentLimit:            {402, "credit_error", "le compte ne peut recevoir plus de 10 000 $ de paiements par jour"},
	openflex.CodePaymentNotReversible:    {409, "invalid_request_error", "ce paiement ne peut être contrepassé"},
	openflex.CodeDebitNotReturnable:      {409, "invalid_request_error", "ce débit préautorisé ne peut pas être retourné"},
}

// errorBody is the API.md error envelope.
type errorBody struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Type      string       `json:"type"`
	Code      string       `json:"code"`
	Param     string       `json:"param,omitempty"`
	Message   string       `json:"message"`
	Errors    []fieldError `json:"errors,omitempty"`
	RequestID string       `json:"request_id"`
}

type fieldError struct {
	Param   string `json:"param"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// renderError turns any error into its status and envelope. Anything that
// is not an *openflex.Error is an internal error whose detail stays in the log.
func renderError(err error, requestID string, french bool) (int, errorBody) {
	var e *openflex.Error
	if !errors.As(err, &e) {
		e = &openflex.Error{Code: openflex.CodeInternal, Message: "internal error; the log has it under the request id"}
	}
	info, ok := codeInfo[e.Code]
	if !ok {
		// A code of the domain's own (conflict) is not the API's to show.
		e = &openflex.Error{Code: openflex.CodeInternal}
		info = codeInfo[openflex.CodeInternal]
	}
	msg := func(code openflex.Code, param, english string) string {
		if !french {
			return english
		}
		fr := codeInfo[code].fr
		if fr == "" {
			return english
		}
		if strings.Contains(fr, "%s") {
			return strings.Replace(fr, "%s", param, 1)
		}
		return fr
	}
	body := errorBody{Error: errorObject{
		Type: info.typ, Code: string(e.Code), Param: e.Param,
		Message: msg(e.Code, e.Param, e.Message), RequestID: requestID,
	}}
	if e.Code == openflex.CodeInternal {
		body.Error.Message = msg(e.Code, "", "internal error; the log has it under the request id")
	}
	if french && e.Code == openflex.CodeRateLimited && e.RetryAfter > 0 {
		// The English message says when already; the French one is generic.
		body.Error.Message = "trop de requêtes; réessayez " + openflex.RetryIn(e.RetryAfter, "fr")
	}
	fields := e.Fields
	if len(fields) == 0 && e.Param != "" && info.status == http.StatusBadRequest {
		// One field at fault is still a field problem: errors lists it, so
		// a client reads field problems from one place.
		fields = []openflex.FieldError{{Param: e.Param, Code: e.Code, Message: e.Message}}
	}
	for _, f := range fields {
		body.Error.Errors = append(body.Error.Errors, fieldError{Param: f.Param, Code: string(f.Code), Message: msg(f.Code, f.Param, f.Message)})
	}
	return info.status, body
}

// writeError writes err as the API.md envelope.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := renderError(err, requestID(r.Context()), wantsFrench(r))
	if e := (*openflex.Error)(nil); errors.As(err, &e) && e.RetryAfter > 0 && w.Header().Get("Retry-After") == "" {
		retryAfter(w, e.RetryAfter)
	} else if body.Error.Code == string(openflex.CodeUnavailable) && w.Header().Get("Retry-After") == "" {
		retryAfter(w, time.Second)
	}
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		// The client went away: nothing failed on our side.
		s.log.InfoContext(r.Context(), "request abandoned by the client", "request_id", body.Error.RequestID)
	} else if body.Error.Code == string(openflex.CodeUnavailable) {
		// Expected during a failover: a warning without a stack.
		s.log.WarnContext(r.Context(), "request failed: unavailable", "request_id", body.Error.RequestID, "err", err)
	} else if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "request_id", body.Error.RequestID, "err", err)
	}
	writeJSON(w, status, body)
}

// wantsFrench reports whether Accept-Language prefers French.
func wantsFrench(r *http.Request) bool {
	al := strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language")))
	return strings.HasPrefix(al, "fr")
}
