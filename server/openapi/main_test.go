package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The document the server embeds and serves is the bundle of the sources as
// they are now, so an edit to a source cannot ship without its bundle.
func TestBundleIsCurrent(t *testing.T) {
	want, err := bundle(sourceFS, sources)
	require.NoError(t, err)
	served, err := os.ReadFile("../openapi.json")
	require.NoError(t, err)
	if !bytes.Equal(want, served) {
		t.Fatal("server/openapi.json is not the bundle of server/openapi/*.yaml: run go generate ./server/...")
	}
}

// common is a minimal common.yaml: a by-id and a by-externalId path parameter.
const common = `
openapi: 3.0.3
tags: []
paths:
  /healthz: {}
components:
  parameters:
    ThingID: {name: thing_id, in: path, required: true, schema: {type: string}}
    ThingExternalID: {name: thing_external_id, in: path, required: true, schema: {type: string}}
    Page: {name: page, in: query, schema: {type: integer}}
`

func TestBundleExpandsBothForms(t *testing.T) {
	src := fstest.MapFS{
		"common.yaml": {Data: []byte(common)},
		"things.yaml": {Data: []byte(`
tags: [{name: things}]
paths:
  /v1/things/{thing_id}/parts/{part}:
    x-both-forms: {id: ThingID, externalId: ThingExternalID}
    parameters: [{$ref: '#/components/parameters/Page'}]
    get: {operationId: getPart, summary: 'Get a part <of a thing> {by}', responses: {'200': {description: ok}}}
`)},
		"other.yaml": {Data: []byte("tags: [{name: other}]\n")},
	}
	got, err := bundle(src, []string{"common.yaml", "things.yaml", "other.yaml"})
	require.NoError(t, err)

	// Source order is kept: each form right after the other, id form first.
	want := `{
  "openapi": "3.0.3",
  "tags": [{"name": "things"}, {"name": "other"}],
  "paths": {
    "/healthz": {},
    "/v1/things/{thing_id}/parts/{part}": {
      "parameters": [{"$ref": "#/components/parameters/ThingID"}, {"$ref": "#/components/parameters/Page"}],
      "get": {"operationId": "getPart", "summary": "Get a part <of a thing> by id", "responses": {"200": {"description": "ok"}}}
    },
    "/v1/things/external/{thing_external_id}/parts/{part}": {
      "parameters": [{"$ref": "#/components/parameters/ThingExternalID"}, {"$ref": "#/components/parameters/Page"}],
      "get": {"operationId": "getPartByExternalId", "summary": "Get a part <of a thing> by externalId", "responses": {"200": {"description": "ok"}}}
    }
  },
  "components": {"parameters": {
    "ThingID": {"name": "thing_id", "in": "path", "required": true, "schema": {"type": "string"}},
    "ThingExternalID": {"name": "thing_external_id", "in": "path", "required": true, "schema": {"type": "string"}},
    "Page": {"name": "page", "in": "query", "schema": {"type": "integer"}}
  }}
}`
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, []byte(want)))
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, compact.Bytes(), "", "  "))
	assert.Equal(t, indented.String()+"\n", string(got))
}

// A mistake in the sources fails the bundle, naming the mistake, instead of
// producing a document that drops or overrides part of the contract.
func TestBundleRefusesMistakes(t *testing.T) {
	route := func(marker, operation string) string {
		return "paths:\n  /v1/things/{thing_id}:\n    x-both-forms: " + marker + "\n    get: " + operation + "\n"
	}
	const op = `{operationId: getThing, summary: 'Get a thing {by}'}`
	const forms = `{id: ThingID, externalId: ThingExternalID}`
	tests := []struct {
		name, source, wantErr string
		unlisted              bool
	}{
		{"unlisted source", "tags: []\n", "things.yaml is not in sources", true},
		{"path defined twice", "paths:\n  /healthz: {}\n", "paths › /healthz is defined twice", false},
		{"component defined twice", "components:\n  parameters:\n    Page: {name: p, in: query}\n", "components › parameters › Page is defined twice", false},
		{"root key defined twice", "openapi: 3.1.0\n", "openapi is defined twice", false},
		{"summary without {by}", route(forms, `{operationId: getThing, summary: Get a thing}`), "summary must say {by}", false},
		{"no operationId", route(forms, `{summary: 'Get a thing {by}'}`), "get has no operationId", false},
		{"unknown parameter", route(`{id: Nope, externalId: ThingExternalID}`, op), "Nope is not a path parameter", false},
		{"query parameter", route(`{id: Page, externalId: ThingExternalID}`, op), "Page is not a path parameter", false},
		{"missing form", route(`{id: ThingID}`, op), "x-both-forms needs externalId", false},
		{"path without the id", "paths:\n  /v1/things/{other}:\n    x-both-forms: " + forms + "\n    get: " + op + "\n", "the path has no /{thing_id}", false},
		{"duplicate key", "paths:\n  /v1/a: {}\n  /v1/a: {}\n", "/v1/a is defined twice", false},
		{"duplicate nested key", "paths:\n  /v1/a:\n    get:\n      responses:\n        '200': {}\n        '200': {}\n", "line 6: 200 is defined twice", false},
		{"alias", "paths:\n  /v1/a: &a {}\n  /v1/b: *a\n", "anchors and aliases are not supported", false},
		{"not a mapping", "- a\n", "things.yaml: not a YAML mapping", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fstest.MapFS{"common.yaml": {Data: []byte(common)}, "things.yaml": {Data: []byte(tt.source)}}
			names := []string{"common.yaml", "things.yaml"}
			if tt.unlisted {
				names = names[:1]
			}
			_, err := bundle(src, names)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// TestGeneratorReady holds the bundle to what a client generator and the
// linters need without hand-fixing: servers and a contact, an example for
// every parameter, request body and response body, both bounds on every
// integer and maxItems on every array.
func TestGeneratorReady(t *testing.T) {
	raw, err := bundle(sourceFS, sources)
	require.NoError(t, err)
	problems := generatorProblems(t, raw)
	assert.Empty(t, problems)
}

// TestGeneratorReadyFindsGaps proves the check can fail, on a document
// with one gap of each kind.
func TestGeneratorReadyFindsGaps(t *testing.T) {
	raw := []byte(`{
  "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
  "paths": {"/v1/things": {"post": {
    "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
    "responses": {"200": {"$ref": "#/components/responses/Page"}}
  }}},
  "components": {"responses": {"Page": {"description": "d", "content": {"application/json": {
    "schema": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}}}}}}}
}`)
	assert.ElementsMatch(t, []string{
		"no servers", "no info.contact",
		"/paths/~1v1~1things/post/parameters/0: no example",
		"/paths/~1v1~1things/post/parameters/0/schema: integer without maximum",
		"/paths/~1v1~1things/post/requestBody/content/application~1json: no example",
		"/components/responses/Page/content/application~1json: no example",
		"/components/responses/Page/content/application~1json/schema: array without maxItems",
	}, generatorProblems(t, raw))
}

// generatorProblems lists every gap TestGeneratorReady forbids, each at its
// JSON pointer.
func generatorProblems(t *testing.T, raw []byte) []string {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	var problems []string
	if s, _ := doc["servers"].([]any); len(s) == 0 {
		problems = append(problems, "no servers")
	}
	if info, _ := doc["info"].(map[string]any); info["contact"] == nil {
		problems = append(problems, "no info.contact")
	}
	escape := strings.NewReplacer("~", "~0", "/", "~1").Replace
	hasExample := func(n map[string]any) bool { return n["example"] != nil || n["examples"] != nil }
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch n := v.(type) {
		case []any:
			for i, e := range n {
				walk(e, fmt.Sprintf("%s/%d", ptr, i))
			}
		case map[string]any:
			// A parameter, or the media types of a request or response body.
			if n["in"] != nil && n["name"] != nil && !hasExample(n) {
				problems = append(problems, ptr+": no example")
			}
			content, _ := n["content"].(map[string]any)
			for mt, m := range content {
				if m, ok := m.(map[string]any); ok && m["schema"] != nil && !hasExample(m) {
					problems = append(problems, ptr+"/content/"+escape(mt)+": no example")
				}
			}
			if n["type"] == "integer" {
				for _, bound := range []string{"minimum", "maximum"} {
					if _, ok := n[bound]; !ok {
						problems = append(problems, ptr+": integer without "+bound)
					}
				}
			}
			if _, ok := n["maxItems"]; n["type"] == "array" && !ok {
				problems = append(problems, ptr+": array without maxItems")
			}
			for k, e := range n {
				// Example values and x- extensions are not the contract's
				// shapes; the x- schema is checked against real answers.
				if k == "example" || k == "examples" || strings.HasPrefix(k, "x-") {
					continue
				}
				walk(e, ptr+"/"+escape(k))
			}
		}
	}
	walk(doc, "")
	return problems
}
