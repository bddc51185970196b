package translate_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream/wire"
)

func decodeClient(t *testing.T, body string) wire.ClientData {
	t.Helper()
	var c wire.ClientData
	require.NoError(t, json.Unmarshal([]byte(body), &c))
	return c
}

func TestCustomerFromUpstream(t *testing.T) {
	tests := []struct {
		name string
		body string // upstream JSON
		want string // partner JSON
	}{
		{
			name: "1.9+ active client with array dates",
			body: `{"id":27,"accountNo":"000000027","externalId":"ext-27","status":{"id":300,"code":"clientStatusType.active","value":"Active"},"active":true,"activationDate":[2013,1,1],"firstname":"savings","lastname":"test","displayName":"savings test","mobileNo":"+353851239876","emailAddress":"test@test.com","dateOfBirth":[1980,5,1],"isStaff":false,"officeId":1,"officeName":"Head Office","timeline":{"submittedOnDate":[2013,1,1],"activatedOnDate":[2013,1,1]},"savingsProductName":"27","legalForm":{"id":1,"code":"legalFormType.person","value":"Person"},"clientCollateralManagements":[],"groups":[]}`,
			want: `{"id":"27","accountNo":"000000027","externalId":"ext-27","status":"Active","active":true,"officeId":"1","officeName":"Head Office","firstname":"savings","lastname":"test","displayName":"savings test","mobileNo":"+353851239876","emailAddress":"test@test.com","dateOfBirth":"1980-05-01","activationDate":"2013-01-01","submittedDate":"2013-01-01"}`,
		},
		{
			name: "1.8 pending client with unset code values, ISO string dates",
			body: `{"id":5,"accountNo":"000000005","status":{"id":100,"code":"clientStatusType.pending","value":"Pending"},"subStatus":{"active":false,"mandatory":false},"active":false,"firstname":"Pat","lastname":"Pending","displayName":"Pat Pending","gender":{"active":false,"mandatory":false},"officeId":1,"officeName":"Head Office","timeline":{"submittedOnDate":"2024-01-05","submittedByUsername":"mifos"},"legalForm":{"id":1,"code":"legalFormType.person","value":"PERSON"}}`,
			want: `{"id":"5","accountNo":"000000005","status":"Pending","active":false,"officeId":"1","officeName":"Head Office","firstname":"Pat","lastname":"Pending","displayName":"Pat Pending","submittedDate":"2024-01-05"}`,
		},
		{
			name: "closed client keeps its activation date",
			body: `{"id":9,"status":{"id":600,"code":"clientStatusType.closed","value":"Closed"},"active":false,"activationDate":[2024,2,29],"timeline":{"submittedOnDate":[2024,2,1],"closedOnDate":[2024,3,1]}}`,
			want: `{"id":"9","status":"Closed","active":false,"activationDate":"2024-02-29","submittedDate":"2024-02-01"}`,
		},
		{
			name: "unknown status id is not passed through",
			body: `{"id":3,"status":{"id":999,"code":"clientStatusType.weird","value":"Client weird"}}`,
			want: `{"id":"3","status":"Unknown","active":false}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(translate.CustomerFromUpstream(decodeClient(t, tt.body)))
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
			assert.NotContains(t, string(got), "null")
		})
	}
}

func TestParseCreate(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string // externalId on success
		wantErr string // partner message on failure
	}{
		{"plain", `{"externalId":"ext-ada-001"}`, "ext-ada-001", ""},
		{"special characters kept byte for byte", `{"externalId":"a/b%c?d#e f é Client-7"}`, "a/b%c?d#e f é Client-7", ""},
		{"exactly 100 characters", `{"externalId":"` + strings.Repeat("é", 100) + `"}`, strings.Repeat("é", 100), ""},
		// The upstream counts UTF-16 code units: an emoji is 2.
		{"50 emoji are 100 code units", `{"externalId":"` + strings.Repeat("😀", 50) + `"}`, strings.Repeat("😀", 50), ""},
		{"50 emoji and one letter are 101", `{"externalId":"a` + strings.Repeat("😀", 50) + `"}`, "", `[{"field":"externalId","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"one emoji escaped as a surrogate pair", `{"externalId":"\ud83d\ude00"}`, "😀", ""},
		{"101 characters", `{"externalId":"` + strings.Repeat("x", 101) + `"}`, "", `[{"field":"externalId","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"empty", `{"externalId":""}`, "", `[{"field":"externalId","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"missing", `{}`, "", `[{"field":"externalId","error":"required"}]`},
		{"wrong type", `{"externalId":42}`, "", `[{"field":"externalId","error":"must be a string"}]`},
		{"null", `{"externalId":null}`, "", `[{"field":"externalId","error":"must be a string"}]`},
		{"control character", `{"externalId":"a\u0000b"}`, "", `[{"field":"externalId","error":"must not contain control characters"}]`},
		{"leading space", `{"externalId":" a"}`, "", `[{"field":"externalId","error":"must not begin or end with white space"}]`},
		{"trailing no-break space", `{"externalId":"a\u00a0"}`, "", `[{"field":"externalId","error":"must not begin or end with white space"}]`},
		{"unknown field and missing field together", `{"name":"x"}`, "", `[{"field":"name","error":"unknown field"},{"field":"externalId","error":"required"}]`},
		{"duplicate key", `{"externalId":"a","externalId":"b"}`, "", `[{"field":"externalId","error":"given more than once"}]`},
		{"malformed", `{"externalId":`, "", `[{"field":"body","error":"malformed JSON"}]`},
		{"trailing data", `{"externalId":"a"} {}`, "", `[{"field":"body","error":"malformed JSON"}]`},
		{"empty body", ``, "", `[{"field":"body","error":"must be a JSON object"}]`},
		{"array", `["externalId"]`, "", `[{"field":"body","error":"must be a JSON object"}]`},
		// encoding/json would turn each of these into U+FFFD.
		{"Latin-1 byte", "{\"externalId\":\"caf\xe9\"}", "", `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"truncated UTF-8 sequence", "{\"externalId\":\"a\xe2\x82\"}", "", `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"UTF-8-encoded surrogate", "{\"externalId\":\"a\xed\xa0\x80\"}", "", `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"lone high surrogate", `{"externalId":"a\ud800"}`, "", `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"lone low surrogate", `{"externalId":"\uDC00a"}`, "", `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"high surrogate before another escape", `{"externalId":"\ud83d\u0041"}`, "", `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"high surrogate before an escaped backslash", `{"externalId":"\ud83d\\ude00"}`, "", `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"surrogate pair", `{"externalId":"\ud83d\ude00 x"}`, "😀 x", ""},
		{"escaped backslash before u", `{"externalId":"a\\ud800"}`, `a\ud800`, ""},
		{"bad text in an unknown field", "{\"externalId\":\"a\",\"note\":[\"\xff\"]}", "", `[{"field":"note","error":"must be valid UTF-8"}]`},
		{"bad text in a key", "{\"externalId\":\"a\",\"n\xffte\":1}", "", `[{"field":"body","error":"must be valid UTF-8"}]`},
		{"lone surrogate in a key", `{"\udfffx":1,"externalId":"a"}`, "", `[{"field":"body","error":"must be valid UTF-8"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate.ParseCreate([]byte(tt.body))
			assertParsed(t, tt.want, got.ExternalID, err, tt.wantErr)
		})
	}
}

func TestCreateBody(t *testing.T) {
	today := wire.Date{Year: 2026, Month: 11, Day: 21}
	long := strings.Repeat("x", 60)
	tests := []struct {
		name, externalID, wantFirstname string
	}{
		{"mirrors the externalId", "ext-ada-001", "ext-ada-001"},
		{"mirrors the first 50 characters of a longer id", long, long[:50]},
		{"counts UTF-16 code units", strings.Repeat("😀", 26), strings.Repeat("😀", 25)},
		{"never splits a surrogate pair", "a" + strings.Repeat("😀", 25), "a" + strings.Repeat("😀", 24)},
		{"astral characters within the limit are kept", strings.Repeat("😀", 25), strings.Repeat("😀", 25)},
		{"drops the spaces the upstream would trim", strings.Repeat("x", 49) + " yz", strings.Repeat("x", 49)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate.CreateBody(translate.CreateRequest{ExternalID: tt.externalID}, 7, today)
			assert.Equal(t, wire.ClientCreate{
				OfficeID: 7, LegalFormID: 1, Firstname: tt.wantFirstname, Lastname: "Customer",
				ExternalID: tt.externalID, Active: true, ActivationDate: "2026-11-21", SubmittedOnDate: "2026-11-21",
				DateFormat: "yyyy-MM-dd", Locale: "en",
			}, got)
		})
	}
}

func TestUpdateBody(t *testing.T) {
	long := strings.Repeat("y", 70)
	tests := []struct {
		name          string
		current       wire.ClientData
		newExternalID string
		wantFirstname *string
		wantLastname  *string
	}{
		{"firstname mirrored the old id: it follows", wire.ClientData{ExternalID: "old", Firstname: "old", Lastname: "Customer"}, "new", ptr("new"), ptr("Customer")},
		{"long ids mirror by prefix", wire.ClientData{ExternalID: long, Firstname: long[:50], Lastname: "Customer"}, "z" + long, ptr(("z" + long)[:50]), ptr("Customer")},
		{"real names are kept", wire.ClientData{ExternalID: "old", Firstname: "Ada", Lastname: "Lovelace"}, "new", nil, nil},
		{"no old externalId: names are kept", wire.ClientData{Firstname: "Ada"}, "new", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate.UpdateBody(tt.current, translate.UpdateRequest{ExternalID: tt.newExternalID})
			require.NotNil(t, got.ExternalID)
			assert.Equal(t, tt.newExternalID, *got.ExternalID)
			assert.Equal(t, tt.wantFirstname, got.Firstname)
			assert.Equal(t, tt.wantLastname, got.Lastname, "name parts are sent together")
		})
	}
}

func ptr(s string) *string { return &s }

func TestParseClose(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantDate   string
		wantReason int64
		wantErr    string
	}{
		{"number", `{"closureDate":"2026-12-31","closureReasonId":17}`, "2026-12-31", 17, ""},
		{"string of digits", `{"closureDate":"2026-12-31","closureReasonId":"17"}`, "2026-12-31", 17, ""},
		{"both missing", `{}`, "", 0, `[{"field":"closureDate","error":"required"},{"field":"closureReasonId","error":"required"}]`},
		{"zero", `{"closureDate":"2026-12-31","closureReasonId":0}`, "", 0, `[{"field":"closureReasonId","error":"must be a positive integer"}]`},
		{"negative", `{"closureDate":"2026-12-31","closureReasonId":-3}`, "", 0, `[{"field":"closureReasonId","error":"must be a positive integer"}]`},
		{"fraction", `{"closureDate":"2026-12-31","closureReasonId":17.5}`, "", 0, `[{"field":"closureReasonId","error":"must be a positive integer"}]`},
		{"exponent", `{"closureDate":"2026-12-31","closureReasonId":1e3}`, "", 0, `[{"field":"closureReasonId","error":"must be a positive integer"}]`},
		{"overflow", `{"closureDate":"2026-12-31","closureReasonId":99999999999999999999}`, "", 0, `[{"field":"closureReasonId","error":"must be a positive integer"}]`},
		{"impossible date", `{"closureDate":"2026-02-30","closureReasonId":17}`, "", 0, `[{"field":"closureDate","error":"must be a date YYYY-MM-DD"}]`},
		{"upstream date format", `{"closureDate":"31 December 2026","closureReasonId":17}`, "", 0, `[{"field":"closureDate","error":"must be a date YYYY-MM-DD"}]`},
		{"date array", `{"closureDate":[2026,12,31],"closureReasonId":17}`, "", 0, `[{"field":"closureDate","error":"must be a date YYYY-MM-DD"}]`},
		{"extra field", `{"closureDate":"2026-12-31","closureReasonId":17,"locale":"en"}`, "", 0, `[{"field":"locale","error":"unknown field"}]`},
		{"lone surrogate in a string of digits", `{"closureDate":"2026-12-31","closureReasonId":"17\ud800"}`, "", 0, `[{"field":"closureReasonId","error":"must be valid UTF-8"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate.ParseClose([]byte(tt.body))
			if tt.wantErr != "" {
				require.NotNil(t, err)
				assert.Equal(t, tt.wantErr, err.Message)
				return
			}
			require.Nil(t, err)
			assert.Equal(t, tt.wantDate, got.ClosureDate.ISO())
			assert.Equal(t, tt.wantReason, got.ClosureReasonID)
			assert.Equal(t, wire.ClientClose{ClosureDate: tt.wantDate, ClosureReasonID: tt.wantReason, DateFormat: "yyyy-MM-dd", Locale: "en"}, translate.CloseBody(got))
		})
	}
}

func TestParseCustomerID(t *testing.T) {
	for _, ok := range []string{"1", "42", "9223372036854775807"} {
		_, err := translate.ParseCustomerID(ok)
		assert.Nil(t, err, ok)
	}
	for _, bad := range []string{"", "0", "-1", "+1", "1.0", "abc", " 1", "9223372036854775808", "１"} {
		_, err := translate.ParseCustomerID(bad)
		require.NotNil(t, err, bad)
		assert.Equal(t, `[{"field":"customer_id","error":"must be a positive integer"}]`, err.Message, bad)
	}
}

func TestMerge(t *testing.T) {
	assert.Nil(t, translate.Merge(nil, nil))
	a := translate.Invalid(translate.FieldError{Field: "a", Error: "x"})
	b := translate.Invalid(translate.FieldError{Field: "b", Error: "y"})
	assert.Equal(t, `[{"field":"a","error":"x"},{"field":"b","error":"y"}]`, translate.Merge(a, nil, b).Message)
	other := translate.NewError(translate.NotFound, "gone")
	assert.Same(t, other, translate.Merge(a, other))
}

// assertParsed checks one parser's result: with wantErr, an
// invalid_argument answer carrying exactly those field errors; without it,
// no error and got equal to want.
func assertParsed[T any](t *testing.T, want, got T, err *translate.Error, wantErr string) {
	t.Helper()
	if wantErr != "" {
		require.NotNil(t, err)
		assert.Equal(t, translate.InvalidArgument, err.Code)
		assert.Equal(t, wantErr, err.Message)
		return
	}
	require.Nil(t, err)
	assert.Equal(t, want, got)
}
