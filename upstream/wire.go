package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Date is a calendar date as the upstream writes it. Every Fineract line
// serialises LocalDate as a JSON array [y, m, d] (Gson's LocalDateAdapter), but
// a build that writes success bodies with Jackson emits ISO "yyyy-MM-dd"
// strings instead (fineract-facts §7), so both decode. The zero Date means
// "absent".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// IsZero reports whether the date is absent.
func (d Date) IsZero() bool { return d == Date{} }

// ISO renders the date as YYYY-MM-DD, or "" when absent.
func (d Date) ISO() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseISODate parses YYYY-MM-DD and rejects impossible dates (2024-02-30).
func ParseISODate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a YYYY-MM-DD date: %q", s)
	}
	return DateOf(t), nil
}

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// UnmarshalJSON accepts [y,m,d], "yyyy-MM-dd" and null. The array form is
// parsed by hand: a list page carries three dates per client, and a nested
// json.Unmarshal per date was the largest allocation on the read path.
func (d *Date) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*d = Date{}
		return nil
	case len(b) > 0 && b[0] == '[':
		parts, err := parseDateArray(b)
		if err != nil {
			return err
		}
		t := time.Date(parts[0], time.Month(parts[1]), parts[2], 0, 0, 0, 0, time.UTC)
		if t.Year() != parts[0] || int(t.Month()) != parts[1] || t.Day() != parts[2] {
			return fmt.Errorf("date array %v is not a calendar date", parts)
		}
		*d = DateOf(t)
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		parsed, err := ParseISODate(s)
		if err != nil {
			return err
		}
		*d = parsed
		return nil
	}
	return fmt.Errorf("date: unexpected JSON %.20q", b)
}

// parseDateArray reads exactly three non-negative integers in [ ], with
// optional white space, as the upstream's LocalDateAdapter writes them.
func parseDateArray(b []byte) ([3]int, error) {
	var parts [3]int
	fields := bytes.Split(bytes.TrimSuffix(b[1:], []byte("]")), []byte(","))
	if len(fields) != 3 || b[len(b)-1] != ']' {
		return parts, fmt.Errorf("date array %.40q: want [year, month, day]", b)
	}
	for i, f := range fields {
		n, err := strconv.Atoi(string(bytes.TrimSpace(f)))
		if err != nil || n < 0 {
			return parts, fmt.Errorf("date array %.40q: want [year, month, day]", b)
		}
		parts[i] = n
	}
	return parts, nil
}

// MarshalJSON writes the array form, as the upstream's own success bodies do;
// only the simulator and recorded fixtures marshal dates.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte("[" + strconv.Itoa(d.Year) + "," + strconv.Itoa(int(d.Month)) + "," + strconv.Itoa(d.Day) + "]"), nil
}

// EnumOption is the upstream's {id, code, value} triple (BaseEnumOptionData).
type EnumOption struct {
	ID    int64  `json:"id"`
	Code  string `json:"code,omitempty"`
	Value string `json:"value,omitempty"`
}

// Client status ids (ClientStatus.java). They are stable across every line,
// unlike the labels, so callers key on them.
const (
	StatusInvalid            = 0
	StatusPending            = 100
	StatusActive             = 300
	StatusTransferInProgress = 303
	StatusTransferOnHold     = 304
	StatusClosed             = 600
	StatusRejected           = 700
	StatusWithdrawn          = 800
)

// Timeline carries the lifecycle dates of a client.
type Timeline struct {
	SubmittedOnDate Date `json:"submittedOnDate,omitzero"`
	ActivatedOnDate Date `json:"activatedOnDate,omitzero"`
	ClosedOnDate    Date `json:"closedOnDate,omitzero"`
}

// ClientData is one client as GET /clients/{id} and the list's pageItems
// return it. Only the fields the proxy reads are declared; the rest of the
// (version-dependent) body is ignored on decode.
type ClientData struct {
	ID             int64       `json:"id"`
	AccountNo      string      `json:"accountNo,omitempty"`
	ExternalID     string      `json:"externalId,omitempty"`
	Status         *EnumOption `json:"status,omitempty"`
	Active         bool        `json:"active"`
	ActivationDate Date        `json:"activationDate,omitzero"`
	Firstname      string      `json:"firstname,omitempty"`
	Middlename     string      `json:"middlename,omitempty"`
	Lastname       string      `json:"lastname,omitempty"`
	Fullname       string      `json:"fullname,omitempty"`
	DisplayName    string      `json:"displayName,omitempty"`
	MobileNo       string      `json:"mobileNo,omitempty"`
	EmailAddress   string      `json:"emailAddress,omitempty"`
	DateOfBirth    Date        `json:"dateOfBirth,omitzero"`
	OfficeID       int64       `json:"officeId,omitempty"`
	OfficeName     string      `json:"officeName,omitempty"`
	Timeline       *Timeline   `json:"timeline,omitempty"`
	LegalForm      *EnumOption `json:"legalForm,omitempty"`
}

// StatusID returns the status id, or StatusInvalid when the body had none.
func (c ClientData) StatusID() int64 {
	if c.Status == nil {
		return StatusInvalid
	}
	return c.Status.ID
}

// ClientPage is Page<ClientData>: {"totalFilteredRecords", "pageItems"}.
type ClientPage struct {
	TotalFilteredRecords int64        `json:"totalFilteredRecords"`
	PageItems            []ClientData `json:"pageItems"`
}

// Date format and locale sent with every dated write. The upstream needs both
// beside any date string (JsonParserHelper); ISO keeps them unambiguous.
const (
	WireDateFormat = "yyyy-MM-dd"
	WireLocale     = "en"
)

// LegalFormPerson is legalFormId 1 (PERSON), mandatory on create in every line.
const LegalFormPerson = 1

// ClientCreate is the body of POST /clients.
type ClientCreate struct {
	OfficeID        int64  `json:"officeId"`
	LegalFormID     int    `json:"legalFormId"`
	Firstname       string `json:"firstname"`
	Lastname        string `json:"lastname"`
	ExternalID      string `json:"externalId"`
	Active          bool   `json:"active"`
	ActivationDate  string `json:"activationDate"`
	SubmittedOnDate string `json:"submittedOnDate"`
	DateFormat      string `json:"dateFormat"`
	Locale          string `json:"locale"`
}

// ClientUpdate is the body of PUT /clients/{id}; nil fields are not sent.
type ClientUpdate struct {
	ExternalID *string `json:"externalId,omitempty"`
	Firstname  *string `json:"firstname,omitempty"`
	Lastname   *string `json:"lastname,omitempty"`
}

// ClientClose is the body of POST /clients/{id}?command=close.
type ClientClose struct {
	ClosureDate     string `json:"closureDate"`
	ClosureReasonID int64  `json:"closureReasonId"`
	DateFormat      string `json:"dateFormat"`
	Locale          string `json:"locale"`
}

// CommandResult is the body of every successful write (CommandProcessingResult).
//
// A maker-checker deployment answers HTTP 200 with CommandID set and no
// ClientID: the write was stored for approval, not applied. Its shape differs
// by line: up to 1.9 {"commandId","resourceId","rollbackTransaction":false}
// through the usual serializer; from 1.10 RollbackTransactionNotApprovedExceptionMapper
// writes it with plain Gson, so rollbackTransaction is true and the
// ExternalId members are objects ({} when empty), which ExternalIDValue
// reads (fineract-core/.../infrastructure/core/exceptionmapper/
// RollbackTransactionNotApprovedExceptionMapper.java and
// .../commands/exception/RollbackTransactionNotApprovedException.java,
// 1.10.1 and develop).
type CommandResult struct {
	CommandID             int64           `json:"commandId,omitempty"`
	OfficeID              int64           `json:"officeId,omitempty"`
	ClientID              int64           `json:"clientId,omitempty"`
	ResourceID            int64           `json:"resourceId,omitempty"`
	Changes               map[string]any  `json:"changes,omitempty"`
	ResourceExternalID    ExternalIDValue `json:"resourceExternalId,omitempty"`
	SubResourceExternalID ExternalIDValue `json:"subResourceExternalId,omitempty"`
	RollbackTransaction   bool            `json:"rollbackTransaction,omitempty"`
}

// AwaitingApproval reports a maker-checker acceptance: stored, not applied.
// Applied client writes answer a clientId, and their commandId is null (the
// handlers return command.commandId(), set only when a checker approves a
// stored command).
func (r CommandResult) AwaitingApproval() bool { return r.CommandID != 0 && r.ClientID == 0 }

// ExternalIDValue is an external id in a write result: a string (or null)
// where the upstream's ExternalIdAdapter wrote it, the ExternalId value
// object — {"value":"x"}, or {} when empty — where plain Gson did. Empty
// and null read as "".
type ExternalIDValue string

// UnmarshalJSON accepts "x", null, {} and {"value":"x"|null}.
func (e *ExternalIDValue) UnmarshalJSON(b []byte) error {
	var object struct {
		Value string `json:"value"`
	}
	var into any = &object.Value
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '{' {
		into = &object
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("externalId: want a string, null or an ExternalId object: %w", err)
	}
	*e = ExternalIDValue(object.Value)
	return nil
}
