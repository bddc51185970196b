package fake

import (
	"net/http"
	"strconv"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// apiError is one complete error answer of the upstream. Handlers return it
// as an error so that checks deep in body parsing can abort a request the way
// the upstream's exceptions do.
type apiError struct {
	status int
	// body is an ApiGlobalErrorResponse envelope or a bare ApiParameterError;
	// nil means Spring Boot's default error JSON, which needs the request path
	// and is therefore built when written.
	body obj
}

func (e *apiError) Error() string { return "upstream answers " + strconv.Itoa(e.status) }

// springError is Spring Boot's default error JSON: the body of everything the
// Fineract exception mappers never see (tenant, authentication, unknown
// paths, unmapped exceptions).
func springError(status int) *apiError { return &apiError{status: status} }

// springBody renders a springError for the given path. The timestamp is
// epoch milliseconds, as observed on a live 2022 Fineract.
func springBody(status int, path string, nowMillis int64) obj {
	return obj{
		{"timestamp", nowMillis},
		{"status", status},
		{"error", http.StatusText(status)},
		{"path", path},
	}
}

// databaseError is a query the database refuses (a Spring DataAccessException
// from JdbcTemplate): 1.9+'s DefaultExceptionMapper answers 500
// {"Exception": message}; before it Spring Boot's error JSON answered.
func databaseError(v upstream.Version, dbMessage string) *apiError {
	if !exceptionMapperCatchesAll(v) {
		return springError(http.StatusInternalServerError)
	}
	return &apiError{status: http.StatusInternalServerError,
		body: obj{{"Exception", "PreparedStatementCallback; SQL [select c.id as id, ... where c.external_id like ?]; " + dbMessage}}}
}

// dataAccessError is a refusal of the database that no handler maps (a
// DataIntegrityViolationException): from 1.9 the command pipeline's
// ErrorHandler.getMappable turns it into a data-integrity 403 carrying the
// driver's message (fineract-core/.../infrastructure/core/exception/
// ErrorHandler.java, 1.10.1); up to 1.8 it reaches Spring Boot's error page
// (500). Derived, not seen on a server: the exception's own arg is left
// out.
func dataAccessError(v upstream.Version, dbMessage string) error {
	if !mapsDataAccessErrors(v) {
		return springError(http.StatusInternalServerError)
	}
	return dataIntegrityError("error.msg.data.integrity.issue", dbMessage, "")
}

// paramError is an ApiParameterError: one problem with one parameter. Its
// developer and user messages are always the same text. param "" is null.
func paramError(code, msg, param string, args ...any) obj {
	return paramErrorWithValue(code, msg, param, nil, args...)
}

// paramErrorWithValue also sets "value", which only number-format errors do.
func paramErrorWithValue(code, msg, param string, value any, args ...any) obj {
	list := make([]obj, len(args))
	for i, a := range args {
		if d, ok := a.(wire.Date); ok {
			a = d.ISO() // ApiErrorMessageArg formats LocalDate as yyyy-MM-dd
		}
		list[i] = obj{{"value", a}}
	}
	return obj{
		{"developerMessage", msg},
		{"defaultUserMessage", msg},
		{"userMessageGlobalisationCode", code},
		{"parameterName", optString(param)},
		{"value", value},
		{"args", list},
	}
}

// generalError is ApiParameterError.generalError, used by not-found and
// domain-rule exceptions: parameterName is always "id".
func generalError(code, msg string, args ...any) obj {
	return paramError(code, msg, "id", args...)
}

// envelope is an ApiGlobalErrorResponse; httpStatusCode is a string on the
// wire. errs nil is written as "errors":null (1.8) or omitted (1.9+).
func envelope(status int, devMsg, userMsg, code string, errs []obj) *apiError {
	var list any
	if errs != nil {
		list = errs
	}
	return &apiError{status: status, body: obj{
		{"developerMessage", devMsg},
		{"httpStatusCode", strconv.Itoa(status)},
		{"defaultUserMessage", userMsg},
		{"userMessageGlobalisationCode", code},
		{"errors", list},
	}}
}

const badRequestDevMsg = "The request was invalid. This typically will happen due to validation errors which are provided."

// validationError is PlatformApiDataValidationException with its usual top
// level: a 400 listing every problem found.
func validationError(errs ...obj) *apiError {
	return envelope(http.StatusBadRequest, badRequestDevMsg, "Validation errors exist.",
		"validation.msg.validation.errors.exist", errs)
}

// sqlInjectionError is SQLInjectionException: a validation exception with a
// specific top level and no items.
func sqlInjectionError() *apiError {
	return envelope(http.StatusBadRequest, badRequestDevMsg, "Unexpected SQL Commands found",
		"error.msg.found.sql.injection", nil)
}

// notFoundError is AbstractPlatformResourceNotFoundException: the specific
// reason is only in errors[0].
func notFoundError(code, msg string, args ...any) *apiError {
	const text = "The requested resource is not available."
	return envelope(http.StatusNotFound, text, text, "error.msg.resource.not.found",
		[]obj{generalError(code, msg, args...)})
}

// domainRuleError is AbstractPlatformDomainRuleException: a 403 whose
// specific reason is only in errors[0].
func domainRuleError(code, msg string, args ...any) *apiError {
	return envelope(http.StatusForbidden, "Request was understood but caused a domain rule violation.",
		"Errors contain reason for domain rule violation.", "validation.msg.domain.rule.violation",
		[]obj{generalError(code, msg, args...)})
}

// dataIntegrityError is PlatformDataIntegrityException: a 403 whose top
// level carries the specific code and message, unlike domain rules.
func dataIntegrityError(code, msg, param string, args ...any) *apiError {
	return envelope(http.StatusForbidden, "The request caused a data integrity issue to be fired by the database.",
		msg, code, []obj{paramError(code, msg, param, args...)})
}

// notAuthorizedError is NoAuthorizationException (a missing permission).
func notAuthorizedError(msg string) *apiError {
	return envelope(http.StatusForbidden,
		"The user associated with credentials passed on this request does not have sufficient privileges to perform this action.",
		"Insufficient privileges to perform this action.", "error.msg.not.authorized",
		[]obj{paramError("error.msg.not.authorized", msg, "id")})
}

// invalidBodyError is the bare ApiParameterError (no envelope) written for a
// blank or syntactically invalid request body.
func invalidBodyError(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest,
		body: paramError("error.msg.invalid.request.body", msg, "id")}
}

// unsupportedParameterError is UnsupportedParameterException: one item per
// body member outside the command's whitelist, in body order.
func unsupportedParameterError(names []string) *apiError {
	errs := make([]obj, len(names))
	for i, n := range names {
		errs[i] = paramError("error.msg.parameter.unsupported", "The parameter "+n+" is not supported.", n, n)
	}
	return validationError(errs...)
}

// unsupportedCommandError is UnrecognizedQueryParamException for ?command=.
// A missing command is reported as the Java string "null".
func unsupportedCommandError(value *string) *apiError {
	shown := "null"
	var arg any
	if value != nil {
		shown, arg = *value, *value
	}
	return validationError(paramError("error.msg.query.parameter.value.unsupported",
		"The query parameter command has an unsupported value of: "+shown, "command", "command", arg))
}

// clientNotFoundError is ClientNotFoundException as thrown by
// findOneWithNotFoundDetection (writes, 1.8 reads) and by external-id
// resolution, where id is nil and the text says "null".
func clientNotFoundError(id *int64) *apiError {
	if id == nil {
		return notFoundError("error.msg.client.id.invalid", "Client with identifier null does not exist", nil)
	}
	return notFoundError("error.msg.client.id.invalid",
		"Client with identifier "+strconv.FormatInt(*id, 10)+" does not exist", *id)
}

// entityNotFoundError is the "<Entity> with identifier N does not exist"
// family (office, group, staff, savings product).
func entityNotFoundError(code, entity string, id int64) *apiError {
	return notFoundError(code, entity+" with identifier "+strconv.FormatInt(id, 10)+" does not exist", id)
}

// codeValueNotFoundError is CodeValueNotFoundException: the id is not a
// value of that code, whether or not it belongs to another code.
func codeValueNotFoundError(codeName string, id int64) *apiError {
	return notFoundError("error.msg.codevalue.codename.id.combination.invalid",
		"Code value with identifier "+strconv.FormatInt(id, 10)+" does not exist for a code with name "+codeName,
		id, codeName)
}
