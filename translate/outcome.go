package translate

import "strconv"

// The answers to a write the proxy could not confirm by reading the resource
// back (server/reconcile.go). None of the seven codes alone tells a partner
// whether to send a write again, so each message says what happened to the
// change and what to do next; the README's retry guidance repeats them.

// NotApplied answers a write whose outcome was unknown until the resource,
// read back, showed it was not applied: sending it again is safe.
func NotApplied(cause error) *Error {
	return &Error{Code: Unavailable, Message: "the change was not applied, retry the request", Cause: cause}
}

// OutcomeUnknown answers a write that may have been applied when the
// resource t addresses could not be read to find out. cause is the failure, or the
// write's and the read's joined (errors.Join); the code is the first's
// (unavailable after a cut-off, internal after an unusable answer). The
// message tells the partner to read before sending the write again, which
// could otherwise fail as a duplicate or a second close.
func OutcomeUnknown(cause error, t Target) *Error {
	return &Error{
		Code:    FromUpstream(cause, t).Code,
		Message: "the change may have been applied, and the " + t.Resource.noun() + " could not be read to find out; read it before retrying the request",
		Cause:   cause,
	}
}

// Applied answers a write the upstream confirmed when the r with id id
// could not be read back. It is internal, not unavailable, because the
// change is done: the partner is told where to read it, never to send the
// write again.
func Applied(r Resource, id int64, readErr error) *Error {
	return &Error{
		Code:    Internal,
		Message: "the change was applied, but the " + r.noun() + " could not be read back; read it with GET " + r.Path + "/" + strconv.FormatInt(id, 10),
		Cause:   readErr,
	}
}
