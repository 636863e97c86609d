package states

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"
)

// A conformance case in testdata/conformance/*.json: one definition, one
// input, scripted task results and what AWS does with them. Every case names
// its source (the States Language spec, a developer guide page, or an
// AWS-recorded response). See testdata/conformance/README.md.
type conformanceCase struct {
	Name       string          `json:"name"`
	Source     string          `json:"source"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	// Tasks scripts each Task resource: the n-th call gets the n-th reply,
	// and the last reply repeats. A resource that is not scripted echoes
	// its input.
	Tasks map[string][]taskReply `json:"tasks"`
	Want  conformanceWant        `json:"want"`
}

type taskReply struct {
	// Result is the task's result (JSON).
	Result json.RawMessage `json:"result"`
	// Error and Cause fail the task.
	Error string `json:"error"`
	Cause string `json:"cause"`
}

type conformanceWant struct {
	// DefinitionError, when set, is the start of the InvalidDefinition
	// message CreateStateMachine returns; nothing runs.
	DefinitionError string `json:"definitionError"`
	// StartError, when set, is the error code StartExecution returns.
	StartError string          `json:"startError"`
	Status     string          `json:"status"`
	Output     json.RawMessage `json:"output"`
	Error      string          `json:"error"`
	Cause      *string         `json:"cause"`
	// CausePrefix is compared when the exact cause is not the point.
	CausePrefix string   `json:"causePrefix"`
	Events      []string `json:"events"`
	// Unordered compares Events as a multiset (concurrent branches).
	Unordered bool `json:"unordered"`
	// Calls, when set, is how many times each scripted resource was called.
	Calls map[string]int `json:"calls"`
}

func loadConformance(t *testing.T) map[string][]conformanceCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "conformance", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]conformanceCase{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var cases []conformanceCase
		if err := dec.Decode(&cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = cases
	}
	return out
}

// scripted is the TaskRunner of a case.
type scripted struct {
	mu    sync.Mutex
	tasks map[string][]taskReply
	calls map[string]int
}

func (s *scripted) RunTask(ctx context.Context, t *Task) (any, error) {
	s.mu.Lock()
	replies, ok := s.tasks[t.Resource]
	n := s.calls[t.Resource]
	s.calls[t.Resource] = n + 1
	s.mu.Unlock()
	if !ok || len(replies) == 0 {
		return t.Input, nil
	}
	r := replies[min(n, len(replies)-1)]
	switch {
	case r.Error != "":
		return nil, (&Failure{Error: r.Error, Cause: r.Cause}).AsError()
	case r.Result == nil:
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(r.Result, &v); err != nil {
		return nil, fmt.Errorf("scripted result of %s: %w", t.Resource, err)
	}
	return v, nil
}

// TestConformance runs the cases in testdata/conformance, one subtest per
// file (its category) and case, and logs the count per category.
func TestConformance(t *testing.T) {
	all := loadConformance(t)
	categories := slices.Sorted(maps.Keys(all))
	total := 0
	for _, category := range categories {
		cases := all[category]
		total += len(cases)
		t.Logf("%-14s %d", category, len(cases))
		t.Run(category, func(t *testing.T) {
			seen := map[string]bool{}
			for _, c := range cases {
				if c.Name == "" || c.Source == "" {
					t.Errorf("case %q: name and source are required", c.Name)
				}
				if seen[c.Name] {
					t.Errorf("case %q appears twice", c.Name)
				}
				seen[c.Name] = true
				t.Run(c.Name, func(t *testing.T) {
					t.Parallel()
					runConformance(t, c)
				})
			}
		})
	}
	t.Logf("%d conformance cases in %d categories", total, len(categories))
}

func runConformance(t *testing.T, c conformanceCase) {
	ctx := t.Context()
	runner := &scripted{tasks: c.Tasks, calls: map[string]int{}}
	e := New(WithVirtualTime(start), WithTaskRunner(runner))
	t.Cleanup(func() { _ = e.Close() })
	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sm"),
		Definition: aws.String(string(c.Definition)), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	if c.Want.DefinitionError != "" {
		var invalid *types.InvalidDefinition
		if !errors.As(err, &invalid) {
			t.Fatalf("CreateStateMachine: %v, want InvalidDefinition %q", err, c.Want.DefinitionError)
		}
		if !strings.Contains(aws.ToString(invalid.Message), c.Want.DefinitionError) {
			t.Errorf("InvalidDefinition %q, want it to contain %q", aws.ToString(invalid.Message), c.Want.DefinitionError)
		}
		return
	}
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	input := "{}"
	if c.Input != nil {
		input = string(c.Input)
	}
	x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(input)})
	if c.Want.StartError != "" {
		var api interface{ ErrorCode() string }
		if !errors.As(err, &api) || api.ErrorCode() != c.Want.StartError {
			t.Fatalf("StartExecution: %v, want %s", err, c.Want.StartError)
		}
		return
	}
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	d, evs := wait(t, e, aws.ToString(x.ExecutionArn))
	w := c.Want
	output := ""
	if w.Output != nil {
		output = string(w.Output)
	}
	check(t, want{status: types.ExecutionStatus(w.Status), output: output, err: w.Error, cause: w.CausePrefix,
		events: w.Events, unordered: w.Unordered}, d, evs)
	if w.Cause != nil && aws.ToString(d.Cause) != *w.Cause {
		t.Errorf("cause %q, want %q", aws.ToString(d.Cause), *w.Cause)
	}
	if w.Calls != nil {
		runner.mu.Lock()
		got := runner.calls
		runner.mu.Unlock()
		if diff := cmp.Diff(w.Calls, got); diff != "" {
			t.Errorf("task calls (-want +got):\n%s", diff)
		}
	}
}
