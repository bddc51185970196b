package upstream

import (
	"errors"
	"fmt"

	"lmsproxy/upstream/wire"
)

// The constructors of the *wire.Error values the client makes itself, when
// the upstream's answer is missing or unusable; wire.ParseError makes the
// rest from the upstream's error bodies.

// transportError wraps a failure to get any response.
func transportError(op string, maybeApplied bool, err error) *wire.Error {
	e := &wire.Error{Op: op, Shape: wire.ShapeTransport, MaybeApplied: maybeApplied, Err: err}
	var open breakerOpenError
	if errors.As(err, &open) {
		e.RetryAfter = open.wait
	}
	return e
}

// decodeError reports a 2xx body the proxy could not understand.
func decodeError(op string, status int, err error) *wire.Error {
	return &wire.Error{Op: op, Status: status, Shape: wire.ShapeOther, Err: fmt.Errorf("decoding response: %w", err)}
}

// unexpectedAnswer is an answer that is not one to the request sent; the
// status is kept, so translate's table maps it (2xx and 3xx rows).
func unexpectedAnswer(op string, status int, cause error) *wire.Error {
	return &wire.Error{Op: op, Status: status, Shape: wire.ShapeUnexpected, Err: cause}
}
