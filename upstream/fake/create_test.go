package fake_test

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// proxyCreate is the body the proxy sends to create a customer.
var proxyCreate = map[string]any{
	"officeId": 1, "legalFormId": 1, "firstname": "cust-1", "lastname": "Customer", "externalId": "cust-1",
	"active": true, "activationDate": "2024-10-24", "submittedOnDate": "2024-10-24",
	"dateFormat": "yyyy-MM-dd", "locale": "en",
}

// jsonBody is base with set members replaced or added and drop members
// removed.
func jsonBody(t *testing.T, base, set map[string]any, drop ...string) string {
	t.Helper()
	m := maps.Clone(base)
	maps.Copy(m, set)
	for _, k := range drop {
		delete(m, k)
	}
	return toJSON(t, m)
}

func TestCreate(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, nil))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		want := `{"officeId":1,"clientId":6,"resourceId":6}`
		if v.AtLeast(upstream.V1_9) {
			want = `{"officeId":1,"clientId":6,"resourceId":6,"resourceExternalId":"cust-1"}`
		}
		assert.JSONEq(t, want, string(r.Raw))
		assert.Equal(t, 1, s.Writes())

		c, ok := s.Client(6)
		require.True(t, ok)
		assert.Equal(t, wire.ClientStatusActive, c.Status)
		assert.Equal(t, "000000006", c.AccountNo)
		assert.Equal(t, "cust-1 Customer", c.DisplayName())
		assert.Equal(t, wire.DateOf(businessDate), c.ActivatedOn)
		assert.Equal(t, wire.DateOf(businessDate), c.SubmittedOn)

		got := do(t, s, http.MethodGet, "clients/6", "").Body
		assert.Equal(t, []any{float64(2024), float64(10), float64(24)}, got["activationDate"])
	})
}

func TestCreateVariants(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		tests := []struct {
			name  string
			body  string
			check func(t *testing.T, c fake.Snapshot)
		}{
			{"pending when not active", jsonBody(t, proxyCreate, map[string]any{"active": false}, "activationDate"), func(t *testing.T, c fake.Snapshot) {
				assert.Equal(t, wire.ClientStatusPending, c.Status)
				assert.True(t, c.ActivatedOn.IsZero())
			}},
			{"legacy date format", jsonBody(t, proxyCreate, map[string]any{
				"externalId": "legacy", "dateFormat": "dd MMMM yyyy", "activationDate": "04 march 2009", "submittedOnDate": "04 March 2009",
				"dateOfBirth": "01 May 1980", "mobileNo": "+353851239876", "emailAddress": "test@test.com",
			}), func(t *testing.T, c fake.Snapshot) {
				assert.Equal(t, "2009-03-04", c.ActivatedOn.ISO())
				assert.Equal(t, "1980-05-01", c.DateOfBirth.ISO())
				assert.Equal(t, "test@test.com", c.Email)
			}},
			{"submitted after activation is corrected", jsonBody(t, proxyCreate, map[string]any{
				"externalId": "early", "activationDate": "2024-01-02",
			}), func(t *testing.T, c fake.Snapshot) {
				assert.Equal(t, "2024-01-02", c.SubmittedOn.ISO())
			}},
			{"fullname", jsonBody(t, proxyCreate, map[string]any{"externalId": "full", "fullname": "Acme Ltd", "legalFormId": 2}, "firstname", "lastname"),
				func(t *testing.T, c fake.Snapshot) {
					assert.Equal(t, "Acme Ltd", c.DisplayName())
					assert.Equal(t, 2, c.LegalFormID)
				}},
			{"names trimmed, strings as numbers", `{"officeId":"1","legalFormId":"1","firstname":" Ada ","middlename":"B","lastname":"L","externalId":123}`,
				func(t *testing.T, c fake.Snapshot) {
					assert.Equal(t, "Ada B L", c.DisplayName())
					assert.Equal(t, "123", c.ExternalID)
				}},
			{"external id spaces", jsonBody(t, proxyCreate, map[string]any{"externalId": " spaced "}), func(t *testing.T, c fake.Snapshot) {
				want := "spaced" // up to 1.8 Client trimmed it; the 1.9 ExternalId keeps it
				if v.AtLeast(upstream.V1_9) {
					want = " spaced "
				}
				assert.Equal(t, want, c.ExternalID)
			}},
			{"blank external id is none", jsonBody(t, proxyCreate, map[string]any{"externalId": "  "}), func(t *testing.T, c fake.Snapshot) {
				assert.Empty(t, c.ExternalID)
			}},
			{"accepted and ignored members", jsonBody(t, proxyCreate, map[string]any{
				"externalId": "ignored", "address": []any{}, "familyMembers": []any{}, "datatables": []any{},
				"clientNonPersonDetails": map[string]any{}, "displayname": "x", "isStaff": true,
			}), func(t *testing.T, c fake.Snapshot) {
				assert.True(t, c.IsStaff)
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := do(t, s, http.MethodPost, "clients", tc.body)
				require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
				c, ok := s.Client(int64(r.Body["clientId"].(float64)))
				require.True(t, ok)
				tc.check(t, c)
			})
		}
	})
}

// TestCreateValidation walks ClientDataValidator and Client.validate: every
// problem of one body is listed, in the validator's order; some failures
// (dates, integers) abort at once with a single item.
func TestCreateValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name  string
		body  string
		items []item
	}{
		{"empty object", `{}`, []item{
			{"validation.msg.client.officeId.cannot.be.blank", "The parameter `officeId` is mandatory.", "officeId", []any{nil}},
			{"validation.msg.client.id..no.name.details.passed", "Failed data validation due to: .no.name.details.passed.", "id", []any{nil, []any{}}},
			{"validation.msg.client.legalFormId.cannot.be.blank", "The parameter `legalFormId` is mandatory.", "legalFormId", []any{nil}},
		}},
		{"ids out of range", `{"officeId":0,"legalFormId":3,"firstname":"a","lastname":"b","genderId":0}`, []item{
			{"validation.msg.client.officeId.not.greater.than.zero", "The parameter `officeId` must be greater than 0.", "officeId", []any{0, 0}},
			{"validation.msg.client.genderId.not.greater.than.zero", "The parameter `genderId` must be greater than 0.", "genderId", []any{0, 0}},
			{"validation.msg.client.legalFormId.is.not.within.expected.range", "The parameter `legalFormId` must be between 1 and 2.", "legalFormId", []any{3, 1, 2}},
		}},
		{"lastname missing", `{"officeId":1,"legalFormId":1,"firstname":"a"}`, []item{
			{"validation.msg.client.lastname.cannot.be.blank", "The parameter `lastname` is mandatory.", "lastname", []any{nil}},
		}},
		{"blank names passed", `{"officeId":1,"legalFormId":1,"firstname":"","lastname":" "}`, []item{
			{"validation.msg.client.firstname.cannot.be.blank", "The parameter `firstname` is mandatory.", "firstname", nil},
			{"validation.msg.client.lastname.cannot.be.blank", "The parameter `lastname` is mandatory.", "lastname", nil},
		}},
		{"blank fullname and firstname passed", `{"officeId":1,"legalFormId":1,"fullname":"","firstname":""}`, []item{
			{"validation.msg.client.id..no.name.details.passed", "Failed data validation due to: .no.name.details.passed.", "id", nil},
		}},
		{"fullname with parts", `{"officeId":1,"legalFormId":1,"fullname":"F","firstname":"a","lastname":"b"}`, []item{
			{"validation.msg.client.fullname.cannot.also.be.provided.when.firstname.is.populated",
				"The parameter `fullname` cannot also be provided when `firstname` is populated.", "fullname", []any{"F", "firstname", "a"}},
			{"validation.msg.client.fullname.cannot.also.be.provided.when.lastname.is.populated",
				"The parameter `fullname` cannot also be provided when `lastname` is populated.", "fullname", []any{"F", "lastname", "b"}},
		}},
		{"lengths", `{"officeId":1,"legalFormId":1,"firstname":"` + long(51) + `","lastname":"b","externalId":"` + long(101) + `","mobileNo":"` + long(51) + `"}`, []item{
			{"validation.msg.client.firstname.exceeds.max.length", "The parameter `firstname` exceeds max length of 50.", "firstname", []any{50, long(51)}},
			{"validation.msg.client.externalId.exceeds.max.length", "The parameter `externalId` exceeds max length of 100.", "externalId", []any{100, long(101)}},
			{"validation.msg.client.mobileNo.exceeds.max.length", "The parameter `mobileNo` exceeds max length of 50.", "mobileNo", []any{50, long(51)}},
		}},
		{"length counts UTF-16 units", `{"officeId":1,"legalFormId":1,"fullname":"a","externalId":"` + strings.Repeat("😀", 51) + `"}`, []item{
			{"validation.msg.client.externalId.exceeds.max.length", "The parameter `externalId` exceeds max length of 100.", "externalId", nil},
		}},
		{"fullname too long", `{"officeId":1,"legalFormId":1,"fullname":"` + long(161) + `"}`, []item{
			{"validation.msg.client.fullname.exceeds.max.length", "The parameter `fullname` exceeds max length of 160.", "fullname", nil},
		}},
		{"active without activation date", `{"officeId":1,"legalFormId":1,"fullname":"a","active":true}`, []item{
			{"validation.msg.client.activationDate.cannot.be.blank", "The parameter `activationDate` is mandatory.", "activationDate", []any{nil}},
		}},
		{"date without format and locale", `{"officeId":1,"legalFormId":1,"fullname":"a","active":true,"activationDate":"2024-01-01","externalId":"` + long(101) + `"}`, []item{
			{"validation.msg.missing.dateFormat.parameter", "The parameter `activationDate` requires a `dateFormat` parameter to be passed with it.", "activationDate", []any{}},
			{"validation.msg.missing.locale.parameter", "The parameter `activationDate` requires a `locale` parameter to be passed with it.", "activationDate", []any{}},
		}},
		{"date without locale", `{"officeId":1,"legalFormId":1,"fullname":"a","submittedOnDate":"2024-01-01","dateFormat":"yyyy-MM-dd"}`, []item{
			{"validation.msg.missing.locale.parameter", "The parameter `submittedOnDate` requires a `locale` parameter to be passed with it.", "submittedOnDate", nil},
		}},
		{"unparseable date", `{"officeId":1,"legalFormId":1,"fullname":"a","submittedOnDate":"2024-02-30","dateFormat":"yyyy-MM-dd","locale":"en"}`, []item{
			{"validation.msg.invalid.dateFormat.format", "The parameter `submittedOnDate` is invalid based on the dateFormat: `yyyy-MM-dd` and locale: `en` provided:",
				"submittedOnDate", []any{nil, "yyyy-MM-dd"}},
		}},
		{"unsupported pattern", `{"officeId":1,"legalFormId":1,"fullname":"a","submittedOnDate":"2024-01-01","dateFormat":"yyyy-MM-dd HH","locale":"en"}`, []item{
			{"validation.msg.invalid.dateFormat.format", "The parameter `submittedOnDate` is invalid based on the dateFormat: `yyyy-MM-dd HH` and locale: `en` provided:", "submittedOnDate", nil},
		}},
		{"blank locale", `{"officeId":1,"legalFormId":1,"fullname":"a","submittedOnDate":"2024-01-01","dateFormat":"yyyy-MM-dd","locale":""}`, []item{
			{"validation.msg.invalid.locale.format", "The parameter `locale` is invalid. It cannot be blank.", "locale", nil},
		}},
		{"bad locale", `{"officeId":1,"legalFormId":1,"fullname":"a","submittedOnDate":"2024-01-01","dateFormat":"yyyy-MM-dd","locale":"english_uk"}`, []item{
			{"validation.msg.invalid.locale.format", "The parameter `locale` has an invalid language value english .", "locale", []any{"english"}},
			{"validation.msg.invalid.locale.format", "The parameter `locale` has an invalid country value uk .", "locale", []any{"uk"}},
		}},
		{"blank dateFormat member", `{"officeId":1,"legalFormId":1,"fullname":"a","dateFormat":" "}`, []item{
			{"validation.msg.client.dateFormat.cannot.be.blank", "The parameter `dateFormat` is mandatory.", "dateFormat", nil},
		}},
		{"date of birth not in the past", `{"officeId":1,"legalFormId":1,"fullname":"a","dateOfBirth":"2030-01-01","submittedOnDate":"2024-01-01","dateFormat":"yyyy-MM-dd","locale":"en"}`, []item{
			{"validation.msg.client.dateOfBirth.is.greater.than.date", "The parameter `dateOfBirth` must be less than the provided date2024-10-24", "dateOfBirth", []any{"2030-01-01", "2024-10-24"}},
			{"validation.msg.client.dateOfBirth.is.greater.than.date", "The parameter `dateOfBirth` must be less than the provided date2024-01-01", "dateOfBirth", []any{"2030-01-01", "2024-01-01"}},
		}},
		{"non-integer integer", `{"officeId":1,"legalFormId":"one","fullname":"a"}`, []item{
			{"validation.msg.invalid.integer", "The parameter `legalFormId` has value: one which is invalid integer.", "legalFormId", []any{"one"}},
		}},
		{"activation in the future", jsonBody(t, proxyCreate, map[string]any{"activationDate": "2024-10-25", "submittedOnDate": "2024-10-01"}), []item{
			{"error.msg.clients.activationDate.in.the.future", "Activation date cannot be in the future.", "activationDate", []any{"2024-10-25"}},
		}},
		{"submitted in the future", jsonBody(t, proxyCreate, map[string]any{"active": false, "submittedOnDate": "2024-12-01"}, "activationDate"), []item{
			{"error.msg.clients.submittedOnDate.in.the.future", "submitted date cannot be in the future.", "submittedOnDate", []any{"2024-12-01"}},
		}},
		{"activation before office opening", jsonBody(t, proxyCreate, map[string]any{"activationDate": "2008-12-31"}), []item{
			{"error.msg.clients.activationDate.cannot.be.before.office.activation.date",
				"Client activation date cannot be a date before the office opening date.", "activationDate", []any{"2008-12-31"}},
		}},
		{"unsupported members, in body order", `{"officeId":1,"foo":1,"legalFormId":1,"status":"active"}`, []item{
			{"error.msg.parameter.unsupported", "The parameter foo is not supported.", "foo", []any{"foo"}},
			{"error.msg.parameter.unsupported", "The parameter status is not supported.", "status", []any{"status"}},
		}},
	}
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, do(t, s, http.MethodPost, "clients", tc.body), http.StatusBadRequest,
					"validation.msg.validation.errors.exist", tc.items...)
			})
		}
		assert.Zero(t, s.Writes())
	})
}

func TestCreateReferences(t *testing.T) {
	tests := []struct {
		name, member string
		value        any
		code, msg    string
		args         []any
	}{
		{"office", "officeId", 99, "error.msg.office.id.invalid", "Office with identifier 99 does not exist", []any{99}},
		{"group", "groupId", 7, "error.msg.group.id.invalid", "Group with identifier 7 does not exist", []any{7}},
		{"staff", "staffId", 8, "error.msg.staff.id.invalid", "Staff with identifier 8 does not exist", []any{8}},
		{"gender", "genderId", 9, "error.msg.codevalue.codename.id.combination.invalid",
			"Code value with identifier 9 does not exist for a code with name Gender", []any{9, "Gender"}},
		{"savings product", "savingsProductId", 4, "error.msg.savingproduct.id.invalid", "Saving product with identifier 4 does not exist", []any{4}},
	}
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, map[string]any{tc.member: tc.value}))
				wantError(t, r, http.StatusNotFound, "error.msg.resource.not.found", item{tc.code, tc.msg, "id", tc.args})
			})
		}
	})
}

func TestCreateNumberFormat(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		// Long.valueOf failing is not mapped by the upstream.
		r := do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, map[string]any{"officeId": "HQ"}))
		wantSpring(t, r, http.StatusInternalServerError, clientsPath)
	})
}

// TestCreateDuplicates: the unique indexes are 403 data-integrity errors
// whose top level carries the specific code; the collation is
// case-insensitive; a duplicate account number is an "unknown" issue.
func TestCreateDuplicates(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		tests := []struct {
			name      string
			set       map[string]any
			code, msg string
			param     string
			value     string
		}{
			{"externalId", map[string]any{"externalId": fake.SeedActiveExternalID},
				"error.msg.client.duplicate.externalId", "Client with externalId `ext-active-001` already exists", "externalId", fake.SeedActiveExternalID},
			{"externalId in another case", map[string]any{"externalId": "EXT-Active-001"},
				"error.msg.client.duplicate.externalId", "Client with externalId `EXT-Active-001` already exists", "externalId", "EXT-Active-001"},
			{"mobileNo", map[string]any{"mobileNo": fake.SeedNamedMobileNo},
				"error.msg.client.duplicate.mobileNo", "Client with mobileNo `+447700900001` already exists", "mobileNo", fake.SeedNamedMobileNo},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, tc.set))
				wantError(t, r, http.StatusForbidden, tc.code, item{tc.code, tc.msg, tc.param, []any{tc.value}})
				assert.Equal(t, tc.msg, r.Body["defaultUserMessage"])
				assert.Equal(t, "The request caused a data integrity issue to be fired by the database.", r.Body["developerMessage"])
			})
		}
		t.Run("accountNo", func(t *testing.T) {
			r := do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, map[string]any{"accountNo": "000000001"}))
			msg := "Unknown data integrity issue with resource."
			if v.AtLeast(upstream.V1_9) {
				msg = "Unknown data integrity issue with resource: Duplicate entry '000000001' for key 'account_no'"
			}
			wantError(t, r, http.StatusForbidden, "error.msg.client.unknown.data.integrity.issue",
				item{"error.msg.client.unknown.data.integrity.issue", msg, "", []any{}})
			assert.Nil(t, r.Body["errors"].([]any)[0].(map[string]any)["parameterName"])
		})
		assert.Zero(t, s.Writes())
	})
}

func TestCreatePermission(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		s.DenyPermission("CREATE_CLIENT")
		// Permission comes before the body is even read.
		wantError(t, do(t, s, http.MethodPost, "clients", "", withHeader("Content-Type", "application/json")),
			http.StatusForbidden, "error.msg.not.authorized",
			item{"error.msg.not.authorized", "User has no authority to: CREATE_CLIENT", "id", []any{}})
	})
}
