package translate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lmsproxy/translate"
	"lmsproxy/upstream/recording"
	"lmsproxy/upstream/wire"
)

// Leak-proofing: whatever the upstream sends, the partner sees the contract
// and nothing of the upstream. The seeds are every response of the recorded
// corpus plus translate/testdata/fuzz/<Name>; make fuzz explores from there.

// leak is upstream vocabulary no partner text may contain outside the
// partner's own values (spec §1).
var leak = regexp.MustCompile(`Client|clients|error\.msg|validation\.msg|developerMessage|pageItems|totalFilteredRecords|Fineract|fineract|(?i:select\s)|Duplicate entry|constraint|org\.apache|java\.|\[\s*\d{4}\s*,\s*\d{1,2}\s*,\s*\d{1,2}\s*\]`)

var partnerCodes = map[translate.Code]bool{
	translate.InvalidArgument: true, translate.Unauthenticated: true, translate.PermissionDenied: true,
	translate.NotFound: true, translate.Aborted: true, translate.Internal: true, translate.Unavailable: true,
}

// corpusResponses are the recorded upstream responses, as fuzz seeds.
func corpusResponses(f *testing.F) []recording.Response {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "fineract", "*", "*", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	var out []recording.Response
	for _, p := range paths {
		s, err := recording.Load(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, ex := range s.Exchanges {
			out = append(out, ex.Response)
		}
	}
	return out
}

// scrub removes the partner's values, which the proxy may echo verbatim.
func scrub(s string, values ...string) string {
	for _, v := range values {
		if v != "" {
			s = strings.ReplaceAll(s, v, "")
		}
	}
	return s
}

func FuzzUpstreamError(f *testing.F) {
	for _, r := range corpusResponses(f) {
		if r.Status >= 300 {
			f.Add(r.Status, []byte(r.Body), "rec-a")
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte, externalID string) {
		ext, perr := translate.ParseCustomerExternalID(externalID)
		if perr != nil {
			t.Skip("not an externalId a partner can send")
		}
		if status < 0 || status > 999 {
			status %= 1000
		}
		ue := wire.ParseError("fuzz", status, body)
		got := translate.FromUpstream(ue, translate.Target{ExternalID: ext, Values: []string{ext}})
		raw, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var env map[string]any
		if err := json.Unmarshal(raw, &env); err != nil || len(env) != 2 {
			t.Fatalf("not {code, message}: %s", raw)
		}
		code, _ := env["code"].(string)
		msg, _ := env["message"].(string)
		if !partnerCodes[translate.Code(code)] || msg == "" {
			t.Fatalf("unknown code or empty message: %s", raw)
		}
		if m := leak.FindString(scrub(msg, ext)); m != "" {
			t.Fatalf("upstream vocabulary %q in %s", m, raw)
		}
		if i := strings.Index(msg, "with externalId "); i >= 0 && !strings.HasPrefix(msg[i+len("with externalId "):], ext) {
			t.Fatalf("externalId %q not preserved in %q", ext, msg)
		}
		if translate.Code(code) == translate.InvalidArgument {
			var fields []translate.FieldError
			if err := json.Unmarshal([]byte(msg), &fields); err != nil || len(fields) == 0 {
				t.Fatalf("invalid_argument message is not a field list: %q", msg)
			}
		}
	})
}

// stringsIn lists every string in a JSON document, keys included: the
// upstream may put anything in a name, and the proxy copies names through.
func stringsIn(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, stringsIn(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, x := range v {
			out = append(append(out, k), stringsIn(x)...)
		}
		return out
	}
	return nil
}

func FuzzCustomerDecode(f *testing.F) {
	for _, r := range corpusResponses(f) {
		if r.Status == 200 && strings.HasPrefix(r.Body, `{"id"`) {
			f.Add([]byte(r.Body))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var c wire.ClientData
		if json.Unmarshal(body, &c) != nil {
			return
		}
		out, err := json.Marshal(translate.CustomerFromUpstream(c))
		if err != nil || !json.Valid(out) {
			t.Fatalf("customer does not marshal: %v %s", err, out)
		}
		var in any
		_ = json.Unmarshal(body, &in)
		// Values are compared as the partner JSON carries them, escaped.
		var values []string
		for _, s := range stringsIn(in) {
			q, _ := json.Marshal(s)
			values = append(values, s, string(q[1:len(q)-1]))
		}
		if m := leak.FindString(scrub(string(out), values...)); m != "" {
			t.Fatalf("upstream vocabulary %q in %s (from %s)", m, out, body)
		}
	})
}

func TestFuzzSeedsExist(t *testing.T) {
	for _, name := range []string{"FuzzUpstreamError", "FuzzCustomerDecode"} {
		entries, err := os.ReadDir(filepath.Join("testdata", "fuzz", name))
		if err != nil || len(entries) == 0 {
			t.Errorf("no seed corpus under testdata/fuzz/%s", name)
		}
	}
}

// FuzzLoanBodies: whatever a partner sends to a loan route, each parser
// answers a value or invalid_argument, never a panic (a 500).
func FuzzLoanBodies(f *testing.F) {
	for _, seed := range []string{
		`{"customerId":42,"productId":1,"principal":10000,"externalId":"halotel-tx-12345"}`,
		`{"customerExternalId":"c/1","productId":"1","principal":1e3}`,
		`{"principal":2000,"numberOfRepayments":6,"interestRatePerPeriod":0,"externalId":"x"}`,
		`{"actualDisbursementDate":"2026-05-20","note":"n"}`,
		`{"transactionDate":"2026-05-20"}`, `{"note":"\ud83d\ude00"}`, ``, `[]`, `{"principal":-0.0e-99999999999}`,
		`{"transactionAmount":11100,"transactionDate":"2026-05-25","idempotencyKey":"wallet-tx-778"}`, `page=2&rows=5`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		errs := []*translate.Error{}
		_, err := translate.ParseLoanCreate(body)
		errs = append(errs, err)
		_, err = translate.ParseLoanUpdate(body)
		errs = append(errs, err)
		_, err = translate.ParseNote(body)
		errs = append(errs, err)
		_, err = translate.ParseAdjustDisbursement(body)
		errs = append(errs, err)
		_, err = translate.ParseWriteOff(body)
		errs = append(errs, err)
		_, err = translate.ParseLoanListQuery(string(body))
		errs = append(errs, err)
		_, err = translate.ParseRepayment(body)
		errs = append(errs, err)
		_, err = translate.ParseRepaymentListQuery(string(body))
		errs = append(errs, err)
		for _, e := range errs {
			if e != nil && e.Code != translate.InvalidArgument {
				t.Fatalf("%s answered %s", body, e.Code)
			}
		}
	})
}
