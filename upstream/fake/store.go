package fake

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"lmsproxy/upstream/wire"
)

// Seed describes one client for AddClient. Zero fields take the defaults
// noted, so a test only spells out what it cares about.
type Seed struct {
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

	// Accounts the close command inspects. The simulator has no loan or
	// savings API; these flags stand for what the upstream would find.
	OpenLoan     bool      // an active, pending or approved loan
	OverpaidLoan bool      // an overpaid loan
	LoanClosedOn wire.Date // close date of the latest closed loan
	OpenSavings  bool      // an active, submitted or approved savings account
}

// Snapshot is the current state of one client.
type Snapshot struct {
	ID int64
	Seed
}

// DisplayName is derived as the upstream derives it: the full name if set,
// else the name parts joined by single spaces.
func (c *Snapshot) DisplayName() string {
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
func (c *Snapshot) active() bool { return c.Status == wire.ClientStatusActive }

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

// store is the simulator's database. It is not safe for concurrent use; the
// Server serialises access.
type store struct {
	offices    map[int64]office
	codeValues map[int64]codeValue
	clients    map[int64]*Snapshot
	nextID     int64
}

func newStore() *store {
	return &store{
		offices:    map[int64]office{},
		codeValues: map[int64]codeValue{},
		clients:    map[int64]*Snapshot{},
		nextID:     1,
	}
}

// sorted returns every client ordered by id, so that scans (and the
// scramble of an unordered list) are deterministic.
func (st *store) sorted() []*Snapshot {
	out := make([]*Snapshot, 0, len(st.clients))
	for _, c := range st.clients {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// byExternalID resolves an external id the way WHERE external_id = ? does
// under the database's case-insensitive collation.
func (st *store) byExternalID(ext string) *Snapshot {
	for _, c := range st.sorted() {
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
	get   func(*Snapshot) string
}

var uniqueColumns = []uniqueColumn{
	{"externalId", func(c *Snapshot) string { return c.ExternalID }},
	{"accountNo", func(c *Snapshot) string { return c.AccountNo }},
	{"mobileNo", func(c *Snapshot) string { return c.MobileNo }},
}

// conflict returns the first unique column (and the other client's value)
// that candidate would duplicate, ignoring the client with the same id.
func (st *store) conflict(candidate *Snapshot) (param, value string, found bool) {
	for _, col := range uniqueColumns {
		v := col.get(candidate)
		if v == "" {
			continue
		}
		for _, c := range st.clients {
			if c.ID != candidate.ID && collationEqual(col.get(c), v) {
				return col.param, v, true
			}
		}
	}
	return "", "", false
}

// prepare gives a new client the next id and, when none was given, the
// generated account number, so that uniqueness can be checked before add.
func (st *store) prepare(c *Snapshot) {
	c.ID = st.nextID
	if c.AccountNo == "" {
		c.AccountNo = generatedAccountNo(c.ID)
	}
}

// add stores a prepared client.
func (st *store) add(c *Snapshot) {
	st.clients[c.ID] = c
	st.nextID = c.ID + 1
}

// generatedAccountNo is the default account number format: the id padded to
// nine digits.
func generatedAccountNo(id int64) string { return fmt.Sprintf("%09d", id) }

// collationEqual compares as a case-insensitive database collation does.
func collationEqual(a, b string) bool { return strings.EqualFold(a, b) }

// foldRune is the per-character comparison of collationEqual, for LIKE.
func foldRune(r rune) rune { return unicode.ToLower(r) }
