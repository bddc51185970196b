// Package wire holds the upstream's (Apache Fineract's) wire types: the
// bodies it answers and accepts, and the one error type every failed call
// returns. It does no I/O and imports no HTTP client, so translate/, which
// maps these types to partner shapes, depends on them alone and the
// compiler enforces that it cannot call the upstream (translate's
// TestNoIO). Each resource's types live in a file of their own
// (clients.go); the ones here are shared by every resource.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// EnumOption is the upstream's {id, code, value} triple (BaseEnumOptionData).
type EnumOption struct {
	ID    int64  `json:"id"`
	Code  string `json:"code,omitempty"`
	Value string `json:"value,omitempty"`
}

// Date format and locale sent with every dated write. The upstream needs both
// beside any date string (JsonParserHelper); ISO keeps them unambiguous.
const (
	DateFormat = "yyyy-MM-dd"
	Locale     = "en"
)

// Page is the upstream's Page<T>, the body of a list:
// {"totalFilteredRecords", "pageItems"}.
type Page[T any] struct {
	TotalFilteredRecords int64 `json:"totalFilteredRecords"`
	PageItems            []T   `json:"pageItems"`
}

// WellFormed reports a page that is not one. A page always carries
// pageItems: PaginationHelper.fetchPage builds it from the JDBC result list,
// which is never null (fineract-core/.../core/service/PaginationHelper.java
// at 1.10.1, fineract-provider/... at 1.8.4). Each item must be well formed
// itself (a client with an id, say); an item that is not cannot be addressed
// by the partner, so the page is refused whole rather than shown with an id
// "0" or silently shortened. totalFilteredRecords is not compared with the
// items: outside MySQL it comes from a second query and may disagree under
// concurrent writes.
func (p *Page[T]) WellFormed() error {
	if p.PageItems == nil {
		return errors.New("page answer carries no pageItems")
	}
	for i := range p.PageItems {
		item, checked := any(&p.PageItems[i]).(Checked)
		if !checked {
			continue
		}
		if err := item.WellFormed(); err != nil {
			return fmt.Errorf("page item %d: %w", i, err)
		}
	}
	return nil
}

// Checked is implemented by the bodies that can tell a well-formed answer
// from one that merely decodes: null, {} and another resource's record all
// decode, and each would reach a partner as a 200 with a made-up answer. The
// upstream client runs WellFormed on every body it decodes.
type Checked interface{ WellFormed() error }

// ListQuery is one page request. Limit must be positive: without it the
// upstream returns 200 rows (≤1.9) or every row (1.10+). OrderBy is one of
// the resource's sort columns ("" is id) and SortOrder ASC or DESC ("" is
// ASC); the upstream client refuses anything else, as the upstream appends
// both to its SQL.
type ListQuery struct {
	Offset    int
	Limit     int
	OrderBy   string
	SortOrder string
}

// CommandResult is the body of every successful write (CommandProcessingResult),
// whatever the resource. Which id names the entity written depends on the
// resource: ClientID for client commands, LoanID for loan commands and loan
// transactions (ResourceID is a transaction id on some of those); the
// upstream client checks the one its resource names.
//
// A maker-checker deployment answers HTTP 200 with CommandID set: the write
// was stored for approval, not applied. Its shape differs
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
	LoanID                int64           `json:"loanId,omitempty"`
	ResourceID            int64           `json:"resourceId,omitempty"`
	SubResourceID         int64           `json:"subResourceId,omitempty"`
	Changes               map[string]any  `json:"changes,omitempty"`
	ResourceExternalID    ExternalIDValue `json:"resourceExternalId,omitempty"`
	SubResourceExternalID ExternalIDValue `json:"subResourceExternalId,omitempty"`
	RollbackTransaction   bool            `json:"rollbackTransaction,omitempty"`
}

// AwaitingApproval reports a maker-checker acceptance: stored, not applied.
// It keys on the command id alone, so it holds for every resource: the
// acceptance is the one result that carries one (logCommand's
// CommandProcessingResultBuilder().withCommandId up to 1.9, the
// RollbackTransactionNotApprovedException's result, rollbackTransaction
// true, from 1.10), while every applied write answers a null commandId,
// because its handler returns command.commandId(), which is set only when a
// checker approves a stored command, and the proxy never approves
// (SynchronousCommandProcessingService.java, fineract-provider/.../commands/
// service/ at 1.8.4, fineract-core/... at 1.9.0 and 1.10.1).
func (r CommandResult) AwaitingApproval() bool { return r.CommandID != 0 }

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
