package wire

import "errors"

// Client status ids (ClientStatus.java, fineract-provider/.../portfolio/
// client/domain/ at 1.8.4, fineract-core/... at 1.10.1). They are stable
// across every line, unlike the labels, so callers key on them. They carry
// the resource in their names because loan statuses reuse the numbers with
// other meanings (LoanStatus.java: 700 is OVERPAID, not rejected).
const (
	ClientStatusInvalid            = 0
	ClientStatusPending            = 100
	ClientStatusActive             = 300
	ClientStatusTransferInProgress = 303
	ClientStatusTransferOnHold     = 304
	ClientStatusClosed             = 600
	ClientStatusRejected           = 700
	ClientStatusWithdrawn          = 800
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

// StatusID returns the status id, or ClientStatusInvalid when the body had
// none.
func (c ClientData) StatusID() int64 {
	if c.Status == nil {
		return ClientStatusInvalid
	}
	return c.Status.ID
}

// WellFormed reports a body that is not a client. A client always has an
// id: m_client.id is the table's generated primary key, and every client
// read maps it (ClientReadPlatformServiceImpl's row mappers, 1.8.4 and
// 1.10.1).
func (c *ClientData) WellFormed() error {
	if c.ID <= 0 {
		return errors.New("client answer carries no id")
	}
	return nil
}

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
