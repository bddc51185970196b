package translate_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// benchClientBody is a get-by-id answer as the 1.10 simulator writes it
// (testdata/fineract/1.10/customers/get-by-id.json), unused fields
// included: the decoder pays for those too.
const benchClientBody = `{"id":6,"accountNo":"000000006","externalId":"rec-a","status":{"id":300,"code":"clientStatusType.active","value":"Active"},"active":true,"activationDate":[2026,11,21],"firstname":"rec-a","lastname":"Customer","displayName":"rec-a Customer","isStaff":false,"officeId":1,"officeName":"Head Office","timeline":{"submittedOnDate":[2026,11,21],"activatedOnDate":[2026,11,21],"activatedByUsername":"mifos","activatedByFirstname":"App","activatedByLastname":"Administrator"},"savingsProductName":"6","legalForm":{"id":1,"code":"legalFormType.person","value":"Person"},"clientCollateralManagements":[],"groups":[]}`

// benchPageBody is a list answer of 25 such clients.
var benchPageBody = func() string {
	items := make([]string, 25)
	for i := range items {
		items[i] = strings.Replace(benchClientBody, `"id":6`, fmt.Sprintf(`"id":%d`, i+1), 1)
	}
	return `{"totalFilteredRecords":125,"pageItems":[` + strings.Join(items, ",") + `]}`
}()

// BenchmarkCustomerRoundTrip is the per-request work of GET
// /v1/customers/{id} outside HTTP: decode the upstream body, translate,
// encode the partner body.
func BenchmarkCustomerRoundTrip(b *testing.B) {
	body := []byte(benchClientBody)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var c wire.ClientData
		if err := json.Unmarshal(body, &c); err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(translate.CustomerFromUpstream(c)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCustomerEncode isolates the partner encoding, the part
// translate owns.
func BenchmarkCustomerEncode(b *testing.B) {
	var c wire.ClientData
	if err := json.Unmarshal([]byte(benchClientBody), &c); err != nil {
		b.Fatal(err)
	}
	cust := translate.CustomerFromUpstream(c)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(cust); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPageRoundTrip is GET /v1/customers?rows=25 outside HTTP.
func BenchmarkPageRoundTrip(b *testing.B) {
	body := []byte(benchPageBody)
	req := translate.ListRequest{Page: 1, Rows: 25}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var p wire.Page[wire.ClientData]
		if err := json.Unmarshal(body, &p); err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(translate.CustomerPage(p, req)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPageEncode isolates encoding a translated page of 25.
func BenchmarkPageEncode(b *testing.B) {
	var p wire.Page[wire.ClientData]
	if err := json.Unmarshal([]byte(benchPageBody), &p); err != nil {
		b.Fatal(err)
	}
	page := translate.CustomerPage(p, translate.ListRequest{Page: 1, Rows: 25})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(page); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkErrorTranslation parses an upstream 1.10 validation error and
// translates it into the partner error body, as a refused create does.
func BenchmarkErrorTranslation(b *testing.B) {
	body := []byte(`{"developerMessage":"Validation errors exist.","httpStatusCode":"400","defaultUserMessage":"Validation errors exist.","userMessageGlobalisationCode":"validation.msg.validation.errors.exist","errors":[{"developerMessage":"The parameter ` + "`externalId`" + ` exceeds max length of 100.","defaultUserMessage":"The parameter ` + "`externalId`" + ` exceeds max length of 100.","userMessageGlobalisationCode":"validation.msg.client.externalId.exceeds.max.length","parameterName":"externalId","args":[{"value":"x"},{"value":100}]}]}`)
	target := translate.Target{Values: []string{"x"}, Fields: translate.CreateFields}
	b.ReportAllocs()
	for b.Loop() {
		perr := translate.FromUpstream(wire.ParseError(upstream.OpCreateClient.Name, 400, body), target)
		if perr == nil || perr.Code == "" {
			b.Fatal("no translation")
		}
		if _, err := json.Marshal(perr); err != nil {
			b.Fatal(err)
		}
	}
}
