package translate

import (
	"strconv"
	"strings"
	"unicode/utf16"

	"lmsproxy/upstream/wire"
)

// Customers is the customer resource: the upstream's clients.
var Customers = Resource{Name: "Customer", Path: "/v1/customers"}

// Customer is the partner's customer object (spec §5). Ids are strings,
// dates ISO; anything absent upstream is omitted, never null. `active` is
// always present because false is meaningful.
type Customer struct {
	ID             string `json:"id"`
	AccountNo      string `json:"accountNo,omitempty"`
	ExternalID     string `json:"externalId,omitempty"`
	Status         string `json:"status,omitempty"`
	Active         bool   `json:"active"`
	OfficeID       string `json:"officeId,omitempty"`
	OfficeName     string `json:"officeName,omitempty"`
	Firstname      string `json:"firstname,omitempty"`
	Middlename     string `json:"middlename,omitempty"`
	Lastname       string `json:"lastname,omitempty"`
	DisplayName    string `json:"displayName,omitempty"`
	MobileNo       string `json:"mobileNo,omitempty"`
	EmailAddress   string `json:"emailAddress,omitempty"`
	DateOfBirth    string `json:"dateOfBirth,omitempty"`
	ActivationDate string `json:"activationDate,omitempty"`
	SubmittedDate  string `json:"submittedDate,omitempty"`
}

// statusLabels are keyed by status id, which every upstream line agrees on,
// rather than by the upstream's label text.
var statusLabels = map[int64]string{
	wire.ClientStatusPending:            "Pending",
	wire.ClientStatusActive:             "Active",
	wire.ClientStatusTransferInProgress: "Transfer in progress",
	wire.ClientStatusTransferOnHold:     "Transfer on hold",
	wire.ClientStatusClosed:             "Closed",
	wire.ClientStatusRejected:           "Rejected",
	wire.ClientStatusWithdrawn:          "Withdrawn",
}

// StatusLabel is the partner status for an upstream status id.
func StatusLabel(id int64) string {
	if l, ok := statusLabels[id]; ok {
		return l
	}
	return "Unknown"
}

// CustomerFromUpstream maps one upstream client to the partner shape.
func CustomerFromUpstream(c wire.ClientData) Customer {
	out := Customer{
		ID:             strconv.FormatInt(c.ID, 10),
		AccountNo:      c.AccountNo,
		ExternalID:     c.ExternalID,
		Status:         StatusLabel(c.StatusID()),
		Active:         c.StatusID() == wire.ClientStatusActive,
		OfficeName:     c.OfficeName,
		Firstname:      c.Firstname,
		Middlename:     c.Middlename,
		Lastname:       c.Lastname,
		DisplayName:    c.DisplayName,
		MobileNo:       c.MobileNo,
		EmailAddress:   c.EmailAddress,
		DateOfBirth:    c.DateOfBirth.ISO(),
		ActivationDate: c.ActivationDate.ISO(),
	}
	if c.OfficeID != 0 {
		out.OfficeID = strconv.FormatInt(c.OfficeID, 10)
	}
	if c.Timeline != nil {
		out.SubmittedDate = c.Timeline.SubmittedOnDate.ISO()
		if out.ActivationDate == "" {
			out.ActivationDate = c.Timeline.ActivatedOnDate.ISO()
		}
	}
	return out
}

// PlaceholderLastname is the lastname the upstream requires of a person; the
// partner API never asks for one (lms-docs: "a fixed placeholder").
const PlaceholderLastname = "Customer"

// maxFirstnameLength is the upstream's limit on firstname, in UTF-16 code
// units (ClientDataValidator: notExceedingLengthOf(50)).
const maxFirstnameLength = 50

// mirrorName is the firstname that mirrors an externalId. An externalId may
// be up to 100 code units but a firstname only 50, so longer ids are
// mirrored by their longest prefix of at most 50 that does not split a
// surrogate pair (an emoji is kept whole or left out), without trailing
// spaces because the upstream trims a firstname when it stores it
// (Client.createNew) and the mirror must compare equal to what is stored;
// the externalId itself is never shortened.
func mirrorName(externalID string) string {
	n := 0
	for i, r := range externalID {
		if n += utf16.RuneLen(r); n > maxFirstnameLength {
			return strings.TrimRight(externalID[:i], " ")
		}
	}
	return externalID
}

// CreateRequest is the partner's POST /v1/customers body.
type CreateRequest struct {
	ExternalID string
}

// ParseCreate decodes and validates a create body.
func ParseCreate(body []byte) (CreateRequest, *Error) {
	var req CreateRequest
	if err := parseBody(body, []field{required("externalId", &req.ExternalID, externalIDValue)}); err != nil {
		return CreateRequest{}, err
	}
	return req, nil
}

// CreateFields maps upstream parameters of a create to the partner field
// they derive from, for error translation.
var CreateFields = map[string]string{"externalId": "externalId", "firstname": "externalId"}

// CreateBody is the upstream create: an active person in the configured
// office, named after the externalId, activated and submitted today.
func CreateBody(req CreateRequest, officeID int64, today wire.Date) wire.ClientCreate {
	return wire.ClientCreate{
		OfficeID:        officeID,
		LegalFormID:     wire.LegalFormPerson,
		Firstname:       mirrorName(req.ExternalID),
		Lastname:        PlaceholderLastname,
		ExternalID:      req.ExternalID,
		Active:          true,
		ActivationDate:  today.ISO(),
		SubmittedOnDate: today.ISO(),
		DateFormat:      wire.DateFormat,
		Locale:          wire.Locale,
	}
}

// UpdateRequest is the partner's PUT body: only the externalId changes.
type UpdateRequest struct {
	ExternalID string
}

// ParseUpdate decodes and validates an update body, which has the same
// single field as a create.
func ParseUpdate(body []byte) (UpdateRequest, *Error) {
	req, err := ParseCreate(body)
	return UpdateRequest(req), err
}

// UpdateFields maps upstream parameters of an update to partner fields.
var UpdateFields = CreateFields

// UpdateBody changes the externalId, and moves firstname with it only where
// firstname still mirrors the old externalId (a customer created through
// this API); a customer with real names keeps them. The upstream validates
// a person's name parts together on update (a firstname alone is refused
// with "lastname is mandatory"), so the current lastname travels with it.
func UpdateBody(current wire.ClientData, req UpdateRequest) wire.ClientUpdate {
	ext := req.ExternalID
	out := wire.ClientUpdate{ExternalID: &ext}
	if current.ExternalID != "" && current.Firstname == mirrorName(current.ExternalID) {
		first, last := mirrorName(ext), current.Lastname
		out.Firstname, out.Lastname = &first, &last
	}
	return out
}

// CloseRequest is the partner's close body.
type CloseRequest struct {
	ClosureDate     wire.Date
	ClosureReasonID int64
}

// ParseClose decodes and validates a close body.
func ParseClose(body []byte) (CloseRequest, *Error) {
	var req CloseRequest
	if err := parseBody(body, []field{
		required("closureDate", &req.ClosureDate, dateValue),
		required("closureReasonId", &req.ClosureReasonID, positiveIntValue),
	}); err != nil {
		return CloseRequest{}, err
	}
	return req, nil
}

// CloseFields maps upstream parameters of a close to partner fields.
var CloseFields = map[string]string{"closureDate": "closureDate", "closureReasonId": "closureReasonId"}

// CloseBody is the upstream close command body.
func CloseBody(req CloseRequest) wire.ClientClose {
	return wire.ClientClose{
		ClosureDate:     req.ClosureDate.ISO(),
		ClosureReasonID: req.ClosureReasonID,
		DateFormat:      wire.DateFormat,
		Locale:          wire.Locale,
	}
}

// Path parameter names, as the partner documentation spells them.
const (
	FieldCustomerID         = "customer_id"
	FieldCustomerExternalID = "customer_external_id"
)

// ParseCustomerID validates a path id: digits only, positive, fits int64.
func ParseCustomerID(s string) (int64, *Error) {
	return parsePathID(FieldCustomerID, s)
}

// ParseCustomerExternalID validates an externalId taken from the path.
func ParseCustomerExternalID(s string) (string, *Error) {
	if problem := checkExternalID(s); problem != "" {
		return "", Invalid(FieldError{Field: FieldCustomerExternalID, Error: problem})
	}
	return s, nil
}
