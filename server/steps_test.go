package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// What a fake step's write, check and undo do.
type (
	doing    int
	checking int
	undoing  int
)

const (
	succeeds doing = iota
	fails          // definitively: the upstream refused it
	unknown        // cut off after it may have been applied
)

const (
	noCheck checking = iota
	foundApplied
	foundNotApplied
	readFails
)

const (
	noUndo undoing = iota
	undoes
	undoFails
)

type fakeStep struct {
	name  string
	do    doing
	check checking
	undo  undoing
}

var (
	errRefused = &wire.Error{Op: "test.write", Status: http.StatusForbidden, Shape: wire.ShapeOther, Err: errors.New("refused")}
	errCutOff  = &wire.Error{Op: "test.write", Shape: wire.ShapeTransport, MaybeApplied: true, Err: errors.New("reset")}
	errRead    = &wire.Error{Op: "test.read", Shape: wire.ShapeTransport, Err: errors.New("refused")}
	errUndo    = &wire.Error{Op: "test.undo", Status: http.StatusForbidden, Shape: wire.ShapeOther, Err: errors.New("cannot undo")}
)

// stepRig runs fake steps whose writes go through a real upstream client to
// a server that records each write's Idempotency-Key, so that the keys are
// the ones the upstream would see.
type stepRig struct {
	client *upstream.Client
	mu     sync.Mutex
	keys   []string
	events []string
}

func newStepRig(t *testing.T) *stepRig {
	r := &stepRig{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.keys = append(r.keys, req.Header.Get("Idempotency-Key"))
		r.mu.Unlock()
		_, _ = w.Write([]byte(`{"clientId":1,"resourceId":1}`))
	}))
	t.Cleanup(srv.Close)
	c, err := upstream.New(upstream.Config{BaseURL: srv.URL, Tenant: "default", Username: "u", Password: "p", Version: upstream.V1_10})
	require.NoError(t, err)
	r.client = c
	return r
}

func (r *stepRig) record(event string) {
	r.mu.Lock()
	r.events = append(r.events, event)
	r.mu.Unlock()
}

// write sends one keyed upstream write, then answers as scripted.
func (r *stepRig) write(ctx context.Context, t *testing.T, event string, err error) error {
	_, werr := r.client.CreateClient(ctx, wire.ClientCreate{})
	require.NoError(t, werr)
	r.record(event)
	return err
}

func (r *stepRig) steps(t *testing.T, script []fakeStep) []step {
	steps := make([]step, len(script))
	for i, f := range script {
		steps[i] = step{
			name: f.name,
			do: func(ctx context.Context) error {
				return r.write(ctx, t, "do "+f.name, map[doing]error{succeeds: nil, fails: errRefused, unknown: errCutOff}[f.do])
			},
			applied: func(context.Context) (bool, error) {
				r.record("check " + f.name)
				switch f.check {
				case foundApplied:
					return true, nil
				case foundNotApplied:
					return false, nil
				case readFails:
					return false, errRead
				}
				t.Errorf("step %q checked, but its outcome was known", f.name)
				return false, nil
			},
		}
		if f.undo != noUndo {
			steps[i].undo = func(ctx context.Context) error {
				return r.write(ctx, t, "undo "+f.name, map[undoing]error{undoes: nil, undoFails: errUndo}[f.undo])
			}
		}
	}
	return steps
}

// TestRunSteps: steps run in order, each write with an Idempotency-Key of
// its own; a failure undoes the steps already applied, last first; an
// unknown outcome is settled by the step's check, and only a step found not
// applied undoes the ones before it.
func TestRunSteps(t *testing.T) {
	target := translate.Target{}
	tests := []struct {
		name   string
		script []fakeStep
		events []string
		want   *translate.Error // the partner answer; nil: every step applied
	}{
		{"all applied, in order",
			[]fakeStep{{name: "submit", undo: undoes}, {name: "approve", undo: undoes}, {name: "disburse"}},
			[]string{"do submit", "do approve", "do disburse"}, nil},
		{"a failure undoes the applied steps in reverse",
			[]fakeStep{{name: "submit", undo: undoes}, {name: "approve", undo: undoes}, {name: "disburse", do: fails, undo: undoes}},
			[]string{"do submit", "do approve", "do disburse", "undo approve", "undo submit"},
			translate.FromUpstream(errRefused, target)},
		{"a step without undo is passed over",
			[]fakeStep{{name: "submit", undo: undoes}, {name: "note"}, {name: "disburse", do: fails}},
			[]string{"do submit", "do note", "do disburse", "undo submit"},
			translate.FromUpstream(errRefused, target)},
		{"a failing first step undoes nothing",
			[]fakeStep{{name: "submit", do: fails, undo: undoes}, {name: "approve", undo: undoes}},
			[]string{"do submit"},
			translate.FromUpstream(errRefused, target)},
		{"unknown, found applied: nothing undone, the next step runs",
			[]fakeStep{{name: "submit", undo: undoes}, {name: "approve", do: unknown, check: foundApplied, undo: undoes}, {name: "disburse"}},
			[]string{"do submit", "do approve", "check approve", "do disburse"}, nil},
		{"unknown on the last step, found applied: nothing undone",
			[]fakeStep{{name: "submit", undo: undoes}, {name: "disburse", do: unknown, check: foundApplied, undo: undoes}},
			[]string{"do submit", "do disburse", "check disburse"}, nil},
		{"unknown, found applied, then a failure: that step is undone too",
			[]fakeStep{{name: "submit", undo: undoes}, {name: "approve", do: unknown, check: foundApplied, undo: undoes}, {name: "disburse", do: fails}},
			[]string{"do submit", "do approve", "check approve", "do disburse", "undo approve", "undo submit"},
			translate.FromUpstream(errRefused, target)},
		{"unknown, found not applied: the steps before it are undone",
			[]fakeStep{{name: "submit", undo: undoes}, {name: "approve", do: unknown, check: foundNotApplied, undo: undoes}},
			[]string{"do submit", "do approve", "check approve", "undo submit"},
			translate.NotApplied(errCutOff)},
		{"unknown, read fails: outcome unknown, nothing undone",
			[]fakeStep{{name: "submit", undo: undoes}, {name: "approve", do: unknown, check: readFails, undo: undoes}},
			[]string{"do submit", "do approve", "check approve"},
			translate.OutcomeUnknown(errors.Join(errCutOff, errRead), target)},
		{"a failed undo stops undoing and answers internal",
			[]fakeStep{{name: "submit", undo: undoes}, {name: "approve", undo: undoFails}, {name: "disburse", do: fails}},
			[]string{"do submit", "do approve", "do disburse", "undo approve"},
			&translate.Error{Code: translate.Internal, Message: "internal error"}},
	}
	const requestKey = "lmsproxy-0123456789abcdef0123456789abcdef"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rig := newStepRig(t)
			ctx := upstream.WithIdempotencyKey(context.Background(), requestKey)
			err := runSteps(ctx, target, rig.steps(t, tt.script)...)

			assert.Equal(t, tt.events, rig.events)
			if tt.want == nil {
				assert.NoError(t, err)
			} else {
				got := partnerError(err)
				assert.Equal(t, tt.want.Code, got.Code)
				assert.Equal(t, tt.want.Message, got.Message)
			}

			// One key per write: the step's own, its undo's own, and the
			// request's key as it is for a step named "".
			var want []string
			for _, e := range rig.events {
				if name, ok := strings.CutPrefix(e, "do "); ok {
					want = append(want, upstream.StepKey(requestKey, name))
				} else if name, ok := strings.CutPrefix(e, "undo "); ok {
					want = append(want, upstream.StepKey(requestKey, undoStep(name)))
				}
			}
			assert.Equal(t, want, rig.keys, "Idempotency-Key of each write")
			distinct := map[string]bool{}
			for _, k := range rig.keys {
				distinct[k] = true
			}
			assert.Len(t, distinct, len(rig.keys), "no two writes share a key")
		})
	}
	t.Run("the only step named \"\" sends the request's key", func(t *testing.T) {
		rig := newStepRig(t)
		ctx := upstream.WithIdempotencyKey(context.Background(), requestKey)
		require.NoError(t, runSteps(ctx, target, rig.steps(t, []fakeStep{{name: ""}})...))
		assert.Equal(t, []string{requestKey}, rig.keys)
	})
}

// A failed undo is reported with what failed and what was left undone, and
// its partner answer reveals none of it.
func TestRunStepsIncomplete(t *testing.T) {
	rig := newStepRig(t)
	err := runSteps(context.Background(), translate.Target{},
		rig.steps(t, []fakeStep{{name: "submit", undo: undoes}, {name: "approve", undo: undoFails}, {name: "disburse", do: fails}})...)
	var inc *incomplete
	require.ErrorAs(t, err, &inc)
	assert.Equal(t, "approve", inc.step)
	assert.ErrorIs(t, inc.undoErr, errUndo)
	assert.ErrorIs(t, inc.answer, errRefused)
	_, isUpstream := wire.AsError(err)
	assert.False(t, isUpstream, "the failure inside is not the outcome")
}

// TestRunStepsDeadline: the writes end keepBackShare of the remaining time
// before the request's deadline; checks and undos have all of it.
func TestRunStepsDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	requestDeadline, _ := ctx.Deadline()
	var writes []time.Time
	var others []time.Time
	deadlineOf := func(into *[]time.Time) func(ctx context.Context) {
		return func(ctx context.Context) {
			d, ok := ctx.Deadline()
			require.True(t, ok)
			*into = append(*into, d)
		}
	}
	write, other := deadlineOf(&writes), deadlineOf(&others)
	start := time.Now()
	err := runSteps(ctx, translate.Target{},
		step{name: "a", do: func(ctx context.Context) error { write(ctx); return nil },
			undo: func(ctx context.Context) error { other(ctx); return nil }},
		step{name: "b", do: func(ctx context.Context) error { write(ctx); return errCutOff },
			applied: func(ctx context.Context) (bool, error) { other(ctx); return false, nil }},
	)
	require.Error(t, err)

	remaining := requestDeadline.Sub(start)
	require.Len(t, writes, 2)
	for _, d := range writes {
		keptBack := requestDeadline.Sub(d)
		assert.InDelta(t, float64(remaining/keepBackShare), float64(keptBack), float64(100*time.Millisecond), "time kept back after the writes")
	}
	assert.Equal(t, writes[0], writes[1], "the writes share one budget")
	assert.Equal(t, []time.Time{requestDeadline, requestDeadline}, others, "check and undo have the whole deadline")
}

// Two writes of one operation sending the same key would have the upstream
// replay the first answer to the second: runSteps refuses such steps.
func TestRunStepsDistinctKeys(t *testing.T) {
	nop := func(context.Context) error { return nil }
	tests := []struct {
		name  string
		steps []step
		ok    bool
	}{
		{"distinct", []step{{name: "disburse", do: nop}, {name: "undo-disbursal", do: nop}, {name: "disburse-again", do: nop}}, true},
		{"a repeated name", []step{{name: "disburse", do: nop}, {name: "undo", do: nop}, {name: "disburse", do: nop}}, false},
		{"a name that is another step's undo", []step{{name: "a", do: nop, undo: nop}, {name: undoStep("a"), do: nop}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := func() { _ = runSteps(context.Background(), translate.Target{}, tt.steps...) }
			if tt.ok {
				assert.NotPanics(t, run)
			} else {
				assert.Panics(t, run)
			}
		})
	}
}
