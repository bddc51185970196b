package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The Batch API (POST /batches, BatchApiResource; BatchRequest,
// BatchResponse and Header in .../batch/domain/, fineract-provider at 1.8.4,
// fineract-core at 1.9.0 and 1.10.1): logical requests in one HTTP call,
// answered with one logical response each, all inside one database
// transaction with ?enclosingTransaction=true. Used by the loans handlers,
// next.

// BatchHeader is one header of a logical request or response.
type BatchHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// BatchRequest is one logical request. RelativeURL is the path after the API
// base ("loans" on 1.8, "v1/loans" from 1.9) and may hold "$.member"
// segments, replaced by that member of the Reference request's response
// body (ResolutionHelper); the request then runs only when that one
// answered 200. Body is the request's JSON as a string.
type BatchRequest struct {
	RequestID   int64         `json:"requestId"`
	RelativeURL string        `json:"relativeUrl"`
	Method      string        `json:"method"`
	Headers     []BatchHeader `json:"headers,omitempty"`
	Reference   int64         `json:"reference,omitempty"`
	Body        string        `json:"body,omitempty"`
}

// BatchResponse is one logical response: the status and the body, a JSON
// string, the request would have had on its own, with the differences
// Error undoes.
type BatchResponse struct {
	RequestID  int64         `json:"requestId"`
	StatusCode int           `json:"statusCode"`
	Headers    []BatchHeader `json:"headers,omitempty"`
	Body       string        `json:"body"`
}

// BatchResponses is the body of POST /batches: a JSON array.
type BatchResponses []BatchResponse

// WellFormed reports a body that is not a batch answer: every logical
// response has a status (BatchApiServiceImpl sets one on every path, 500
// when none is known).
func (rs *BatchResponses) WellFormed() error {
	if *rs == nil {
		return errors.New("batch answer is not a list")
	}
	for i, r := range *rs {
		if r.StatusCode == 0 {
			return fmt.Errorf("batch response %d carries no status", i)
		}
	}
	return nil
}

// batchRollbackPrefix starts the one response an enclosing transaction
// gives when it was rolled back at commit; the first failed response
// follows as JSON (BatchApiServiceImpl.handleBatchRequestsWithEnclosingTransaction
// at 1.8.4, buildErrorResponses at 1.10.1). On 1.8.4 that is how every
// failed command ends, since it marked the shared transaction rollback-only;
// 1.10.1 mostly answers the responses so far and the failed one instead.
const batchRollbackPrefix = "Transaction is being rolled back. First erroneous request: \n"

// OK reports a 200, the only status the Batch API treats as success.
func (r BatchResponse) OK() bool { return r.StatusCode == 200 }

// Unwrapped is the failed response a rollback answer carries, or r itself.
func (r BatchResponse) Unwrapped() BatchResponse {
	rest, ok := strings.CutPrefix(r.Body, batchRollbackPrefix)
	if !ok {
		return r
	}
	var inner BatchResponse
	if err := json.Unmarshal([]byte(rest), &inner); err != nil || inner.StatusCode == 0 {
		return r
	}
	return inner
}

// FirstFailure is the first response in request order that is not a 200,
// unwrapped; ok is false when every one succeeded. With an enclosing
// transaction nothing of the batch was applied then, although earlier
// responses say 200: 1.10.1 answers them before the rollback.
func (rs BatchResponses) FirstFailure() (BatchResponse, bool) {
	var first *BatchResponse
	for i := range rs {
		if !rs[i].OK() && (first == nil || rs[i].RequestID < first.RequestID) {
			first = &rs[i]
		}
	}
	if first == nil {
		return BatchResponse{}, false
	}
	return first.Unwrapped(), true
}

// Error is the failed response as the one *Error of a call made on its own,
// named op. The body is the error JSON the request would have had; the
// status is the one that body names when it is an envelope, because the
// batch's error handler reports some answers under another one (1.8.4's
// batch ErrorHandler.handler gives domain-rule violations, a 403 on their
// own, statusCode 500; fineract-provider/.../batch/exception/ErrorHandler.java).
func (r BatchResponse) Error(op string) *Error {
	e := ParseError(op, r.StatusCode, []byte(r.Body))
	if e.Shape == ShapeEnvelope {
		var env struct {
			HTTPStatusCode string `json:"httpStatusCode"`
		}
		if json.Unmarshal([]byte(r.Body), &env) == nil {
			if status, err := strconv.Atoi(env.HTTPStatusCode); err == nil && status >= 400 && status <= 599 {
				e.Status = status
			}
		}
	}
	return e
}
