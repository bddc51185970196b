package wire

import (
	"errors"
	"fmt"
)

// Loan status ids (LoanStatus.java: fineract-provider/.../portfolio/
// loanaccount/domain/ at 1.8.4, fineract-core/... at 1.10.1; identical in
// every line). The numbers overlap the client statuses' with other meanings,
// hence the prefix. Used by the loans handlers, next.
const (
	LoanStatusInvalid              = 0
	LoanStatusSubmitted            = 100
	LoanStatusApproved             = 200
	LoanStatusActive               = 300
	LoanStatusTransferInProgress   = 303
	LoanStatusTransferOnHold       = 304
	LoanStatusWithdrawnByApplicant = 400
	LoanStatusRejected             = 500
	LoanStatusClosedObligationsMet = 600
	LoanStatusClosedWrittenOff     = 601
	LoanStatusClosedRescheduled    = 602
	LoanStatusOverpaid             = 700
)

// Loan transaction type ids the proxy reads (LoanTransactionType.java:
// fineract-provider/.../portfolio/loanaccount/domain/ at 1.8.4,
// fineract-loan/... at 1.10.1). Accrual rows are listed among a loan's
// transactions (LoanReadPlatformServiceImpl's transactions association
// excludes only 0 and 3), so readers key on the type.
const (
	LoanTransactionDisbursement            = 1
	LoanTransactionRepayment               = 2
	LoanTransactionWaiveInterest           = 4
	LoanTransactionRepaymentAtDisbursement = 5
	LoanTransactionWriteOff                = 6
	LoanTransactionRecoveryRepayment       = 8
	LoanTransactionWaiveCharges            = 9
	LoanTransactionAccrual                 = 10
)

// LoanTimeline is LoanApplicationTimelineData: nulls omitted, dates arrays.
type LoanTimeline struct {
	SubmittedOnDate          Date `json:"submittedOnDate,omitzero"`
	RejectedOnDate           Date `json:"rejectedOnDate,omitzero"`
	WithdrawnOnDate          Date `json:"withdrawnOnDate,omitzero"`
	ApprovedOnDate           Date `json:"approvedOnDate,omitzero"`
	ExpectedDisbursementDate Date `json:"expectedDisbursementDate,omitzero"`
	ActualDisbursementDate   Date `json:"actualDisbursementDate,omitzero"`
	ClosedOnDate             Date `json:"closedOnDate,omitzero"`
	ActualMaturityDate       Date `json:"actualMaturityDate,omitzero"`
	ExpectedMaturityDate     Date `json:"expectedMaturityDate,omitzero"`
	WriteOffOnDate           Date `json:"writeOffOnDate,omitzero"`
}

// LoanSummary is LoanSummaryData: the balance roll-up. The upstream sends it
// only for status 300 and above (LoanReadPlatformServiceImpl.LoanMapper.
// mapRow, `if (status.getId() >= 300)`, at 1.8.4 and 1.10.1), so a
// Submitted or Approved loan has none and readers treat nil as all zero.
type LoanSummary struct {
	PrincipalDisbursed        Amount `json:"principalDisbursed,omitzero"`
	PrincipalPaid             Amount `json:"principalPaid,omitzero"`
	PrincipalWrittenOff       Amount `json:"principalWrittenOff,omitzero"`
	PrincipalOutstanding      Amount `json:"principalOutstanding,omitzero"`
	InterestCharged           Amount `json:"interestCharged,omitzero"`
	InterestPaid              Amount `json:"interestPaid,omitzero"`
	InterestWaived            Amount `json:"interestWaived,omitzero"`
	InterestOutstanding       Amount `json:"interestOutstanding,omitzero"`
	FeeChargesCharged         Amount `json:"feeChargesCharged,omitzero"`
	FeeChargesPaid            Amount `json:"feeChargesPaid,omitzero"`
	FeeChargesOutstanding     Amount `json:"feeChargesOutstanding,omitzero"`
	PenaltyChargesCharged     Amount `json:"penaltyChargesCharged,omitzero"`
	PenaltyChargesPaid        Amount `json:"penaltyChargesPaid,omitzero"`
	PenaltyChargesOutstanding Amount `json:"penaltyChargesOutstanding,omitzero"`
	TotalExpectedRepayment    Amount `json:"totalExpectedRepayment,omitzero"`
	TotalRepayment            Amount `json:"totalRepayment,omitzero"`
	TotalOutstanding          Amount `json:"totalOutstanding,omitzero"`
	TotalOverdue              Amount `json:"totalOverdue,omitzero"`
	OverdueSinceDate          Date   `json:"overdueSinceDate,omitzero"`
}

// LoanSchedulePeriod is LoanSchedulePeriodData. The first period of every
// schedule is the disbursement pseudo-period, which has no period number
// (LoanSchedulePeriodData.disbursementOnlyPeriod); Installment tells them
// apart.
type LoanSchedulePeriod struct {
	Period                    int    `json:"period,omitempty"`
	FromDate                  Date   `json:"fromDate,omitzero"`
	DueDate                   Date   `json:"dueDate,omitzero"`
	ObligationsMetOnDate      Date   `json:"obligationsMetOnDate,omitzero"`
	Complete                  bool   `json:"complete,omitempty"`
	PrincipalDisbursed        Amount `json:"principalDisbursed,omitzero"`
	PrincipalDue              Amount `json:"principalDue,omitzero"`
	PrincipalPaid             Amount `json:"principalPaid,omitzero"`
	PrincipalOutstanding      Amount `json:"principalOutstanding,omitzero"`
	InterestDue               Amount `json:"interestDue,omitzero"`
	InterestPaid              Amount `json:"interestPaid,omitzero"`
	InterestOutstanding       Amount `json:"interestOutstanding,omitzero"`
	FeeChargesDue             Amount `json:"feeChargesDue,omitzero"`
	PenaltyChargesDue         Amount `json:"penaltyChargesDue,omitzero"`
	TotalDueForPeriod         Amount `json:"totalDueForPeriod,omitzero"`
	TotalPaidForPeriod        Amount `json:"totalPaidForPeriod,omitzero"`
	TotalOutstandingForPeriod Amount `json:"totalOutstandingForPeriod,omitzero"`
	TotalOverdue              Amount `json:"totalOverdue,omitzero"`
}

// Installment reports a repayment period, not the disbursement pseudo-period.
func (p LoanSchedulePeriod) Installment() bool { return p.Period > 0 }

// LoanSchedule is LoanScheduleData, the repaymentSchedule association.
type LoanSchedule struct {
	Currency               *Currency            `json:"currency,omitempty"`
	TotalPrincipalExpected Amount               `json:"totalPrincipalExpected,omitzero"`
	TotalRepaymentExpected Amount               `json:"totalRepaymentExpected,omitzero"`
	TotalOutstanding       Amount               `json:"totalOutstanding,omitzero"`
	Periods                []LoanSchedulePeriod `json:"periods"`
}

// PaymentDetail is PaymentDetailData, on disbursements and repayments.
type PaymentDetail struct {
	PaymentType *struct {
		ID   int64  `json:"id"`
		Name string `json:"name,omitempty"`
	} `json:"paymentType,omitempty"`
}

// LoanTransaction is LoanTransactionData as the transactions association
// lists it and GET /loans/{loanId}/transactions/{id} returns it
// (LoanTransactionsMapper.loanPaymentsSchema in LoanReadPlatformServiceImpl,
// fineract-provider/.../portfolio/loanaccount/service/ at 1.8.4 and
// 1.10.1). Every portion is mapped from a column that defaults to 0, so
// each is present; loanId exists from 1.9.0. There is no reversed flag:
// reversed rows carry reversedOnDate (1.9+) or manuallyReversed.
type LoanTransaction struct {
	ID                     int64          `json:"id"`
	LoanID                 int64          `json:"loanId,omitempty"`
	Type                   *EnumOption    `json:"type,omitempty"`
	Date                   Date           `json:"date,omitzero"`
	Amount                 Amount         `json:"amount,omitzero"`
	PrincipalPortion       Amount         `json:"principalPortion,omitzero"`
	InterestPortion        Amount         `json:"interestPortion,omitzero"`
	FeeChargesPortion      Amount         `json:"feeChargesPortion,omitzero"`
	PenaltyChargesPortion  Amount         `json:"penaltyChargesPortion,omitzero"`
	OverpaymentPortion     Amount         `json:"overpaymentPortion,omitzero"`
	OutstandingLoanBalance Amount         `json:"outstandingLoanBalance,omitzero"`
	ExternalID             string         `json:"externalId,omitempty"`
	PaymentDetailData      *PaymentDetail `json:"paymentDetailData,omitempty"`
	SubmittedOnDate        Date           `json:"submittedOnDate,omitzero"`
	ManuallyReversed       bool           `json:"manuallyReversed,omitempty"`
	ReversedOnDate         Date           `json:"reversedOnDate,omitzero"`
}

// TypeID is the transaction type id, 0 when the body had none.
func (t LoanTransaction) TypeID() int64 {
	if t.Type == nil {
		return 0
	}
	return t.Type.ID
}

// Reversed reports a reversed transaction, on the lines that say so.
func (t LoanTransaction) Reversed() bool { return t.ManuallyReversed || !t.ReversedOnDate.IsZero() }

// WellFormed reports a body that is not a transaction: the mapper always
// writes the generated id and the type (LoanTransactionsMapper.mapRow,
// LoanEnumerations.transactionType, at 1.8.4 and 1.10.1).
func (t *LoanTransaction) WellFormed() error {
	switch {
	case t.ID <= 0:
		return errors.New("loan transaction answer carries no id")
	case t.Type == nil || t.Type.ID <= 0:
		return fmt.Errorf("loan transaction %d carries no type", t.ID)
	}
	return nil
}

// LoanData is one loan as GET /loans/{id} (with associations) and the list's
// pageItems (without) return it (LoanAccountData, fineract-provider/.../
// portfolio/loanaccount/data/ at 1.8.4, fineract-loan/... at 1.10.1). Only
// the fields the proxy reads are declared.
type LoanData struct {
	ID                      int64       `json:"id"`
	AccountNo               string      `json:"accountNo,omitempty"`
	ExternalID              string      `json:"externalId,omitempty"`
	Status                  *EnumOption `json:"status,omitempty"`
	ClientID                int64       `json:"clientId,omitempty"`
	ClientName              string      `json:"clientName,omitempty"`
	ClientExternalID        string      `json:"clientExternalId,omitempty"`
	LoanProductID           int64       `json:"loanProductId,omitempty"`
	LoanProductName         string      `json:"loanProductName,omitempty"`
	Currency                *Currency   `json:"currency,omitempty"`
	Principal               Amount      `json:"principal,omitzero"`
	ApprovedPrincipal       Amount      `json:"approvedPrincipal,omitzero"`
	ProposedPrincipal       Amount      `json:"proposedPrincipal,omitzero"`
	TermFrequency           int         `json:"termFrequency,omitempty"`
	TermPeriodFrequencyType *EnumOption `json:"termPeriodFrequencyType,omitempty"`
	NumberOfRepayments      int         `json:"numberOfRepayments,omitempty"`
	RepaymentEvery          int         `json:"repaymentEvery,omitempty"`
	RepaymentFrequencyType  *EnumOption `json:"repaymentFrequencyType,omitempty"`
	InterestRatePerPeriod   Amount      `json:"interestRatePerPeriod,omitzero"`
	AmortizationType        *EnumOption `json:"amortizationType,omitempty"`
	InterestType            *EnumOption `json:"interestType,omitempty"`
	// InterestCalculationPeriodType and the strategy (code 1.9+, id 1.8,
	// as on the product) are what a re-submission (PUT) sends again.
	InterestCalculationPeriodType     *EnumOption       `json:"interestCalculationPeriodType,omitempty"`
	TransactionProcessingStrategyCode string            `json:"transactionProcessingStrategyCode,omitempty"`
	TransactionProcessingStrategyID   int64             `json:"transactionProcessingStrategyId,omitempty"`
	Timeline                          *LoanTimeline     `json:"timeline,omitempty"`
	Summary                           *LoanSummary      `json:"summary,omitempty"`
	RepaymentSchedule                 *LoanSchedule     `json:"repaymentSchedule,omitempty"`
	Transactions                      []LoanTransaction `json:"transactions,omitempty"`
}

// StatusID returns the status id, or LoanStatusInvalid when the body had
// none.
func (l LoanData) StatusID() int64 {
	if l.Status == nil {
		return LoanStatusInvalid
	}
	return l.Status.ID
}

// WellFormed reports a body that is not a loan: every loan read maps the
// generated id and the status (LoanMapper.mapRow at 1.8.4 and 1.10.1).
func (l *LoanData) WellFormed() error {
	switch {
	case l.ID <= 0:
		return errors.New("loan answer carries no id")
	case l.Status == nil || l.Status.ID <= 0:
		return fmt.Errorf("loan %d carries no status", l.ID)
	}
	return nil
}

// LoanTypeIndividual is the loanType of a loan to one client: the lowercase
// enum name (AccountType.fromName compares name().toLowerCase(); "Individual"
// is refused).
const LoanTypeIndividual = "individual"

// LoanApplication is the body of POST /loans and of PUT /loans/{id}, which
// is a full re-submission: the validators demand each of these although the
// product has them (LoanApplicationCommandFromApiJsonHelper.validateForCreate,
// fineract-provider/.../portfolio/loanaccount/serialization/ at 1.8.4 and
// 1.10.1), and the schedule of a PUT is computed from its body alone. The
// strategy goes as the code from 1.9 and as the id on 1.8, each refused as
// unsupported on the other line; exactly one is set, as the line's product
// names only its own (translate.LoanCreateBody copies both).
type LoanApplication struct {
	ClientID                          int64  `json:"clientId"`
	ProductID                         int64  `json:"productId"`
	LoanType                          string `json:"loanType"`
	Principal                         Amount `json:"principal"`
	LoanTermFrequency                 int    `json:"loanTermFrequency"`
	LoanTermFrequencyType             int64  `json:"loanTermFrequencyType"`
	NumberOfRepayments                int    `json:"numberOfRepayments"`
	RepaymentEvery                    int    `json:"repaymentEvery"`
	RepaymentFrequencyType            int64  `json:"repaymentFrequencyType"`
	InterestRatePerPeriod             Amount `json:"interestRatePerPeriod"`
	AmortizationType                  int64  `json:"amortizationType"`
	InterestType                      int64  `json:"interestType"`
	InterestCalculationPeriodType     int64  `json:"interestCalculationPeriodType"`
	TransactionProcessingStrategyCode string `json:"transactionProcessingStrategyCode,omitempty"`
	TransactionProcessingStrategyID   int64  `json:"transactionProcessingStrategyId,omitempty"`
	ExpectedDisbursementDate          string `json:"expectedDisbursementDate"`
	SubmittedOnDate                   string `json:"submittedOnDate"`
	ExternalID                        string `json:"externalId,omitempty"`
	DateFormat                        string `json:"dateFormat"`
	Locale                            string `json:"locale"`
}

// LoanApprove is the body of ?command=approve. expectedDisbursementDate is
// not sent: the one stored at submission is the same day, and ≤1.10.1
// checks it against the approval date only when it is in the body.
type LoanApprove struct {
	ApprovedOnDate string `json:"approvedOnDate"`
	Note           string `json:"note,omitempty"`
	DateFormat     string `json:"dateFormat"`
	Locale         string `json:"locale"`
}

// LoanNote is the body of ?command=undoapproval and ?command=undodisbursal.
// Without a note it marshals to {}, which undoapproval needs: a blank body
// is 400 error.msg.invalid.request.body (LoanApplicationWritePlatformServiceJpaRepositoryImpl.
// undoApplicationApproval runs validateForUndo on it, fineract-provider/.../
// portfolio/loanaccount/service/ at 1.8.4 and 1.10.1); undodisbursal
// validates no body at all.
type LoanNote struct {
	Note string `json:"note,omitempty"`
}

// LoanDisburse is the body of ?command=disburse. Without transactionAmount
// the full approved principal is disbursed.
type LoanDisburse struct {
	ActualDisbursementDate string `json:"actualDisbursementDate"`
	TransactionAmount      Amount `json:"transactionAmount,omitzero"`
	PaymentTypeID          int64  `json:"paymentTypeId,omitempty"`
	Note                   string `json:"note,omitempty"`
	DateFormat             string `json:"dateFormat"`
	Locale                 string `json:"locale"`
}

// LoanWriteOff is the body of POST /loans/{id}/transactions?command=writeoff.
type LoanWriteOff struct {
	TransactionDate  string `json:"transactionDate"`
	WriteoffReasonID int64  `json:"writeoffReasonId,omitempty"`
	Note             string `json:"note,omitempty"`
	DateFormat       string `json:"dateFormat"`
	Locale           string `json:"locale"`
}

// LoanRepayment is the body of POST /loans/{id}/transactions?command=repayment.
// The upstream demands transactionDate and a transactionAmount above 0; it
// never checks externalId's length, which only the column bounds (VARCHAR(100),
// unique across every loan), nor a payment type, which is optional
// (LoanEventApiJsonValidator.validateNewRepaymentTransaction, fineract-provider/
// .../portfolio/loanaccount/serialization/ at 1.8.4 and 1.10.1).
type LoanRepayment struct {
	TransactionDate   string `json:"transactionDate"`
	TransactionAmount Amount `json:"transactionAmount"`
	ExternalID        string `json:"externalId,omitempty"`
	Note              string `json:"note,omitempty"`
	DateFormat        string `json:"dateFormat"`
	Locale            string `json:"locale"`
}

// LoanAccountSummary is one loan of GET /clients/{id}/accounts
// (LoanAccountSummaryData, fineract-provider/.../portfolio/accountdetails/
// data/ at 1.8.4 and 1.10.1): the way to a customer's loans, as GET /loans
// has no client filter. The three amounts are omitted when zero
// (getBigDecimalDefaultToNullIfZero).
type LoanAccountSummary struct {
	ID           int64         `json:"id"`
	AccountNo    string        `json:"accountNo,omitempty"`
	ExternalID   string        `json:"externalId,omitempty"`
	ProductID    int64         `json:"productId,omitempty"`
	ProductName  string        `json:"productName,omitempty"`
	Status       *EnumOption   `json:"status,omitempty"`
	Timeline     *LoanTimeline `json:"timeline,omitempty"`
	OriginalLoan Amount        `json:"originalLoan,omitzero"`
	LoanBalance  Amount        `json:"loanBalance,omitzero"`
	AmountPaid   Amount        `json:"amountPaid,omitzero"`
}

// ClientAccounts is the body of GET /clients/{id}/accounts, of which the
// proxy reads the loans. Each collection is omitted when empty
// (AccountSummaryCollectionData.defaultLoanAccountsIfEmpty), so {} is a
// client without accounts and no member is always present to check.
type ClientAccounts struct {
	LoanAccounts []LoanAccountSummary `json:"loanAccounts,omitempty"`
}

// WellFormed reports a loan without an id, which cannot be addressed.
func (a *ClientAccounts) WellFormed() error {
	for i, l := range a.LoanAccounts {
		if l.ID <= 0 {
			return fmt.Errorf("client account loan %d carries no id", i)
		}
	}
	return nil
}
