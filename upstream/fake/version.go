package fake

import (
	"net/http"

	"lmsproxy/upstream"
)

// Behaviour that differs between release lines and is not already a method
// of upstream.Version. Each predicate names the upstream change behind it so
// the per-version branches in handlers read as facts, not magic numbers.

// jacksonErrorWriter: from 1.9.0 error entities are written by
// JerseyJacksonObjectArgumentHandler (indented, NON_NULL).
func jacksonErrorWriter(v upstream.Version) bool { return v.AtLeast(upstream.V1_9) }

// entityBasedGetOne: from 1.9.0 GET /clients/{id} maps the JPA entity with
// MapStruct (FINERACT-1760) instead of the SQL row mapper, which changes its
// shape and its not-found error.
func entityBasedGetOne(v upstream.Version) bool { return v.AtLeast(upstream.V1_9) }

// hasResourceExternalID: CommandProcessingResult gained resourceExternalId in
// 1.9.0.
func hasResourceExternalID(v upstream.Version) bool { return v.AtLeast(upstream.V1_9) }

// businessDateNotFoundReworded: from 1.9.0 BusinessDateNotFoundException.notFound
// says "is not found." where 1.8 said "does not found." (sic).
func businessDateNotFoundReworded(v upstream.Version) bool { return v.AtLeast(upstream.V1_9) }

// legalFormLabels: LegalForm gained a label ("Person") in 1.9.0; before it the
// enum name ("PERSON") was written.
func legalFormLabels(v upstream.Version) bool { return v.AtLeast(upstream.V1_9) }

// externalIDObject: 1.9.0 made externalId an ExternalId value object that is
// stored as sent; before it Client trimmed the string.
func externalIDObject(v upstream.Version) bool { return v.AtLeast(upstream.V1_9) }

// acceptsSQLSearch: the raw sqlSearch list parameter was removed by
// FINERACT-2025 before 1.9.0.
func acceptsSQLSearch(v upstream.Version) bool { return !v.AtLeast(upstream.V1_9) }

// runsSQLValidator: 1.10.0 added SqlValidator on orderBy, sortOrder and
// externalId of the list (403 error.msg.sql.validation).
func runsSQLValidator(v upstream.Version) bool { return v.AtLeast(upstream.V1_10) }

// firewallRejection is the status of a request Spring Security's
// StrictHttpFirewall rejects: FilterChainProxy's default
// RequestRejectedHandler rethrows on Spring Security 5 (Spring Boot 2.7 in
// 1.8.4), which Spring Boot turns into a 500, and answers 400
// (HttpStatusRequestRejectedHandler) on Spring Security 6 (Spring Boot 3 from
// 1.9.0).
func firewallRejection(v upstream.Version) int {
	if v.AtLeast(upstream.V1_9) {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// exceptionMapperCatchesAll: 1.9.0 added DefaultExceptionMapper, an
// ExceptionMapper<RuntimeException> that answers 500 {"Exception": message}
// (fineract-core/.../exceptionmapper/DefaultExceptionMapper.java); before it
// an unmapped exception reached Spring Boot's error page.
func exceptionMapperCatchesAll(v upstream.Version) bool { return v.AtLeast(upstream.V1_9) }

// leaksDatabaseMessage: from 1.9.0 handleDataIntegrityIssues appends the raw
// database message to "Unknown data integrity issue with resource".
func leaksDatabaseMessage(v upstream.Version) bool { return v.AtLeast(upstream.V1_9) }

// approvalByExceptionMapper: from 1.10.0 (FINERACT-1977) a command held for
// approval ends in RollbackTransactionNotApprovedException, whose mapper
// writes the result with plain Gson; before it logCommand's result was
// returned and written by the API's ToApiJsonSerializer (see approvalResult).
func approvalByExceptionMapper(v upstream.Version) bool { return v.AtLeast(upstream.V1_10) }

// checkerSuperUserBypass: from 1.10.0 (FINERACT-1977) a maker holding
// CHECKER_SUPER_USER is its own checker and is never held.
func checkerSuperUserBypass(v upstream.Version) bool { return v.AtLeast(upstream.V1_10) }

// mapsDataAccessErrors: 1.9.0's command pipeline turns the exceptions a
// command throws with ErrorHandler.getMappable, which makes a database
// refusal a data-integrity 403 (SynchronousCommandProcessingService
// .executeCommand and fallbackExecuteCommand, fineract-core/.../commands/
// service/); before it nothing mapped one.
func mapsDataAccessErrors(v upstream.Version) bool { return v.AtLeast(upstream.V1_9) }

// repaysSettledLoans: 1.9.0 (commit 83de7652e) let Closed (obligations met)
// and Overpaid loans take repayments (Loan.validateRepaymentTypeAccountStatus),
// with its own refusal text; 1.8 takes them on Active loans only.
func repaysSettledLoans(v upstream.Version) bool { return v.AtLeast(upstream.V1_9) }
