package translate

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"lmsproxy/upstream/wire"
)

// TestWriteOutcomes: each answer to an unconfirmed write says what happened
// to the change; only a change known not to be applied is to be retried.
func TestWriteOutcomes(t *testing.T) {
	cutOff := &wire.Error{Op: "clients.create", Shape: wire.ShapeTransport, MaybeApplied: true, Err: errors.New("reset")}
	unusable := &wire.Error{Op: "clients.create", Status: http.StatusOK, Shape: wire.ShapeUnexpected, MaybeApplied: true}
	for _, tc := range []struct {
		name     string
		got      *Error
		code     Code
		message  string
		retrySay bool
	}{
		{"not applied", NotApplied(cutOff), Unavailable, "the change was not applied, retry the request", true},
		{"unknown after a cut-off", OutcomeUnknown(cutOff, Target{Resource: Customers}), Unavailable,
			"the change may have been applied, and the customer could not be read to find out; read it before retrying the request", true},
		{"unknown after an unusable answer, then a cut-off read", OutcomeUnknown(errors.Join(unusable, cutOff), Target{Resource: Customers}), Internal,
			"the change may have been applied, and the customer could not be read to find out; read it before retrying the request", true},
		{"applied", Applied(Customers, 42, cutOff), Internal,
			"the change was applied, but the customer could not be read back; read it with GET /v1/customers/42", false},
		{"unknown, naming the resource addressed", OutcomeUnknown(cutOff, Loans.ByID("5")), Unavailable,
			"the change may have been applied, and the loan could not be read to find out; read it before retrying the request", true},
		{"applied, naming the resource and where to read it", Applied(Loans, 5, cutOff), Internal,
			"the change was applied, but the loan could not be read back; read it with GET /v1/loans/5", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.code, tc.got.Code)
			assert.Equal(t, tc.message, tc.got.Message)
			assert.NotNil(t, tc.got.Cause, "the cause is kept for logs")
			if !tc.retrySay {
				assert.NotRegexp(t, `(?i)retry|resend|again`, tc.got.Message)
			}
			assertNoUpstreamVocabulary(t, tc.got.Message, Target{})
		})
	}
}

// TestUnexpectedAnswers: a redirect and a success body that is not the
// answer asked for are internal, whatever the body said.
func TestUnexpectedAnswers(t *testing.T) {
	for _, tc := range []struct {
		status  int
		message string
	}{
		{http.StatusFound, "lms: status=302: the loan management system sent an unexpected answer"},
		{http.StatusTemporaryRedirect, "lms: status=307: the loan management system sent an unexpected answer"},
		{http.StatusOK, "lms: status=200: the loan management system sent an answer that could not be read"},
	} {
		got := FromUpstream(&wire.Error{Op: "clients.get", Status: tc.status, Shape: wire.ShapeUnexpected}, byID("7"))
		assert.Equal(t, Internal, got.Code)
		assert.Equal(t, tc.message, got.Message)
	}
}
