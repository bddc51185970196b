package fake

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"lmsproxy/upstream/wire"
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
func (s *Server) Client(id int64) (ClientSnapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.db.clients.rows[id]
	if !ok {
		return ClientSnapshot{}, false
	}
	return *c, true
}

// Loans returns every loan of a client in id order, so that a test can
// assert that an origination left no loan behind, or exactly one.
func (s *Server) Loans(clientID int64) []LoanSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []LoanSnapshot
	for _, l := range s.db.loansOf(clientID) {
		out = append(out, *l)
	}
	return out
}

// AddClient stores a client in any state, with ClientSeed's defaults, and
// returns its id. It panics when the client would break a unique index,
// because that is a mistake in the test's set-up, not upstream behaviour.
func (s *Server) AddClient(seed ClientSeed) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := clientWithDefaults(seed, s.today())
	s.db.prepareClient(c)
	if param, value, dup := s.db.conflict(c); dup {
		panic(fmt.Sprintf("fake: AddClient: %s %q already exists", param, value))
	}
	s.db.addClient(c)
	return c.ID
}

// AddLoan stores a loan of an existing client, in any state, with
// LoanSeed's defaults, and returns its id; the client's close command
// inspects it. It panics when the client does not exist.
func (s *Server) AddLoan(seed LoanSeed) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	today := s.today()
	l := loanWithDefaults(seed, today)
	s.db.addLoan(l, today)
	return l.ID
}

// LockLoanForCOB makes the Loan COB job hold the loan (locked) or release
// it: from 1.9 every write addressing it, directly or inside a batch, is
// then refused with 409 error.msg.loan.locked before anything else
// (LoanCOBApiFilter). 1.8 has no such filter.
func (s *Server) LockLoanForCOB(id int64, locked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if locked {
		s.db.cobLocked[id] = true
	} else {
		delete(s.db.cobLocked, id)
	}
}

// DenyPermission takes a permission (e.g. "READ_CLIENT", "CREATE_CLIENT",
// "ACTIVATE_CLIENT") from the simulator's only user, so that what needs it
// answers 403 error.msg.not.authorized. The user starts with every client
// permission and READ_BUSINESS_DATE (permissions.go).
func (s *Server) DenyPermission(permission string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.granted, permission)
}

// GrantPermission gives the simulator's only user a permission, e.g.
// "CHECKER_SUPER_USER" or "ALL_FUNCTIONS", which from 1.10 exempt it from
// maker-checker, or one DenyPermission took.
func (s *Server) GrantPermission(permission string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.granted[permission] = true
}

// SetMakerChecker turns maker-checker on or off for one command (e.g.
// "CREATE_CLIENT", "CLOSE_CLIENT"), with the global maker-checker setting
// taken as on: a held command runs every check, is not applied, and answers
// 200 with its command id (approvalResult has each line's body).
// ACTIVATE_CLIENT also holds a create with active=true. It panics for a
// permission the upstream cannot put under maker-checker (READ_*, *_CHECKER,
// the special ones) or the simulator does not run: a mistake in the test.
func (s *Server) SetMakerChecker(task string, on bool) {
	if !makerCheckable(task) {
		panic(fmt.Sprintf("fake: SetMakerChecker: %q is not a command permission the simulator runs", task))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.makerChecker[task] = on
}

// PendingCommands returns the commands held for approval so far, oldest
// first.
func (s *Server) PendingCommands() []PendingCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]PendingCommand(nil), s.pending...)
}

// PauseCommand holds the next command with this task (e.g.
// "REPAYMENT_LOAN") in flight: after its permission check and, on 1.9+,
// after its Idempotency-Key is stored UNDER_PROCESSING, before the
// handler runs. inFlight is closed when the command gets there; resume lets
// it go on. Meanwhile the simulator serves other requests, so a test can
// send a concurrent duplicate (425 on 1.9+) or read the state before the
// commit. Commands inside a batch are never held. Call resume once the test
// is done with the pause, or the paused request never answers.
func (s *Server) PauseCommand(task string) (inFlight <-chan struct{}, resume func()) {
	p := &pause{task: task, reached: make(chan struct{}), resume: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pauses = append(s.pauses, p)
	var once sync.Once
	return p.reached, func() { once.Do(func() { close(p.resume) }) }
}

// LoanTransactionSnapshot is one m_loan_transaction row as a test sees it,
// whatever the line shows of it.
type LoanTransactionSnapshot struct {
	ID         int64
	Type       int64 // wire.LoanTransaction*
	Date       wire.Date
	Amount     wire.Amount
	ExternalID string
	Reversed   bool
}

// LoanTransactions returns every transaction of a loan, reversed ones
// included, in id order, so that a test can count what was posted.
func (s *Server) LoanTransactions(loanID int64) []LoanTransactionSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.db.loans.rows[loanID]
	if !ok {
		return nil
	}
	txs := append([]*loanTx(nil), l.txs...)
	slices.SortFunc(txs, func(a, b *loanTx) int { return cmp.Compare(a.id, b.id) })
	out := make([]LoanTransactionSnapshot, len(txs))
	for i, t := range txs {
		amount, _ := t.amount.MarshalJSON()
		out[i] = LoanTransactionSnapshot{ID: t.id, Type: t.typ, Date: t.date, Amount: wire.Amount(amount),
			ExternalID: t.externalID, Reversed: t.reversed()}
	}
	return out
}
