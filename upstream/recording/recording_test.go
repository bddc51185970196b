package recording_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/recording"
)

// A line's corpus is a folder per resource: Write puts each scenario in its
// resource's folder, and LoadDir gives every folder's scenarios back with
// the resource the folder names.
func TestCorpusFolderPerResource(t *testing.T) {
	dir := t.TempDir()
	written := []recording.Scenario{
		{Scenario: "create", Resource: "customers", Line: "1.10", Partner: recording.PartnerRequest{Method: "POST", Path: "/v1/customers"}},
		{Scenario: "create", Resource: "loans", Line: "1.10", Partner: recording.PartnerRequest{Method: "POST", Path: "/v1/loans"}},
		{Scenario: "get-by-id", Resource: "customers", Line: "1.10", Partner: recording.PartnerRequest{Method: "GET", Path: "/v1/customers/1"}},
	}
	for _, s := range written {
		require.NoError(t, s.Write(dir))
	}
	for _, path := range []string{"customers/create.json", "loans/create.json", "customers/get-by-id.json"} {
		assert.FileExists(t, filepath.Join(dir, filepath.FromSlash(path)))
	}

	got, err := recording.LoadDir(dir)
	require.NoError(t, err)
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID())
	}
	assert.Equal(t, []string{"customers/create", "customers/get-by-id", "loans/create"}, ids, "sorted by ID")
	assert.Equal(t, written[1], got[2], "the resource comes back from the folder")
}

func TestLoadDirRefuses(t *testing.T) {
	valid, err := recording.Scenario{Scenario: "create", Line: "1.10"}.Marshal()
	require.NoError(t, err)
	tests := []struct {
		name, path, content, wantErr string
	}{
		{"a scenario outside any resource folder", "create.json", string(valid), "a folder per resource"},
		{"a name other than the file's", "customers/update.json", string(valid), `scenario "create" does not match the file name`},
		{"an unknown key", "customers/create.json", `{"scenario":"create","resource":"customers"}`, `unknown field "resource"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, filepath.FromSlash(tt.path))
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o644))
			_, err := recording.LoadDir(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestRecordedBodyKeepsBatchKeysPresenceOnly(t *testing.T) {
	in := `[{"requestId":1,"headers":[{"name":"Idempotency-Key","value":"lmsproxy-4d7b"}],"body":"{}"},{"requestId":2,"headers":[{"name":"Idempotency-Key","value":"lmsproxy-99"}]}]`
	want := `[{"requestId":1,"headers":[{"name":"Idempotency-Key","value":"(present)"}],"body":"{}"},{"requestId":2,"headers":[{"name":"Idempotency-Key","value":"(present)"}]}]`
	if got := recording.RecordedBody(in); got != want {
		t.Fatalf("RecordedBody:\n got %s\nwant %s", got, want)
	}
	if plain := `{"externalId":"Idempotency-Key"}`; recording.RecordedBody(plain) != plain {
		t.Fatal("a body without batch headers is recorded as it is")
	}
}
