package fake

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"lmsproxy/upstream/wire"
)

// ClientSeed describes one client for AddClient. Zero fields take the
// defaults noted, so a test only spells out what it cares about.
type ClientSeed struct {
	Status     int    // wire.ClientStatus*; 0 → wire.ClientStatusActive
	AccountNo  string // "" → the id zero-padded to 9 digits, as AccountNumberGenerator does
	ExternalID string
	Firstname  string
	Middlename string
	Lastname   string
	Fullname   string
	MobileNo   string
	Email      string
	// DateOfBirth is optional.
	DateOfBirth wire.Date
	OfficeID    int64     // 0 → HeadOfficeID
	LegalFormID int       // 0 → wire.LegalFormPerson
	SubmittedOn wire.Date // zero → the business date
	// ActivatedOn zero → SubmittedOn for any status that has been active
	// (active, transfers, closed).
	ActivatedOn wire.Date
	// ClosedOn zero → the business date when Status is closed.
	ClosedOn        wire.Date
	ClosureReasonID int64
	IsStaff         bool

	// OpenSavings stands for an active, submitted or approved savings
	// account, which the close command refuses: the simulator has no
	// savings accounts. Loans are records of their own (AddLoan).
	OpenSavings bool
}

// ClientSnapshot is the current state of one client.
type ClientSnapshot struct {
	ID int64
	ClientSeed
}

// DisplayName is derived as the upstream derives it: the full name if set,
// else the name parts joined by single spaces.
func (c *ClientSnapshot) DisplayName() string {
	if c.Fullname != "" {
		return c.Fullname
	}
	parts := make([]string, 0, 3)
	for _, p := range []string{c.Firstname, c.Middlename, c.Lastname} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// active mirrors ClientData.active: true only for status 300.
func (c *ClientSnapshot) active() bool { return c.Status == wire.ClientStatusActive }

// office is an organisational unit a client belongs to.
type office struct {
	id      int64
	name    string
	opening wire.Date
}

// codeValue is one value of a named code (e.g. ClientClosureReason).
type codeValue struct {
	code string
	name string
}

// store is the simulator's database: a table per resource, each numbered
// by its own sequence (m_client and m_loan ids are independent). It is not
// safe for concurrent use; the Server serialises access.
type store struct {
	offices    map[int64]office
	codeValues map[int64]codeValue
	clients    table[ClientSnapshot]
	loans      table[LoanSnapshot]
	products   table[loanProduct]
	loanTxs    sequence // m_loan_transaction ids
	// cobLocked are the loans the Loan COB job holds hard-locked
	// (m_loan_account_locks; LockLoanForCOB).
	cobLocked map[int64]bool
	// paymentTypes are m_payment_type by id (disbursements name one).
	paymentTypes map[int64]string
}

func newStore() *store {
	return &store{
		offices:    map[int64]office{},
		codeValues: map[int64]codeValue{},
		clients:    newTable[ClientSnapshot](),
		loans:      newTable[LoanSnapshot](),
		products:   newTable[loanProduct](),
		loanTxs:    sequence{next: 1},
		cobLocked:  map[int64]bool{},

		paymentTypes: map[int64]string{},
	}
}

// sequence is a table's auto-increment counter.
type sequence struct {
	next int64 // the id the next insert takes
}

// burn uses up the next id without storing a row, as an insert that is
// rolled back does (a create held for approval).
func (q *sequence) burn() int64 {
	id := q.next
	q.next++
	return id
}

// table is one table of the simulated database: its rows by id and the
// sequence that numbers them.
type table[T any] struct {
	sequence
	rows map[int64]*T
}

func newTable[T any]() table[T] { return table[T]{sequence: sequence{next: 1}, rows: map[int64]*T{}} }

// insert stores row under id, the id the sequence offered (a caller may
// take it before the insert, to check the row first); the sequence moves
// past it.
func (t *table[T]) insert(id int64, row *T) {
	t.rows[id] = row
	t.next = id + 1
}

// sorted returns every row ordered by id, so that scans (and the scramble
// of an unordered list) are deterministic.
func (t *table[T]) sorted() []*T {
	out := make([]*T, 0, len(t.rows))
	for _, id := range slices.Sorted(maps.Keys(t.rows)) {
		out = append(out, t.rows[id])
	}
	return out
}

// clientByExternalID resolves an external id the way WHERE external_id = ?
// does under the database's case-insensitive collation.
func (st *store) clientByExternalID(ext string) *ClientSnapshot {
	for _, c := range st.clients.sorted() {
		if c.ExternalID != "" && collationEqual(c.ExternalID, ext) {
			return c
		}
	}
	return nil
}

// hasCodeValue reports whether id is a value of the named code.
func (st *store) hasCodeValue(code string, id int64) bool {
	cv, ok := st.codeValues[id]
	return ok && cv.code == code
}

// uniqueColumn is one unique index of m_client, in the order the upstream's
// handleDataIntegrityIssues tests the database message.
type uniqueColumn struct {
	param string
	get   func(*ClientSnapshot) string
}

var uniqueColumns = []uniqueColumn{
	{"externalId", func(c *ClientSnapshot) string { return c.ExternalID }},
	{"accountNo", func(c *ClientSnapshot) string { return c.AccountNo }},
	{"mobileNo", func(c *ClientSnapshot) string { return c.MobileNo }},
}

// conflict returns the first unique column (and the other client's value)
// that candidate would duplicate, ignoring the client with the same id.
func (st *store) conflict(candidate *ClientSnapshot) (param, value string, found bool) {
	for _, col := range uniqueColumns {
		v := col.get(candidate)
		if v == "" {
			continue
		}
		for _, c := range st.clients.rows {
			if c.ID != candidate.ID && collationEqual(col.get(c), v) {
				return col.param, v, true
			}
		}
	}
	return "", "", false
}

// prepareClient gives a new client the next id and, when none was given,
// the generated account number, so that uniqueness can be checked before
// addClient.
func (st *store) prepareClient(c *ClientSnapshot) {
	c.ID = st.clients.next
	if c.AccountNo == "" {
		c.AccountNo = generatedAccountNo(c.ID)
	}
}

// addClient stores a prepared client.
func (st *store) addClient(c *ClientSnapshot) { st.clients.insert(c.ID, c) }

// generatedAccountNo is the default account number format: the id padded to
// nine digits.
func generatedAccountNo(id int64) string { return fmt.Sprintf("%09d", id) }

// collationEqual compares as a case-insensitive database collation does.
func collationEqual(a, b string) bool { return strings.EqualFold(a, b) }

// foldRune is the per-character comparison of collationEqual, for LIKE.
func foldRune(r rune) rune { return unicode.ToLower(r) }
