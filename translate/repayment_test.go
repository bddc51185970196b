package translate_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream/wire"
)

func repaymentType() *wire.EnumOption {
	return &wire.EnumOption{ID: wire.LoanTransactionRepayment, Code: "loanTransactionType.repayment", Value: "Repayment"}
}

// repaymentTx is a repayment of loan 501 as the upstream reads it, its
// portions present at 0 (fineract-loans-facts §9.3).
func repaymentTx(id int64, day wire.Date, ext string) wire.LoanTransaction {
	return wire.LoanTransaction{ID: id, Type: repaymentType(), Date: day, Amount: "983.330000",
		PrincipalPortion: "833.330000", InterestPortion: "150.000000", FeeChargesPortion: "0", PenaltyChargesPortion: "0",
		OverpaymentPortion: "0", ExternalID: ext, SubmittedOnDate: day}
}

func TestRepaymentFromUpstream(t *testing.T) {
	day := date(t, "2026-06-25")
	overpaid := repaymentTx(9011, day, "")
	overpaid.Amount, overpaid.PrincipalPortion, overpaid.OverpaymentPortion = "12000.000000", "10000.000000", "1000.000000"
	overpaid.FeeChargesPortion, overpaid.PenaltyChargesPortion, overpaid.InterestPortion = "300.000000", "200.000000", "500.000000"
	manual := repaymentTx(9010, day, "")
	manual.ManuallyReversed = true
	undone19 := repaymentTx(9010, day, "")
	undone19.LoanID, undone19.ReversedOnDate = 501, date(t, "2026-06-27")
	tests := []struct {
		name string
		tx   wire.LoanTransaction
		want string
	}{
		{"with a key (1.8: no loanId)", repaymentTx(9010, day, "lmsproxy-501-wallet-tx-778"),
			`{"id":"9010","type":"Repayment","date":"2026-06-25","amount":983.33,"principal":833.33,"interest":150,"reversed":false,"idempotencyKey":"wallet-tx-778"}`},
		{"without a key", repaymentTx(9010, day, "lmsproxy-r-0123456789abcdef"),
			`{"id":"9010","type":"Repayment","date":"2026-06-25","amount":983.33,"principal":833.33,"interest":150,"reversed":false}`},
		{"a hashed key is not recovered", repaymentTx(9010, day, translate.RepaymentExternalID(501, strings.Repeat("k", 100))),
			`{"id":"9010","type":"Repayment","date":"2026-06-25","amount":983.33,"principal":833.33,"interest":150,"reversed":false}`},
		{"another loan's key form", repaymentTx(9010, day, "lmsproxy-502-wallet-tx-778"),
			`{"id":"9010","type":"Repayment","date":"2026-06-25","amount":983.33,"principal":833.33,"interest":150,"reversed":false}`},
		{"an externalId the proxy did not make", repaymentTx(9010, day, "wallet-tx-778"),
			`{"id":"9010","type":"Repayment","date":"2026-06-25","amount":983.33,"principal":833.33,"interest":150,"reversed":false}`},
		{"the plain form of an empty key", repaymentTx(9010, day, "lmsproxy-501-"),
			`{"id":"9010","type":"Repayment","date":"2026-06-25","amount":983.33,"principal":833.33,"interest":150,"reversed":false}`},
		{"overpaid, with every portion", overpaid,
			`{"id":"9011","type":"Repayment","date":"2026-06-25","amount":12000,"principal":10000,"interest":500,"fees":300,"penalties":200,"overpaymentPortion":1000,"reversed":false}`},
		{"manually reversed", manual,
			`{"id":"9010","type":"Repayment","date":"2026-06-25","amount":983.33,"principal":833.33,"interest":150,"reversed":true}`},
		{"reversed by undo-disbursal (1.9+)", undone19,
			`{"id":"9010","type":"Repayment","date":"2026-06-25","amount":983.33,"principal":833.33,"interest":150,"reversed":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate.RepaymentFromUpstream(tt.tx, 501)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, marshal(t, got))
		})
	}
}

// A transaction that is not a repayment of this loan is the same not_found
// the upstream gives for another loan's transaction.
func TestRepaymentFromUpstreamRefusesOthers(t *testing.T) {
	day := date(t, "2026-06-25")
	disbursement := repaymentTx(9001, day, "")
	disbursement.Type = &wire.EnumOption{ID: wire.LoanTransactionDisbursement}
	recovery := repaymentTx(9020, day, "")
	recovery.Type = &wire.EnumOption{ID: wire.LoanTransactionRecoveryRepayment}
	otherLoan := repaymentTx(9010, day, "")
	otherLoan.LoanID = 502
	for name, tx := range map[string]wire.LoanTransaction{"a disbursement": disbursement, "a recovery after write-off": recovery, "another loan's (1.9+)": otherLoan} {
		t.Run(name, func(t *testing.T) {
			_, err := translate.RepaymentFromUpstream(tx, 501)
			perr := translate.AsError(err)
			assert.Equal(t, translate.NotFound, perr.Code)
			assert.Equal(t, "lms: status=404: Repayment with id "+strconv.FormatInt(tx.ID, 10)+" does not exist", perr.Message)
			assert.Same(t, perr, translate.FromUpstream(err, translate.Loans.ByID("501")), "passed through as the partner's answer")
		})
	}
	bad := repaymentTx(9010, day, "")
	bad.Amount = "-1"
	_, err := translate.RepaymentFromUpstream(bad, 501)
	assert.Equal(t, translate.Internal, translate.AsError(err).Code, "an amount the contract cannot carry")
}

// On 1.8 a repayment an undo-disbursal reversed reads like a live one; its
// absence from the loan's transactions says it is reversed.
func TestRepaymentFromLoan(t *testing.T) {
	tx := repaymentTx(9010, date(t, "2026-06-25"), "")
	listed := wire.LoanData{ID: 501, Transactions: []wire.LoanTransaction{{ID: 9001}, tx}}
	unlisted := wire.LoanData{ID: 501, Transactions: []wire.LoanTransaction{{ID: 9001}}}
	got, err := translate.RepaymentFromLoan(listed, tx)
	require.NoError(t, err)
	assert.False(t, got.Reversed)
	got, err = translate.RepaymentFromLoan(unlisted, tx)
	require.NoError(t, err)
	assert.True(t, got.Reversed)
	_, err = translate.RepaymentFromLoan(wire.LoanData{ID: 502, Transactions: []wire.LoanTransaction{tx}}, wire.LoanTransaction{ID: 9010, LoanID: 501, Type: repaymentType()})
	assert.Equal(t, translate.NotFound, translate.AsError(err).Code, "the loan's id is the one checked")
}

// TestRepaymentExternalID: the key's externalId is the plain form while it
// fits the column, a digest of loan and key after; the same loan and key
// always give the same id, and every form round-trips to its key or none.
func TestRepaymentExternalID(t *testing.T) {
	long := strings.Repeat("k", 100)
	fits := strings.Repeat("k", 100-len("lmsproxy-501-"))
	emoji := strings.Repeat("😀", 44) // 57 characters, but 101 UTF-16 code units with the prefix
	tests := []struct {
		name, key string
		want      string
		hashed    bool
	}{
		{"plain", "wallet-tx-778", "lmsproxy-501-wallet-tx-778", false},
		{"any printable characters", "a/b%c?d#e f", "lmsproxy-501-a/b%c?d#e f", false},
		{"exactly 100", fits, "lmsproxy-501-" + fits, false},
		{"one over", fits + "k", "", true},
		{"a long key", long, "", true},
		{"UTF-16 code units, as the upstream counts", emoji, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate.RepaymentExternalID(501, tt.key)
			assert.Equal(t, got, translate.RepaymentExternalID(501, tt.key), "deterministic")
			assert.LessOrEqual(t, len([]rune(got)), 100)
			if tt.hashed {
				assert.Regexp(t, `^lmsproxy-h-[0-9a-f]{64}$`, got)
			} else {
				assert.Equal(t, tt.want, got)
			}
			assert.NotEqual(t, got, translate.RepaymentExternalID(502, tt.key), "bound to the loan")
			r, err := translate.RepaymentFromUpstream(repaymentTx(1, date(t, "2026-06-25"), got), 501)
			require.NoError(t, err)
			if tt.hashed {
				assert.Empty(t, r.IdempotencyKey, "a digest cannot be reversed")
			} else {
				assert.Equal(t, tt.key, r.IdempotencyKey)
			}
		})
	}
	assert.NotEqual(t, translate.RepaymentExternalID(5, "01-x"), translate.RepaymentExternalID(501, "x"), "the loan id ends at its dash")
	assert.Equal(t, "lmsproxy-r-0123abcd", translate.NewRepaymentExternalID("0123abcd"))
}

func TestRepaymentUpstreamKey(t *testing.T) {
	k := translate.RepaymentUpstreamKey(501, "wallet-tx-778")
	assert.Regexp(t, `^lmsproxy-[0-9a-f]{40}$`, k)
	assert.Len(t, k, 49, "within the upstream's 50")
	assert.Equal(t, k, translate.RepaymentUpstreamKey(501, "wallet-tx-778"), "deterministic across the partner's retries")
	assert.NotEqual(t, k, translate.RepaymentUpstreamKey(502, "wallet-tx-778"), "the upstream's store does not scope by loan; the key does")
	assert.NotEqual(t, k, translate.RepaymentUpstreamKey(501, "wallet-tx-779"))
	assert.NotEqual(t, translate.RepaymentUpstreamKey(50, "1\x00x"), translate.RepaymentUpstreamKey(501, "x"))
	assert.Len(t, translate.RepaymentUpstreamKey(1, strings.Repeat("😀", 50)), 49)
}

func TestParseRepayment(t *testing.T) {
	key, day := "wallet-tx-778", date(t, "2026-05-25")
	tests := []struct {
		name    string
		body    string
		want    translate.RepaymentRequest
		wantErr string
	}{
		{"contract example", `{"transactionAmount": 11100, "transactionDate": "2026-05-25", "idempotencyKey": "wallet-tx-778"}`,
			translate.RepaymentRequest{TransactionAmount: amount(t, "11100"), TransactionDate: &day, IdempotencyKey: &key}, ""},
		{"the amount alone", `{"transactionAmount":983.33}`, translate.RepaymentRequest{TransactionAmount: amount(t, "983.33")}, ""},
		{"decimal text, never a float", `{"transactionAmount":0.30}`, translate.RepaymentRequest{TransactionAmount: amount(t, "0.3")}, ""},
		{"no amount", `{"transactionDate":"2026-05-25"}`, translate.RepaymentRequest{}, `[{"field":"transactionAmount","error":"required"}]`},
		{"zero", `{"transactionAmount":0}`, translate.RepaymentRequest{}, `[{"field":"transactionAmount","error":"must be greater than 0"}]`},
		{"negative", `{"transactionAmount":-5}`, translate.RepaymentRequest{}, `[{"field":"transactionAmount","error":"must be greater than 0"}]`},
		{"as a string", `{"transactionAmount":"5"}`, translate.RepaymentRequest{}, `[{"field":"transactionAmount","error":"must be a number"}]`},
		{"finer than the upstream stores", `{"transactionAmount":1.0000001}`, translate.RepaymentRequest{},
			`[{"field":"transactionAmount","error":"must have at most 6 decimal places"}]`},
		{"a date as an array", `{"transactionAmount":1,"transactionDate":[2026,5,25]}`, translate.RepaymentRequest{},
			`[{"field":"transactionDate","error":"must be a date YYYY-MM-DD"}]`},
		{"an impossible date", `{"transactionAmount":1,"transactionDate":"2026-02-30"}`, translate.RepaymentRequest{},
			`[{"field":"transactionDate","error":"must be a date YYYY-MM-DD"}]`},
		{"an empty key", `{"transactionAmount":1,"idempotencyKey":""}`, translate.RepaymentRequest{},
			`[{"field":"idempotencyKey","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"a key too long", `{"transactionAmount":1,"idempotencyKey":"` + strings.Repeat("k", 101) + `"}`, translate.RepaymentRequest{},
			`[{"field":"idempotencyKey","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"a key with white space at an end", `{"transactionAmount":1,"idempotencyKey":"k "}`, translate.RepaymentRequest{},
			`[{"field":"idempotencyKey","error":"must not begin or end with white space"}]`},
		{"a key with a control character", `{"transactionAmount":1,"idempotencyKey":"a\tb"}`, translate.RepaymentRequest{},
			`[{"field":"idempotencyKey","error":"must not contain control characters"}]`},
		{"a key as a number", `{"transactionAmount":1,"idempotencyKey":778}`, translate.RepaymentRequest{},
			`[{"field":"idempotencyKey","error":"must be a string"}]`},
		{"unknown fields, every problem at once", `{"transactionAmount":0,"note":"x","paymentTypeId":1}`, translate.RepaymentRequest{},
			`[{"field":"note","error":"unknown field"},{"field":"paymentTypeId","error":"unknown field"},{"field":"transactionAmount","error":"must be greater than 0"}]`},
		{"empty body", ``, translate.RepaymentRequest{}, `[{"field":"body","error":"must be a JSON object"}]`},
		{"not an object", `[]`, translate.RepaymentRequest{}, `[{"field":"body","error":"must be a JSON object"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate.ParseRepayment([]byte(tt.body))
			assertParsed(t, tt.want, got, err, tt.wantErr)
		})
	}
	got, err := translate.ParseRepayment([]byte(`{"transactionAmount":1,"idempotencyKey":"a/b%c?d#e f😀"}`))
	require.Nil(t, err)
	assert.Equal(t, "a/b%c?d#e f😀", *got.IdempotencyKey, "any printable characters, kept as sent")
}

func TestRepaymentTarget(t *testing.T) {
	today, err := translate.ParseRepayment([]byte(`{"transactionAmount":1}`))
	require.Nil(t, err)
	got := today.Target(translate.Loans.ByID("501"))
	assert.Equal(t, translate.Loans, got.Resource)
	assert.Equal(t, "501", got.ID)
	assert.Equal(t, map[string]string{"transactionAmount": "transactionAmount"}, got.Fields, "a date the proxy fills in is not the partner's field")

	dated, err := translate.ParseRepayment([]byte(`{"transactionAmount":1,"transactionDate":"2026-05-25","idempotencyKey":"k"}`))
	require.Nil(t, err)
	got = dated.Target(translate.Loans.ByExternalID("halotel-1"))
	assert.Equal(t, "halotel-1", got.ExternalID)
	assert.Equal(t, map[string]string{"transactionAmount": "transactionAmount", "transactionDate": "transactionDate"}, got.Fields)
}

func TestRepaymentOf(t *testing.T) {
	got := translate.RepaymentOf(translate.Loans.ByExternalID("halotel-1"), "9010")
	assert.Equal(t, translate.Repayments, got.Resource)
	assert.Equal(t, "9010", got.ID)
	assert.Equal(t, []translate.Ref{{Resource: translate.Loans, Field: "externalId", Value: "halotel-1"}}, got.Refs)
	assert.Equal(t, []string{"9010", "halotel-1"}, got.Values)
	got = translate.RepaymentOf(translate.Loans.ByID("501"), "9010")
	assert.Equal(t, []translate.Ref{{Resource: translate.Loans, Field: "id", Value: "501"}}, got.Refs)
}

func TestRepaymentBody(t *testing.T) {
	today := date(t, "2026-06-25")
	req, err := translate.ParseRepayment([]byte(`{"transactionAmount":983.330}`))
	require.Nil(t, err)
	assert.JSONEq(t, `{"transactionDate":"2026-06-25","transactionAmount":983.33,"externalId":"lmsproxy-r-01","dateFormat":"yyyy-MM-dd","locale":"en"}`,
		marshal(t, translate.RepaymentBody(req, "lmsproxy-r-01", today)), "today, when the partner gives no date")
	req, err = translate.ParseRepayment([]byte(`{"transactionAmount":1e3,"transactionDate":"2026-06-01","idempotencyKey":"k"}`))
	require.Nil(t, err)
	assert.JSONEq(t, `{"transactionDate":"2026-06-01","transactionAmount":1000,"externalId":"lmsproxy-501-k","dateFormat":"yyyy-MM-dd","locale":"en"}`,
		marshal(t, translate.RepaymentBody(req, translate.RepaymentExternalID(501, *req.IdempotencyKey), today)))
}

func TestCheckCurrencyScale(t *testing.T) {
	tests := []struct {
		amount, code string
		decimals     int
		wantErr      string
	}{
		{"983.33", "TZS", 2, ""},
		{"983.3", "TZS", 2, ""},
		{"983", "UGX", 0, ""},
		{"983.333", "TZS", 2, `[{"field":"transactionAmount","error":"must have at most 2 decimal places (TZS)"}]`},
		{"983.5", "UGX", 0, `[{"field":"transactionAmount","error":"must be a whole number (UGX)"}]`},
		{"0.001", "KWD", 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.amount+" "+tt.code, func(t *testing.T) {
			err := translate.CheckCurrencyScale("transactionAmount", amount(t, tt.amount), tt.code, tt.decimals)
			assertParsed[any](t, nil, nil, err, tt.wantErr)
		})
	}
}

func TestParseRepaymentListQuery(t *testing.T) {
	tests := []struct {
		raw        string
		page, rows int
		wantErr    string
	}{
		{"", 1, 10, ""},
		{"page=2&rows=5", 2, 5, ""},
		{"rows=101", 0, 0, `[{"field":"rows","error":"must be an integer from 1 to 100"}]`},
		{"orderBy=id&sortOrder=DESC&externalId=x", 0, 0,
			`[{"field":"orderBy","error":"unknown parameter"},{"field":"sortOrder","error":"unknown parameter"},{"field":"externalId","error":"unknown parameter"}]`},
		{"page=0", 0, 0, `[{"field":"page","error":"must be an integer from 1 to 10000000"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := translate.ParseRepaymentListQuery(tt.raw)
			assertParsed(t, translate.ListRequest{Page: tt.page, Rows: tt.rows}, got, err, tt.wantErr)
		})
	}
}

// TestRepaymentPage: repayments only, newest first by value date and then
// id (a back-dated repayment posted later sorts by its value date), paged.
func TestRepaymentPage(t *testing.T) {
	may, june, july := date(t, "2026-05-25"), date(t, "2026-06-25"), date(t, "2026-07-25")
	disbursement := wire.LoanTransaction{ID: 9001, Type: &wire.EnumOption{ID: wire.LoanTransactionDisbursement}, Date: may, Amount: "10000"}
	accrual := wire.LoanTransaction{ID: 9002, Type: &wire.EnumOption{ID: wire.LoanTransactionAccrual}, Date: may, Amount: "1800"}
	waiver := wire.LoanTransaction{ID: 9003, Type: &wire.EnumOption{ID: wire.LoanTransactionWaiveInterest}, Date: june, Amount: "1"}
	// In the association's order: value date ascending, then id.
	txs := []wire.LoanTransaction{disbursement, accrual, repaymentTx(9030, june, ""), repaymentTx(9010, june, ""), waiver,
		repaymentTx(9020, july, "")}
	ids := func(p translate.Page[translate.Repayment]) []string {
		var out []string
		for _, r := range p.Items {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"", []string{"9020", "9030", "9010"}},
		{"rows=2", []string{"9020", "9030"}},
		{"page=2&rows=2", []string{"9010"}},
		{"page=3&rows=2", nil},
	} {
		t.Run(tt.query, func(t *testing.T) {
			req, perr := translate.ParseRepaymentListQuery(tt.query)
			require.Nil(t, perr)
			got, err := translate.RepaymentPage(txs, 501, req)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ids(got))
			assert.EqualValues(t, 3, got.Total, "every repayment, not the page")
			assert.Equal(t, req.Page, got.Page)
			assert.Equal(t, req.Rows, got.RowsPerPage)
		})
	}
	empty, err := translate.RepaymentPage([]wire.LoanTransaction{disbursement}, 501, translate.ListRequest{Page: 1, Rows: 10})
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":[],"total":0,"page":1,"rowsPerPage":10}`, marshal(t, empty))

	bad := repaymentTx(9040, july, "")
	bad.PrincipalPortion = "-1"
	_, err = translate.RepaymentPage([]wire.LoanTransaction{bad}, 501, translate.ListRequest{Page: 1, Rows: 10})
	assert.Error(t, err)

	history, err := translate.RepaymentHistory(txs, 501)
	require.NoError(t, err)
	b, err := json.Marshal(history)
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"type":"Disbursement"`)
	require.Len(t, history, 3)
}

func TestParseRepaymentID(t *testing.T) {
	id, err := translate.ParseRepaymentID("9010")
	require.Nil(t, err)
	assert.EqualValues(t, 9010, id)
	_, err = translate.ParseRepaymentID("9010x")
	require.NotNil(t, err)
	assert.Equal(t, `[{"field":"transaction_id","error":"must be a positive integer"}]`, err.Message)
}

func TestRepaymentsOfLoanPath(t *testing.T) {
	e := translate.Applied(translate.RepaymentsOfLoan(7), 9010, errors.New("read failed"))
	assert.Equal(t, "the change was applied, but the repayment could not be read back; read it with GET /v1/loans/7/repayments/9010", e.Message)
}
