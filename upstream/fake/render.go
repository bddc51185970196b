package fake

import (
	"strconv"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// statusLabels are ClientEnumerations.status: code suffix and label per id.
var statusLabels = map[int][2]string{
	wire.ClientStatusInvalid:            {"invalid", "Invalid"},
	wire.ClientStatusPending:            {"pending", "Pending"},
	wire.ClientStatusActive:             {"active", "Active"},
	wire.ClientStatusTransferInProgress: {"transfer.in.progress", "Transfer in progress"},
	wire.ClientStatusTransferOnHold:     {"transfer.on.hold", "Transfer on hold"},
	wire.ClientStatusClosed:             {"closed", "Closed"},
	wire.ClientStatusRejected:           {"rejected", "Rejected"},
	wire.ClientStatusWithdrawn:          {"withdraw", "Withdrawn"},
}

func statusObject(id int) obj {
	l := statusLabels[id]
	return obj{{"id", id}, {"code", "clientStatusType." + l[0]}, {"value", l[1]}}
}

// legalFormObject is the legalForm enum option; its value is the enum name
// up to 1.8 and a label from 1.9.
func legalFormObject(v upstream.Version, id int) any {
	names := map[int][3]string{1: {"person", "PERSON", "Person"}, 2: {"entity", "ENTITY", "Entity"}}
	n, ok := names[id]
	if !ok {
		return nil
	}
	value := n[1]
	if legalFormLabels(v) {
		value = n[2]
	}
	return obj{{"id", id}, {"code", "legalFormType." + n[0]}, {"value", value}}
}

// unsetCodeValue is how the SQL row mapper writes an unset code value
// (CodeValueData with primitive booleans).
func unsetCodeValue() obj { return obj{{"active", false}, {"mandatory", false}} }

// user is who the timeline says performed each step: the only user there is.
type user struct{ username string }

func (u user) fields(prefix string) []field {
	return []field{
		{prefix + "Username", u.username},
		{prefix + "Firstname", "App"},
		{prefix + "Lastname", "Administrator"},
	}
}

// timeline is ClientTimelineData. The 1.9+ single-client mapper passes no
// submittedBy* values.
func (u user) timeline(c *Snapshot, withSubmitter bool) obj {
	t := obj{{"submittedOnDate", optDate(c.SubmittedOn)}}
	if withSubmitter {
		t = append(t, u.fields("submittedBy")...)
	}
	if !c.ActivatedOn.IsZero() {
		t = append(t, field{"activatedOnDate", c.ActivatedOn})
		t = append(t, u.fields("activatedBy")...)
	}
	if !c.ClosedOn.IsZero() {
		t = append(t, field{"closedOnDate", c.ClosedOn})
		t = append(t, u.fields("closedBy")...)
	}
	return t
}

// identity is the leading members every client shape shares, up to the
// status; rowMapperClient and entityClient continue from it.
func identity(c *Snapshot) obj {
	return obj{
		{"id", c.ID},
		{"accountNo", c.AccountNo},
		{"externalId", optString(c.ExternalID)},
		{"status", statusObject(c.Status)},
	}
}

// personal is the members from "active" to dateOfBirth, with the SQL row
// mapper's unset code values interleaved when withCodes is set.
func personal(c *Snapshot, withCodes bool) obj {
	o := obj{}
	if withCodes {
		o = append(o, field{"subStatus", unsetCodeValue()})
	}
	o = append(o,
		field{"active", c.active()},
		field{"activationDate", optDate(c.ActivatedOn)},
		field{"firstname", optString(c.Firstname)},
		field{"middlename", optString(c.Middlename)},
		field{"lastname", optString(c.Lastname)},
		field{"fullname", optString(c.Fullname)},
		field{"displayName", c.DisplayName()},
		field{"mobileNo", optString(c.MobileNo)},
		field{"emailAddress", optString(c.Email)},
		field{"dateOfBirth", optDate(c.DateOfBirth)},
	)
	if withCodes {
		o = append(o,
			field{"gender", unsetCodeValue()},
			field{"clientType", unsetCodeValue()},
			field{"clientClassification", unsetCodeValue()},
		)
	}
	return o
}

// rowMapperClient is a client as the SQL row mapper writes it: every list
// item in every line, and GET /clients/{id} up to 1.8 (withCollections adds
// that endpoint's groups and collateral lists).
func (s *Server) rowMapperClient(c *Snapshot, withCollections bool) obj {
	o := identity(c)
	o = append(o, personal(c, true)...)
	o = append(o,
		field{"isStaff", c.IsStaff},
		field{"officeId", c.OfficeID},
		field{"officeName", s.db.offices[c.OfficeID].name},
		field{"timeline", s.user().timeline(c, true)},
		field{"legalForm", legalFormObject(s.opts.Version, c.LegalFormID)},
	)
	if withCollections {
		o = append(o, field{"clientCollateralManagements", []any{}}, field{"groups", []any{}})
	}
	return append(o, field{"clientNonPersonDetails", obj{
		{"constitution", unsetCodeValue()},
		{"mainBusinessLine", unsetCodeValue()},
	}})
}

// entityClient is GET /clients/{id} from 1.9 (entity → MapStruct): no unset
// code values, no submittedBy*, and savingsProductName mapped from the
// client id (an upstream bug reproduced on purpose).
func (s *Server) entityClient(c *Snapshot) obj {
	o := identity(c)
	o = append(o, personal(c, false)...)
	return append(o,
		field{"isStaff", c.IsStaff},
		field{"officeId", c.OfficeID},
		field{"officeName", s.db.offices[c.OfficeID].name},
		field{"timeline", s.user().timeline(c, false)},
		field{"savingsProductName", strconv.FormatInt(c.ID, 10)},
		field{"legalForm", legalFormObject(s.opts.Version, c.LegalFormID)},
		field{"clientCollateralManagements", []any{}},
		field{"groups", []any{}},
	)
}

// oneClient is the body of GET /clients/{id} for the simulated line.
func (s *Server) oneClient(c *Snapshot) obj {
	if entityBasedGetOne(s.opts.Version) {
		return s.entityClient(c)
	}
	return s.rowMapperClient(c, true)
}

// commandResult is CommandProcessingResult in Gson field order. officeID 0
// and changes nil are omitted; resourceExternalId exists from 1.9.
func (s *Server) commandResult(c *Snapshot, officeID int64, changes obj) obj {
	o := obj{}
	if officeID != 0 {
		o = append(o, field{"officeId", officeID})
	}
	o = append(o, field{"clientId", c.ID}, field{"resourceId", c.ID})
	if changes != nil {
		o = append(o, field{"changes", changes})
	}
	if hasResourceExternalID(s.opts.Version) {
		o = append(o, field{"resourceExternalId", optString(c.ExternalID)})
	}
	return o
}

// approvalResult is the answer to a command held for approval: HTTP 200 and
// a CommandProcessingResult holding only the command id and the entity id.
//
// Up to 1.9 it is SynchronousCommandProcessingService.logCommand's result
// (CommandProcessingResultBuilder: rollbackTransaction false), returned as a
// success and written by the API's ToApiJsonSerializer, whose
// ExternalIdAdapter drops the empty external ids; its resourceId is the
// entity id after the handler ran, so a create's is the id of the client
// that was rolled back. From 1.10 RollbackTransactionNotApprovedException
// carries it (rollbackTransaction true; the entity id of a command source
// saved before the handler ran, so none for a create), and
// RollbackTransactionNotApprovedExceptionMapper writes it with
// `new Gson().toJson`, which renders each empty ExternalId value object as
// {}. Sources: fineract-provider/.../commands/service/
// SynchronousCommandProcessingService.java (1.8.4),
// fineract-core/.../commands/service/SynchronousCommandProcessingService.java
// (1.9.0), fineract-core/.../commands/service/CommandSourceService.java and
// .../infrastructure/core/exceptionmapper/RollbackTransactionNotApprovedExceptionMapper.java
// (1.10.1, develop).
func (s *Server) approvalResult(commandID, entityID int64, create bool) obj {
	o := obj{{"commandId", commandID}}
	if !approvalByExceptionMapper(s.opts.Version) {
		return append(o, field{"resourceId", entityID}, field{"rollbackTransaction", false})
	}
	if !create {
		o = append(o, field{"resourceId", entityID})
	}
	return append(o, field{"rollbackTransaction", true},
		field{"resourceExternalId", obj{}}, field{"subResourceExternalId", obj{}})
}
