package fake

import (
	"time"

	"lmsproxy/upstream/wire"
)

// Seeded office. Its opening date, 2009-01-01, bounds activation dates
// (error.msg.clients.activationDate.cannot.be.before.office.activation.date).
const (
	HeadOfficeID   int64 = 1
	HeadOfficeName       = "Head Office"
)

// Seeded code values. ClosureReasonID is the value used in the partner
// documentation's close example; RejectReasonID and WithdrawReasonID belong
// to other codes, so closing with them fails like any unknown value
// (error.msg.codevalue.codename.id.combination.invalid).
const (
	ClosureReasonID          int64 = 17 // ClientClosureReason "Deceased"
	ClosureReasonRelocatedID int64 = 18 // ClientClosureReason "Relocated"
	RejectReasonID           int64 = 20 // ClientRejectReason "Duplicate application"
	WithdrawReasonID         int64 = 21 // ClientWithdrawReason "Changed mind"
)

// Seeded clients, every one in HeadOfficeID with a generated account number
// and dates in 2023 (so they are in the past for any realistic business
// date). Ids are assigned in this order; AddClient continues after them.
//
//   - SeedActiveID: Active since 2023-01-10, created the way the proxy creates
//     customers (firstname = externalId, lastname "Customer").
//   - SeedNamedID: Active since 2023-02-01, "Ada" "Lovelace" with mobileNo
//     SeedNamedMobileNo, emailAddress "ada@example.com", dateOfBirth
//     1815-12-10.
//   - SeedPendingID: Pending (100), submitted 2023-03-01, never activated.
//   - SeedOpenLoanID: Active since 2023-04-01 with an open loan, so close
//     fails with error.msg.client.close.loan.non-closed.
//   - SeedClosedID: activated 2023-05-01, Closed on 2023-06-01 with
//     ClosureReasonID.
const (
	SeedActiveID   int64 = 1
	SeedNamedID    int64 = 2
	SeedPendingID  int64 = 3
	SeedOpenLoanID int64 = 4
	SeedClosedID   int64 = 5

	SeedActiveExternalID   = "ext-active-001"
	SeedNamedExternalID    = "ext-ada-001"
	SeedPendingExternalID  = "ext-pending-001"
	SeedOpenLoanExternalID = "ext-loan-001"
	SeedClosedExternalID   = "ext-closed-001"

	SeedNamedMobileNo = "+447700900001"
)

// proxyStyle is a client as the proxy creates it: the external id doubles as
// the first name.
func proxyStyle(ext string) Seed {
	return Seed{ExternalID: ext, Firstname: ext, Lastname: "Customer"}
}

func day(y int, m time.Month, d int) wire.Date { return wire.Date{Year: y, Month: m, Day: d} }

// seed fills a new store with the documented office, code values and
// clients.
func (st *store) seed(today wire.Date) {
	st.offices[HeadOfficeID] = office{id: HeadOfficeID, name: HeadOfficeName, opening: day(2009, time.January, 1)}
	st.codeValues[ClosureReasonID] = codeValue{code: closureReasonCode, name: "Deceased"}
	st.codeValues[ClosureReasonRelocatedID] = codeValue{code: closureReasonCode, name: "Relocated"}
	st.codeValues[RejectReasonID] = codeValue{code: rejectReasonCode, name: "Duplicate application"}
	st.codeValues[WithdrawReasonID] = codeValue{code: withdrawReasonCode, name: "Changed mind"}

	active := proxyStyle(SeedActiveExternalID)
	active.SubmittedOn = day(2023, time.January, 10)

	named := Seed{
		ExternalID: SeedNamedExternalID, Firstname: "Ada", Lastname: "Lovelace",
		MobileNo: SeedNamedMobileNo, Email: "ada@example.com",
		DateOfBirth: day(1815, time.December, 10), SubmittedOn: day(2023, time.February, 1),
	}

	pending := proxyStyle(SeedPendingExternalID)
	pending.Status = wire.ClientStatusPending
	pending.SubmittedOn = day(2023, time.March, 1)

	openLoan := proxyStyle(SeedOpenLoanExternalID)
	openLoan.SubmittedOn = day(2023, time.April, 1)
	openLoan.OpenLoan = true

	closed := proxyStyle(SeedClosedExternalID)
	closed.Status = wire.ClientStatusClosed
	closed.SubmittedOn = day(2023, time.May, 1)
	closed.ClosedOn = day(2023, time.June, 1)
	closed.ClosureReasonID = ClosureReasonID

	for _, s := range []Seed{active, named, pending, openLoan, closed} {
		c := withDefaults(s, today)
		st.prepare(c)
		st.add(c)
	}
}

// withDefaults applies the Seed defaults.
func withDefaults(s Seed, today wire.Date) *Snapshot {
	if s.Status == 0 {
		s.Status = wire.ClientStatusActive
	}
	if s.OfficeID == 0 {
		s.OfficeID = HeadOfficeID
	}
	if s.LegalFormID == 0 {
		s.LegalFormID = wire.LegalFormPerson
	}
	if s.SubmittedOn.IsZero() {
		s.SubmittedOn = today
	}
	switch s.Status {
	case wire.ClientStatusActive, wire.ClientStatusTransferInProgress, wire.ClientStatusTransferOnHold, wire.ClientStatusClosed:
		if s.ActivatedOn.IsZero() {
			s.ActivatedOn = s.SubmittedOn
		}
	}
	if s.Status == wire.ClientStatusClosed && s.ClosedOn.IsZero() {
		s.ClosedOn = today
	}
	return &Snapshot{Seed: s}
}
