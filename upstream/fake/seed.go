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

// Seeded loan products, payment types and loan code values (facts §14: what
// a fresh Fineract has, plus what the partner documentation's examples
// need). Both products lend TZS over 12 monthly repayments at 1.5 % per
// month with the mifos standard strategy, 10 000 by default and from 1 000
// to 50 000; one charges flat interest, the other declining-balance.
const (
	SeedFlatProductID      int64 = 1 // "Standard 12-Month", flat interest
	SeedDecliningProductID int64 = 2 // "Declining 12-Month", declining balance

	PaymentTypeMoneyTransferID int64 = 1 // the one a fresh database has
	PaymentTypeMobileMoneyID   int64 = 2

	WriteOffReasonID int64 = 15 // WriteOffReasons "Uncollectible"
	LoanPurposeID    int64 = 16 // LoanPurpose "Working capital"
)

// Names of the loan codes (0002_initial_data.xml, ids 26 and 3).
const (
	writeOffReasonCode = "WriteOffReasons"
	loanPurposeCode    = "LoanPurpose"
)

// tzs is m_currency's Tanzanian Shilling: 2 decimals, no symbol.
var tzs = currency{code: "TZS", name: "Tanzanian Shilling", places: 2}

// seedProducts are the seeded loan products, in id order.
func seedProducts() []*loanProduct {
	flat := loanProduct{
		id: SeedFlatProductID, name: "Standard 12-Month", shortName: "STD1",
		desc:     "Standard individual loan, 12 months, monthly repayments",
		currency: tzs, principal: units(10_000), minPrincipal: units(1_000), maxPrincipal: units(50_000),
		repayments: 12, repaymentEvery: 1, repaymentFrequencyType: 2,
		interestRatePerPeriod: decimalOne * 3 / 2, interestRateFrequencyType: 2,
		amortizationType: 1, interestType: 1, interestCalculationPeriod: 1,
		strategy: mifosStandardStrategy, daysInMonthType: 1, daysInYear: 1, accountingRule: 1,
	}
	declining := flat
	declining.id, declining.name, declining.shortName, declining.interestType = SeedDecliningProductID, "Declining 12-Month", "DEC1", 0
	declining.desc = "Declining-balance individual loan, 12 months, monthly repayments"
	return []*loanProduct{&flat, &declining}
}

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
//   - SeedOpenLoanID: Active since 2023-04-01 with an active loan (loan id
//     1, the only seeded loan), so close fails with
//     error.msg.client.close.loan.non-closed.
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
func proxyStyle(ext string) ClientSeed {
	return ClientSeed{ExternalID: ext, Firstname: ext, Lastname: "Customer"}
}

func day(y int, m time.Month, d int) wire.Date { return wire.Date{Year: y, Month: m, Day: d} }

// seed fills a new store with the documented office, code values, clients
// and loan.
func (st *store) seed(today wire.Date) {
	st.offices[HeadOfficeID] = office{id: HeadOfficeID, name: HeadOfficeName, opening: day(2009, time.January, 1)}
	st.codeValues[ClosureReasonID] = codeValue{code: closureReasonCode, name: "Deceased"}
	st.codeValues[ClosureReasonRelocatedID] = codeValue{code: closureReasonCode, name: "Relocated"}
	st.codeValues[RejectReasonID] = codeValue{code: rejectReasonCode, name: "Duplicate application"}
	st.codeValues[WithdrawReasonID] = codeValue{code: withdrawReasonCode, name: "Changed mind"}
	st.codeValues[WriteOffReasonID] = codeValue{code: writeOffReasonCode, name: "Uncollectible"}
	st.codeValues[LoanPurposeID] = codeValue{code: loanPurposeCode, name: "Working capital"}
	st.paymentTypes[PaymentTypeMoneyTransferID] = "Money Transfer"
	st.paymentTypes[PaymentTypeMobileMoneyID] = "Mobile Money"
	for _, p := range seedProducts() {
		st.products.insert(p.id, p)
	}

	active := proxyStyle(SeedActiveExternalID)
	active.SubmittedOn = day(2023, time.January, 10)

	named := ClientSeed{
		ExternalID: SeedNamedExternalID, Firstname: "Ada", Lastname: "Lovelace",
		MobileNo: SeedNamedMobileNo, Email: "ada@example.com",
		DateOfBirth: day(1815, time.December, 10), SubmittedOn: day(2023, time.February, 1),
	}

	pending := proxyStyle(SeedPendingExternalID)
	pending.Status = wire.ClientStatusPending
	pending.SubmittedOn = day(2023, time.March, 1)

	openLoan := proxyStyle(SeedOpenLoanExternalID)
	openLoan.SubmittedOn = day(2023, time.April, 1)

	closed := proxyStyle(SeedClosedExternalID)
	closed.Status = wire.ClientStatusClosed
	closed.SubmittedOn = day(2023, time.May, 1)
	closed.ClosedOn = day(2023, time.June, 1)
	closed.ClosureReasonID = ClosureReasonID

	for _, s := range []ClientSeed{active, named, pending, openLoan, closed} {
		c := clientWithDefaults(s, today)
		st.prepareClient(c)
		st.addClient(c)
	}
	st.addLoan(loanWithDefaults(LoanSeed{ClientID: SeedOpenLoanID, Status: LoanActive}, today), today)
}

// clientWithDefaults applies the ClientSeed defaults.
func clientWithDefaults(s ClientSeed, today wire.Date) *ClientSnapshot {
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
	return &ClientSnapshot{ClientSeed: s}
}
