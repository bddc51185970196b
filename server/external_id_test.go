package server_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/server"
	"lmsproxy/translate"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// hostileExternalIDs are externalIds a partner may use (§4: any printable
// characters, 1–100 long) that a real upstream makes hard to reach again,
// each with the trap it sets. firstname is the mirror the create sets when
// it is not the externalId itself.
var hostileExternalIDs = []hostileID{
	{ext: `a\b`, trap: "LIKE reads the backslash as an escape: a\\b matches ab, never itself; the firewall refuses it in a path"},
	{ext: `a\`, trap: "a LIKE pattern ending in the escape character is a database error"},
	{ext: `50%`, trap: "% is a LIKE wildcard (50x exists); the firewall refuses an encoded %"},
	{ext: `a_b`, trap: "_ is a LIKE wildcard (axb exists, and was created first)"},
	{ext: `x #1`, trap: "1.10's validator: a space before # (inject-comment)"},
	{ext: `x -1`, trap: "1.10's validator: a space before - (inject-comment)"},
	{ext: `abc(123)`, trap: "1.10's validator: letters before (digits) (inject-timing)"},
	{ext: `a;b`, trap: "the firewall refuses ; in a path"},
	{ext: `a;drop`, trap: "the firewall refuses ;, and 1.10's validator refuses ;drop on the list (a-drop exists)"},
	{ext: `x -1/2`, trap: "the firewall refuses an encoded /, and 1.10's validator refuses the space before - (x--1/2 exists)"},
	{ext: `50% or 1=1`, trap: "the firewall refuses %, and 1.10's validator refuses or 1=1 (inject-blind)"},
	{ext: `--`, trap: "looks like an SQL comment, which the validator accepts without a space before it"},
	{ext: `.`, trap: "the firewall refuses a dot segment"},
	{ext: `..`, trap: "the firewall refuses a dot-dot segment"},
	{ext: "a\u2028b", trap: "the firewall refuses U+2028 in a path"},
	{ext: "a\u2029b", trap: "the firewall refuses U+2029 in a path"},
	{ext: "accounts", trap: "a literal sub-resource that does not capture the external-id route"},
	{ext: strings.Repeat("😀", 50), trap: "100 UTF-16 code units; the firstname mirror is 50 of them", firstname: strings.Repeat("😀", 25)},
	{ext: "a" + strings.Repeat("😀", 49) + "b", trap: "the 50-unit cut falls inside a surrogate pair", firstname: "a" + strings.Repeat("😀", 24)},
	{ext: strings.Repeat("x", 49) + " tail", trap: "the 50-unit cut ends in a space the upstream trims", firstname: strings.Repeat("x", 49)},
}

type hostileID struct{ ext, trap, firstname string }

// hostileDecoys are customers a wildcard or a dropped escape finds instead,
// created before the hostile ones so that they come first in id order.
var hostileDecoys = []string{"axb", "50x", "ab", "a-drop", "x--1/2", "50x or 1x1"}

// TestHostileExternalIDs: every externalId goes through delete (while
// pending), create, get in both forms, the point lookup, rename away and
// back, and close, on every line.
func TestHostileExternalIDs(t *testing.T) {
	ids := slices.Clone(hostileExternalIDs)
	for _, name := range []string{"identifiers", "charges", "collaterals", "familymembers", "calendars", "documents",
		"images", "meetings", "notes", "obligeedetails", "transferproposaldate", "transactions"} {
		ids = append(ids, hostileID{ext: name, trap: "another resource's template captures /clients/external-id/" + name})
	}
	for _, line := range lines {
		t.Run("fineract-"+line.String(), func(t *testing.T) {
			t.Parallel()
			// Hundreds of requests from one partner: no rate limit.
			s := deploy(t, stackOptions{line: line, config: func(c *server.Config) { c.RateLimit = 0 }})
			for _, decoy := range hostileDecoys {
				s.sim.AddClient(fake.Seed{ExternalID: decoy, Firstname: decoy, Lastname: "Customer"})
			}
			for _, tt := range ids {
				roundTrip(t, s, tt.ext, tt.firstname, tt.trap)
			}
		})
	}
}

// roundTrip drives one externalId through every customer operation.
func roundTrip(t *testing.T, s *stack, ext, firstname, trap string) {
	t.Helper()
	msg := func(r response) string { return strconv.Quote(ext) + " (" + trap + "): " + r.body }
	if firstname == "" {
		firstname = ext
	}
	byExt := externalPath(ext)

	pending := s.sim.AddClient(fake.Seed{Status: wire.ClientStatusPending, ExternalID: ext, Firstname: "P", Lastname: "Customer"})
	r := s.do("DELETE", byExt, "")
	require.Equal(t, 200, r.status, "delete: "+msg(r))
	r = s.do("GET", "/v1/customers/"+strconv.FormatInt(pending, 10), "")
	require.Equal(t, 404, r.status, "deleted: "+msg(r))

	r = s.do("POST", "/v1/customers", `{"externalId":`+jsonString(ext)+`}`)
	require.Equal(t, 200, r.status, "create: "+msg(r))
	var c translate.Customer
	require.NoError(t, json.Unmarshal([]byte(r.body), &c))
	assert.Equal(t, ext, c.ExternalID, msg(r))
	assert.Equal(t, firstname, c.Firstname, msg(r))
	created := r.body

	for _, path := range []string{"/v1/customers/" + c.ID, byExt} {
		r = s.do("GET", path, "")
		require.Equal(t, 200, r.status, "get "+path+": "+msg(r))
		assert.Equal(t, created, r.body, msg(r))
	}
	r = s.do("GET", "/v1/customers?externalId="+url.QueryEscape(ext), "")
	require.Equal(t, 200, r.status, "point lookup: "+msg(r))
	assert.JSONEq(t, `{"items":[`+created+`],"total":1,"page":1,"rowsPerPage":10}`, r.body, msg(r))

	renamed := fitted("r:" + ext)
	r = s.do("PUT", byExt, `{"externalId":`+jsonString(renamed)+`}`)
	require.Equal(t, 200, r.status, "rename: "+msg(r))
	require.NoError(t, json.Unmarshal([]byte(r.body), &c))
	assert.Equal(t, renamed, c.ExternalID, msg(r))
	assert.True(t, strings.HasPrefix(renamed, c.Firstname) && c.Firstname != firstname, "the firstname followed the rename: "+msg(r))
	r = s.do("GET", externalPath(renamed), "")
	assert.Equal(t, 200, r.status, "get renamed: "+msg(r))
	r = s.do("GET", byExt, "")
	assert.Equal(t, 404, r.status, "old externalId after rename: "+msg(r))
	r = s.do("PUT", "/v1/customers/"+c.ID, `{"externalId":`+jsonString(ext)+`}`)
	require.Equal(t, 200, r.status, "rename back: "+msg(r))
	require.NoError(t, json.Unmarshal([]byte(r.body), &c))
	assert.Equal(t, ext, c.ExternalID, msg(r))
	assert.Equal(t, firstname, c.Firstname, "the firstname followed both renames: "+msg(r))

	r = s.do("POST", byExt+"/close", `{"closureDate":"2026-11-21","closureReasonId":17}`)
	require.Equal(t, 200, r.status, "close: "+msg(r))
	require.NoError(t, json.Unmarshal([]byte(r.body), &c))
	assert.Equal(t, "Closed", c.Status, msg(r))
}

// externalPath is the partner path of a customer by externalId. A dot
// segment is percent-encoded, as a partner's HTTP client must send it.
func externalPath(ext string) string {
	if strings.Trim(ext, ".") == "" {
		return "/v1/customers/external/" + strings.Repeat("%2E", len(ext))
	}
	return "/v1/customers/external/" + url.PathEscape(ext)
}

// fitted cuts s to the upstream's 100 UTF-16 code units, keeping surrogate
// pairs whole.
func fitted(s string) string {
	for r := []rune(s); ; r = r[:len(r)-1] {
		if len(utf16.Encode(r)) <= translate.MaxExternalIDLength {
			return string(r)
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestExternalIDLength: the limit counts UTF-16 code units, as the
// upstream does, and is enforced before any upstream call.
func TestExternalIDLength(t *testing.T) {
	tooLong := "a" + strings.Repeat("😀", 50) // 51 characters, 101 code units
	want := `{"code":"invalid_argument","message":"[{\"field\":\"%s\",\"error\":\"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)\"}]"}`
	forEachLine(t, func(t *testing.T, s *stack) {
		before := len(s.sim.Requests())
		for _, rq := range []struct{ method, path, body, field string }{
			{"POST", "/v1/customers", `{"externalId":"` + tooLong + `"}`, "externalId"},
			{"PUT", "/v1/customers/1", `{"externalId":"` + tooLong + `"}`, "externalId"},
			{"GET", externalPath(tooLong), "", "customer_external_id"},
			{"GET", "/v1/customers?externalId=" + url.QueryEscape(tooLong), "", "externalId"},
		} {
			r := s.do(rq.method, rq.path, rq.body)
			assert.Equal(t, 400, r.status, r.body)
			assert.JSONEq(t, strings.Replace(want, "%s", rq.field, 1), r.body)
		}
		assert.Equal(t, before, len(s.sim.Requests()), "refused before any upstream call")
	})
}

// TestExternalIDCase: lookups match exactly on both paths, and creating or
// renaming to an externalId that differs from another only in case is
// aborted with a message that says so, because the upstream's uniqueness
// follows its case-insensitive collation.
func TestExternalIDCase(t *testing.T) {
	const clash = `{"code":"aborted","message":"lms: status=403: Customer with externalId AB already exists (or one differing from it only in letter case)"}`
	const missing = `{"code":"not_found","message":"lms: status=404: Customer with externalId AB does not exist"}`
	forEachLine(t, func(t *testing.T, s *stack) {
		r := s.do("POST", "/v1/customers", `{"externalId":"ab"}`)
		require.Equal(t, 200, r.status, r.body)
		var ab translate.Customer
		require.NoError(t, json.Unmarshal([]byte(r.body), &ab))

		for _, rq := range []struct {
			method, path, body string
			status             int
			want               string
		}{
			{"POST", "/v1/customers", `{"externalId":"AB"}`, 409, clash},
			{"PUT", "/v1/customers/external/" + fake.SeedActiveExternalID, `{"externalId":"AB"}`, 409, clash},
			{"GET", "/v1/customers/external/AB", "", 404, missing},
			{"POST", "/v1/customers/external/AB/close", `{"closureDate":"2026-11-21","closureReasonId":17}`, 404, missing},
			{"DELETE", "/v1/customers/external/AB", "", 404, missing},
			{"GET", "/v1/customers?externalId=AB", "", 200, `{"items":[],"total":0,"page":1,"rowsPerPage":10}`},
		} {
			r := s.do(rq.method, rq.path, rq.body)
			assert.Equal(t, rq.status, r.status, "%s %s: %s", rq.method, rq.path, r.body)
			assert.JSONEq(t, rq.want, r.body, "%s %s", rq.method, rq.path)
		}

		// A customer may change the case of its own externalId; then only
		// the new spelling finds it.
		r = s.do("PUT", "/v1/customers/external/ab", `{"externalId":"AB"}`)
		require.Equal(t, 200, r.status, r.body)
		r = s.do("GET", "/v1/customers/external/AB", "")
		assert.Equal(t, 200, r.status, r.body)
		r = s.do("GET", "/v1/customers/external/ab", "")
		assert.Equal(t, 404, r.status, r.body)
	})
}
