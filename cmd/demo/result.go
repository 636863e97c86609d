package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/examples/stack"
	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// scenario is one example's demo: what to deploy and what to run.
type scenario struct {
	name    string
	summary string
	spec    func() stack.Spec
	opts    []localdeploy.Option
	run     func(ctx context.Context, dep *localdeploy.Deployment, r *result, logf func(string, ...any)) error
}

func deploy(ctx context.Context, em *localstack.Emulator, root string, sc scenario) (*localdeploy.Deployment, error) {
	opts := append([]localdeploy.Option{localdeploy.WithPrefix("demo-" + sc.name), localdeploy.WithRoot(root)}, sc.opts...)
	return localdeploy.Deploy(ctx, em, sc.spec(), opts...)
}

func describe(s stack.Spec) string {
	var parts []string
	add := func(n int, what string) {
		if n == 1 {
			parts = append(parts, "1 "+what)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %ss", n, what))
		}
	}
	add(len(s.Functions), "function")
	add(len(s.StateMachines), "state machine")
	add(len(s.Queues), "queue")
	add(len(s.Tables), "table")
	return strings.Join(parts, ", ")
}

// execution is one run of a workflow and what it was expected to do.
type execution struct {
	label     string
	status    string
	errorName string
	output    string
	want      string // the expected status, and error name after a space
}

func (e execution) asExpected() bool {
	got := e.status
	if e.errorName != "" {
		got += " " + e.errorName
	}
	return got == e.want
}

// result is what the summary shows for one workflow.
type result struct {
	name, summary string
	executions    []execution
	invocations   map[string]int64
	checkpoints   int // -1 when the workflow has none
	dlq           map[string]int
	wantDLQ       map[string]int
	facts         []string
	problems      []string
	err           error
	elapsed       time.Duration
}

func (r *result) add(label string, ex *fixture.Execution, want string) {
	r.executions = append(r.executions, execution{label: label, status: ex.Status, errorName: ex.Error, output: ex.Output, want: want})
}

func (r *result) fact(format string, args ...any) {
	r.facts = append(r.facts, fmt.Sprintf(format, args...))
}

func (r *result) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func (r *result) asExpected() bool {
	if len(r.problems) > 0 {
		return false
	}
	for _, e := range r.executions {
		if !e.asExpected() {
			return false
		}
	}
	for q, n := range r.wantDLQ {
		if r.dlq[q] != n {
			return false
		}
	}
	return true
}

func (r *result) print(w io.Writer) {
	verdict := "as expected"
	if r.err != nil || !r.asExpected() {
		verdict = "NOT AS EXPECTED"
	}
	fmt.Fprintf(w, "== %s (%s, %s)\n   %s\n", r.name, verdict, r.elapsed.Round(10*time.Millisecond), r.summary)
	if r.err != nil {
		fmt.Fprintf(w, "   error        %v\n", r.err)
	}
	for _, e := range r.executions {
		status := e.status
		if e.errorName != "" {
			status += " (" + e.errorName + ")"
		}
		mark := "expected"
		if !e.asExpected() {
			mark = "expected " + e.want
		}
		fmt.Fprintf(w, "   %-12s %-28s %s [%s]\n", "execution", e.label, status, mark)
		if e.output != "" {
			fmt.Fprintf(w, "   %-12s %s\n", "  output", compact(e.output, 150))
		}
	}
	if len(r.invocations) > 0 {
		ids := make([]string, 0, len(r.invocations))
		for id := range r.invocations {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		var parts []string
		var total int64
		for _, id := range ids {
			parts = append(parts, fmt.Sprintf("%s %d", shortName(id), r.invocations[id]))
			total += r.invocations[id]
		}
		fmt.Fprintf(w, "   %-12s %d: %s\n", "invocations", total, strings.Join(parts, ", "))
	}
	if r.checkpoints >= 0 {
		fmt.Fprintf(w, "   %-12s %d\n", "checkpoints", r.checkpoints)
	}
	if len(r.dlq) > 0 {
		var parts []string
		for q, n := range r.dlq {
			s := fmt.Sprintf("%s %d", q, n)
			if want, ok := r.wantDLQ[q]; ok && want != n {
				s += fmt.Sprintf(" (expected %d)", want)
			}
			parts = append(parts, s)
		}
		sort.Strings(parts)
		fmt.Fprintf(w, "   %-12s %s\n", "DLQ messages", strings.Join(parts, ", "))
	}
	for _, f := range r.facts {
		fmt.Fprintf(w, "   %-12s %s\n", "note", f)
	}
	for _, p := range r.problems {
		fmt.Fprintf(w, "   %-12s %s\n", "PROBLEM", p)
	}
	fmt.Fprintln(w)
}

// shortName drops the example prefix and "Function" from a logical ID:
// OrdersValidatePaymentFunction -> ValidatePayment.
func shortName(id string) string {
	id = strings.TrimSuffix(id, "Function")
	for _, p := range []string{"Orders", "Fanout", "LongRunning", "Pipeline", "ParentChild"} {
		if rest, ok := strings.CutPrefix(id, p); ok && rest != "" {
			return rest
		}
	}
	return id
}

// compact re-encodes JSON without spaces and cuts it to n characters.
func compact(s string, n int) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err == nil {
		if b, err := json.Marshal(v); err == nil {
			s = string(b)
		}
	}
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
