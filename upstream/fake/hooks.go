package fake

import (
	"fmt"
	"net/http"
	"net/url"
)

// Test hooks: they let a test arrange upstream state and assert on what the
// proxy sent, without going through the simulated API.

// Request is one request as the simulator received it.
type Request struct {
	Method   string
	Path     string // escaped, as sent on the wire (an encoded "/" stays %2F)
	RawQuery string
	Header   http.Header
	Body     []byte
}

// Query parses RawQuery as the simulator does (";" stays inside values).
func (r Request) Query() url.Values { return parseQuery(r.RawQuery) }

// maxLoggedRequests bounds the request log, so a simulator serving `make run`
// or a load test for hours does not grow without end; tests look at far
// fewer requests than this.
const maxLoggedRequests = 10_000

// logRequest appends to the request log, dropping the oldest half when it
// is full. The caller holds s.mu.
func (s *Server) logRequest(r Request) {
	if len(s.requests) >= maxLoggedRequests {
		s.requests = append(s.requests[:0], s.requests[maxLoggedRequests/2:]...)
	}
	s.requests = append(s.requests, r)
}

// Requests returns the requests received so far, in order (the most recent
// maxLoggedRequests/2 at least).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Writes counts writes actually applied: creates, updates, deletes and
// commands that succeeded, excluding refusals, idempotent replays and
// maker-checker acceptances.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// Client returns the current state of one client.
func (s *Server) Client(id int64) (Snapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.db.clients[id]
	if !ok {
		return Snapshot{}, false
	}
	return *c, true
}

// AddClient stores a client in any state, with Seed's defaults, and returns
// its id. It panics when the client would break a unique index, because
// that is a mistake in the test's set-up, not upstream behaviour.
func (s *Server) AddClient(seed Seed) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := withDefaults(seed, s.today())
	s.db.prepare(c)
	if param, value, dup := s.db.conflict(c); dup {
		panic(fmt.Sprintf("fake: AddClient: %s %q already exists", param, value))
	}
	s.db.add(c)
	return c.ID
}

// DenyPermission takes a permission (e.g. "READ_CLIENT", "CREATE_CLIENT",
// "CLOSE_CLIENT") from the simulator's only user, so that the routes needing
// it answer 403 error.msg.not.authorized.
func (s *Server) DenyPermission(permission string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[permission] = true
}

// SetMakerChecker turns maker-checker on or off for a task (e.g.
// "CREATE_CLIENT", "CLOSE_CLIENT"): when on, a write that passes every check
// answers 200 {"commandId":n,...,"rollbackTransaction":true} and is not
// applied.
func (s *Server) SetMakerChecker(task string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.makerChecker[task] = on
}
