package translate_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream/wire"
)

func TestParseIdempotencyKey(t *testing.T) {
	tests := []struct {
		name    string
		values  []string
		want    string
		wantErr string
	}{
		{"absent", nil, "", ""},
		{"one", []string{"wallet-req-1"}, "wallet-req-1", ""},
		{"kept byte for byte", []string{"a/b %2F ü"}, "a/b %2F ü", ""},
		{"twice", []string{"a", "b"}, "", `[{"field":"Idempotency-Key","error":"must be sent once"}]`},
		{"too long", []string{strings.Repeat("k", 101)}, "", `[{"field":"Idempotency-Key","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"empty", []string{""}, "", `[{"field":"Idempotency-Key","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate.ParseIdempotencyKey(tt.values)
			assertParsed(t, tt.want, got, err, tt.wantErr)
		})
	}
}

// TestReservedExternalIDPrefix: the prefix of the proxy's own externalIds
// is refused wherever a partner names a loan's externalId, and a loan
// carrying one shows none.
func TestReservedExternalIDPrefix(t *testing.T) {
	const problem = `must not start with lmsproxy- (reserved for the ids the service generates)`
	_, err := translate.ParseLoanCreate([]byte(`{"customerId":1,"productId":1,"principal":1000,"externalId":"lmsproxy-x"}`))
	require.NotNil(t, err)
	assert.Equal(t, `[{"field":"externalId","error":"`+problem+`"}]`, err.Message)
	_, err = translate.ParseLoanUpdate([]byte(`{"externalId":"lmsproxy-x"}`))
	require.NotNil(t, err)
	assert.Contains(t, err.Message, problem)
	_, err = translate.ParseLoanExternalID("lmsproxy-x")
	require.NotNil(t, err)
	assert.Equal(t, `[{"field":"loan_external_id","error":"`+problem+`"}]`, err.Message)
	_, err = translate.ParseLoanExternalID("my-lmsproxy-x")
	assert.Nil(t, err, "only a prefix is reserved")

	for _, tt := range []struct{ upstream, partner string }{
		{"lmsproxy-0123456789abcdef", ""},
		{"halotel-tx-1", "halotel-tx-1"},
		{"", ""},
	} {
		l, err := translate.LoanFromUpstream(wire.LoanData{ID: 1, ExternalID: tt.upstream})
		require.NoError(t, err)
		assert.Equal(t, tt.partner, l.ExternalID, tt.upstream)
	}
}

func TestLoanStateMessages(t *testing.T) {
	assert.Equal(t, &translate.Error{Code: translate.Aborted, Message: "Loan with id 7 is Active; only a loan Submitted and pending approval allows this"},
		translate.LoanStateRefused(translate.Loans.ByID("7"), wire.LoanStatusActive, "only a loan Submitted and pending approval allows this"))
	assert.Equal(t, "Loan with externalId a b. is Closed (written off); x",
		translate.LoanStateRefused(translate.Loans.ByExternalID("a b."), wire.LoanStatusClosedWrittenOff, "x").Message,
		"the partner's value is kept byte for byte")

	assert.Equal(t, translate.Error{Code: translate.Aborted, Message: "Loan with externalId ext-1 already exists with other terms (id 9)"},
		*translate.LoanExists("ext-1", "9", false))
	keyed := translate.LoanExists("lmsproxy-abc", "9", true)
	assert.Equal(t, translate.Aborted, keyed.Code)
	assert.NotContains(t, keyed.Message, "lmsproxy-", "the generated externalId is not the partner's")
	assert.Contains(t, keyed.Message, "loan id 9")

	cause := errors.New("both disbursements refused")
	e := translate.RedisbursementFailed(translate.Loans.ByID("7"), "2026-11-11", cause)
	assert.Equal(t, translate.Internal, e.Code)
	assert.Equal(t, "Loan with id 7 was left Approved: its disbursement was undone, and disbursing it again failed both at the new date and at the original date 2026-11-11; disburse it at 2026-11-11 to restore it", e.Message)
	assert.ErrorIs(t, e, cause)
}

// TestLoanOrders: a customer's loans, which the proxy pages itself, are
// ordered as the upstream list would order them.
func TestLoanOrders(t *testing.T) {
	day := func(d int) wire.Date {
		return wire.DateOf(time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d))
	}
	accounts := []wire.LoanAccountSummary{
		{ID: 3, Timeline: &wire.LoanTimeline{SubmittedOnDate: day(-1), ActualDisbursementDate: day(-1)}},
		{ID: 1, Timeline: &wire.LoanTimeline{SubmittedOnDate: day(-2)}},
		{ID: 2, Timeline: &wire.LoanTimeline{SubmittedOnDate: day(-1), ActualDisbursementDate: day(-3)}},
	}
	ids := func(as []wire.LoanAccountSummary) []int64 {
		var out []int64
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	for _, tt := range []struct {
		orderBy, sortOrder string
		want               []int64
	}{
		{"", "", []int64{1, 2, 3}},
		{"", "DESC", []int64{3, 2, 1}},
		{"submittedDate", "ASC", []int64{1, 2, 3}},
		{"disbursementDate", "ASC", []int64{1, 2, 3}},
		{"disbursementDate", "desc", []int64{3, 2, 1}},
	} {
		got := slices.Clone(accounts)
		slices.SortStableFunc(got, translate.LoanAccountOrder(translate.LoanListRequest{ListRequest: translate.ListRequest{OrderBy: tt.orderBy, SortOrder: tt.sortOrder}}))
		assert.Equal(t, tt.want, ids(got), "%s %s", tt.orderBy, tt.sortOrder)
	}

	loans := []wire.LoanData{{ID: 1, Principal: "2000.000000"}, {ID: 2, Principal: "10000"}, {ID: 3, Principal: "2000"}}
	slices.SortStableFunc(loans, translate.LoanPrincipalOrder(translate.LoanListRequest{ListRequest: translate.ListRequest{OrderBy: "principal", SortOrder: "DESC"}}))
	assert.Equal(t, []int64{2, 3, 1}, []int64{loans[0].ID, loans[1].ID, loans[2].ID}, "by value, not text; ties by id")
}

func TestOriginationExternalID(t *testing.T) {
	partner := "halotel-tx-1"
	withExt := translate.LoanCreateRequest{ExternalID: &partner}
	assert.Equal(t, partner, translate.OriginationExternalID(withExt, "iss\x00a", "key-1", "n"), "the partner's externalId wins")
	keyed := translate.OriginationExternalID(translate.LoanCreateRequest{}, "iss\x00a", "key-1", "n1")
	assert.Equal(t, keyed, translate.OriginationExternalID(translate.LoanCreateRequest{}, "iss\x00a", "key-1", "n2"), "a retry names the same loan")
	assert.NotEqual(t, keyed, translate.OriginationExternalID(translate.LoanCreateRequest{}, "iss\x00b", "key-1", "n1"), "another partner's key is another loan")
	assert.Regexp(t, `^lmsproxy-[0-9a-f]{32}$`, keyed)
	assert.Equal(t, "lmsproxy-n1", translate.OriginationExternalID(translate.LoanCreateRequest{}, "iss\x00a", "", "n1"))
}
