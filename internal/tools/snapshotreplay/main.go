// Command snapshotreplay replays the AWS-recorded executions of LocalStack's
// Step Functions snapshot tests on package localstack/states and reports how
// many end as AWS recorded. It is a measurement tool, not a test: see
// README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/lambdakit/lambdakit/localstack/states"
)

const (
	testsRoot     = "tests/aws/services/stepfunctions/v2"
	templatesRoot = "tests/aws/services/stepfunctions/templates"
)

func main() {
	gitDir := flag.String("git", "/work/.mirror/localstack+localstack/repo", "LocalStack git directory (bare or .git) to read at -rev")
	rev := flag.String("rev", "HEAD", "revision of -git to read")
	dir := flag.String("dir", "", "read a checked-out LocalStack tree instead of -git")
	out := flag.String("out", "", "also write the report to this file")
	filter := flag.String("run", "", "only replay test ids matching this regexp")
	wall := flag.Duration("timeout", 5*time.Second, "wall-clock limit for one execution")
	verbose := flag.Bool("v", false, "list every replayed execution and every exclusion")
	flag.Parse()

	var src source
	label := *dir
	if *dir != "" {
		src = dirSource{root: *dir}
	} else {
		g, err := newGitSource(*gitDir, *rev)
		if err != nil {
			fatal(err)
		}
		defer g.close()
		src = g
		label = *gitDir + " @ " + *rev
		if c, err := gitCommit(*gitDir, *rev); err == nil {
			label += " (" + c + ")"
		}
	}
	var re *regexp.Regexp
	if *filter != "" {
		re = regexp.MustCompile(*filter)
	}
	results, err := replayAll(src, re, *wall)
	if err != nil {
		fatal(err)
	}
	var w io.Writer = os.Stdout
	var f *os.File
	if *out != "" {
		if f, err = os.Create(*out); err != nil {
			fatal(err)
		}
		w = io.MultiWriter(os.Stdout, f)
	}
	report(w, label, results, *verbose)
	if f != nil {
		if err := f.Close(); err != nil {
			fatal(err)
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "snapshotreplay:", err)
	os.Exit(1)
}

// outcome kinds.
const (
	matched  = "matched"
	mismatch = "mismatch"
	excluded = "excluded"
)

type result struct {
	id     string
	lang   string // JSONPath, JSONata, JSONPath+JSONata, or "?" before the template is known
	kind   string
	reason string   // short: the group
	detail string   // what differs
	needs  []string // for exclusions by external needs
}

// recording is one recorded execution: its input and how it ended.
type recording struct {
	input                  any
	status                 string
	output                 any
	hasOutput              bool
	err, cause             any
	hasError, hasCause     bool
	terminalEvent, history string
}

func replayAll(src source, filter *regexp.Regexp, wall time.Duration) ([]result, error) {
	tplFiles, err := src.list(templatesRoot)
	if err != nil {
		return nil, err
	}
	tpl := templates{}
	for _, p := range tplFiles {
		if strings.HasSuffix(p, ".py") {
			b, err := src.read(p)
			if err != nil {
				return nil, err
			}
			parseTemplates(p, string(b), tpl)
		}
	}
	testFiles, err := src.list(testsRoot)
	if err != nil {
		return nil, err
	}
	var results []result
	modules := map[string]*testModule{}
	for _, snap := range testFiles {
		if !strings.HasSuffix(snap, ".snapshot.json") {
			continue
		}
		b, err := src.read(snap)
		if err != nil {
			return nil, err
		}
		var entries map[string]struct {
			Content map[string]json.RawMessage `json:"recorded-content"`
		}
		if err := json.Unmarshal(b, &entries); err != nil {
			return nil, fmt.Errorf("%s: %w", snap, err)
		}
		ids := make([]string, 0, len(entries))
		for id := range entries {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if filter != nil && !filter.MatchString(id) {
				continue
			}
			recs := recordings(entries[id].Content)
			if len(recs) == 0 {
				continue
			}
			file, fn, param := splitID(id)
			mod, ok := modules[file]
			if !ok {
				pb, err := src.read(file)
				if err == nil {
					mod = parseTestModule(string(pb), tpl)
				}
				modules[file] = mod
			}
			for _, rc := range recs {
				rid := id
				if len(recs) > 1 {
					rid += " #" + rc.history
				}
				results = append(results, replayOne(src, rid, mod, fn, param, tpl, rc, wall))
			}
		}
	}
	return results, nil
}

func gitCommit(gitDir, rev string) (string, error) {
	out, err := execOutput("git", "--git-dir", gitDir, "rev-parse", rev)
	return strings.TrimSpace(out), err
}

// splitID splits "path.py::Class::test[param]".
func splitID(id string) (file, fn, param string) {
	file, rest, _ := strings.Cut(id, "::")
	if i := strings.Index(rest, "["); i >= 0 && strings.HasSuffix(rest, "]") {
		rest, param = rest[:i], rest[i+1:len(rest)-1]
	}
	return file, rest, param
}

// recordings extracts the executions of a snapshot entry that have a
// recorded history.
func recordings(content map[string]json.RawMessage) []recording {
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []recording
	for _, k := range keys {
		v, err := decode(content[k])
		if err != nil {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		events, ok := m["events"].([]any)
		if !ok || len(events) == 0 {
			continue
		}
		rc := recording{history: k}
		started := false
		for _, e := range events {
			ev, _ := e.(map[string]any)
			typ, _ := ev["type"].(string)
			switch typ {
			case "ExecutionStarted":
				d, _ := ev["executionStartedEventDetails"].(map[string]any)
				rc.input = d["input"]
				started = true
			case "ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted":
				rc.terminalEvent = typ
				rc.status = map[string]string{"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT", "ExecutionAborted": "ABORTED"}[typ]
				key := strings.ToLower(typ[:1]) + typ[1:] + "EventDetails"
				d, _ := ev[key].(map[string]any)
				rc.output, rc.hasOutput = d["output"]
				rc.err, rc.hasError = d["error"]
				rc.cause, rc.hasCause = d["cause"]
			}
		}
		if started {
			out = append(out, rc)
		}
	}
	return out
}

func replayOne(src source, id string, mod *testModule, fn, param string, tpl templates, rc recording, wall time.Duration) result {
	r := result{id: id, lang: "?", kind: excluded}
	if mod == nil {
		r.reason = "test module not found"
		return r
	}
	f := mod.funcs[fn]
	if f == nil {
		if _, name, ok := strings.Cut(fn, "::"); ok {
			f = mod.funcs[name]
		}
	}
	if f == nil {
		r.reason = "test function not found"
		return r
	}
	path, why := mod.resolve(f, param, tpl)
	if path == "" {
		r.reason = why
		return r
	}
	raw, err := src.read(path)
	if err != nil {
		r.reason = "template file not found"
		return r
	}
	defJSON := stripJSON5(raw)
	v, err := decode(defJSON)
	if err != nil {
		r.reason = "template is not JSON after stripping JSON5"
		r.detail = err.Error()
		return r
	}
	def, ok := v.(map[string]any)
	if !ok {
		r.reason = "template is not an object"
		return r
	}
	r.lang = queryLanguage(def)
	if needs := externalNeeds(string(defJSON), def); len(needs) > 0 {
		r.reason, r.needs = "needs external resources", needs
		return r
	}
	switch {
	case modifyRe.MatchString(f.body):
		r.reason = "test modifies the template or definition"
		return r
	case rc.terminalEvent == "":
		r.reason = "no terminal event recorded"
		return r
	case rc.status == "ABORTED":
		r.reason = "recorded ABORTED (stopped by the test)"
		return r
	case stopExecRe.MatchString(f.body):
		r.reason = "test acts on the running execution (stop, task tokens, redrive)"
		return r
	}
	typ := types.StateMachineTypeStandard
	if expressRe.MatchString(f.body) {
		typ = types.StateMachineTypeExpress
	}
	input := "{}"
	if s, ok := rc.input.(string); ok && json.Valid([]byte(s)) {
		// The snapshot keeps the raw input when it is not an object.
		input = s
	} else if rc.input != nil {
		b, err := marshalRaw(rc.input)
		if err != nil {
			r.reason = "recorded input not encodable"
			return r
		}
		input = fillPlaceholders(string(b))
	}
	if p := inputPlaceholder(input); p != "" {
		r.kind, r.reason = excluded, "recorded input holds a snapshot placeholder ("+p+")"
		return r
	}
	r.kind = mismatch
	st, err := run(string(defJSON), input, typ, wall)
	if err != nil {
		r.reason, r.detail = refusalReason(err)
		return r
	}
	r.reason, r.detail = compareRun(newMatcher(transformerTokens(f.body)), rc, st)
	if r.reason == "" {
		r.kind = matched
	}
	return r
}

// marshalRaw encodes v without escaping <, > and &, so that placeholders
// stay visible.
func marshalRaw(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// fillPlaceholders puts concrete values for the placeholders an input can
// hold that the engine needs concrete.
func fillPlaceholders(s string) string {
	return strings.NewReplacer("arn:<partition>:", "arn:aws:", "<region>", "us-east-1", "<account>", "111111111111").Replace(s)
}

var (
	tokenRe       = regexp.MustCompile(`Transformer\(\s*[^,()]+(?:\([^()]*\))?[^,()]*,\s*f?"([^"{}]+)"`)
	replacementRe = regexp.MustCompile(`replacement\s*=\s*f?"([^"{}]+)"`)
	bareInputRe   = regexp.MustCompile(`"(date|datetime|timestamp|snf_role_arn)"`)
)

// transformerTokens returns the replacement strings of the test's
// transformers.
func transformerTokens(body string) []string {
	var out []string
	ms := tokenRe.FindAllStringSubmatch(body, -1)
	ms = append(ms, replacementRe.FindAllStringSubmatch(body, -1)...)
	for _, m := range ms {
		if len(m[1]) >= 4 {
			out = append(out, m[1])
		}
	}
	return out
}

// inputPlaceholder returns a placeholder left in the input, which the test
// filled with a value the snapshot does not keep.
func inputPlaceholder(input string) string {
	if p := placeholderRe.FindString(input); p != "" {
		return p
	}
	if m := bareInputRe.FindStringSubmatch(input); m != nil {
		return m[1]
	}
	return ""
}

// causeKey shortens a failure for grouping: the error and the cause's
// first words, names and numbers elided.
func causeKey(errStr, cause string) string {
	c := stateErrPrefixRe.ReplaceAllString(cause, "")
	c = quotedRe.ReplaceAllString(c, "…")
	c = digitsRe.ReplaceAllString(c, "${1}N")
	if i := strings.Index(c, ": $"); i > 0 {
		c = c[:i]
	}
	return errStr + " / " + cut(c, 90)
}

var (
	stateErrPrefixRe = regexp.MustCompile(`^An error occurred while executing the state '[^']*' \(entered at the event id #\d+\)\.\s*`)
	quotedRe         = regexp.MustCompile(`'[^']*'|"[^"]*"`)
)

// runState is how the engine ended an execution.
type runState struct {
	status, output, errStr, cause string
	hasOutput                     bool
}

func run(definition, input string, typ types.StateMachineType, wall time.Duration) (*runState, error) {
	ctx := context.Background()
	e := states.New(states.WithVirtualTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), states.WithAccount("111111111111"))
	defer e.Close()
	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("replay"), Definition: aws.String(definition), Type: typ,
		RoleArn: aws.String("arn:aws:iam::111111111111:role/snf_role_arn"),
	})
	if err != nil {
		return nil, err
	}
	x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(input), Name: aws.String("replay")})
	if err != nil {
		return nil, fmt.Errorf("StartExecution: %w", err)
	}
	deadline := time.Now().Add(wall)
	for {
		d, err := e.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn})
		if err != nil {
			return nil, fmt.Errorf("DescribeExecution: %w", err)
		}
		if d.Status != types.ExecutionStatusRunning {
			return &runState{status: string(d.Status), output: aws.ToString(d.Output), hasOutput: d.Output != nil, errStr: aws.ToString(d.Error), cause: aws.ToString(d.Cause)}, nil
		}
		if time.Now().After(deadline) {
			_, _ = e.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: x.ExecutionArn})
			return &runState{status: "RUNNING"}, nil
		}
		time.Sleep(200 * time.Microsecond)
	}
}

var digitsRe = regexp.MustCompile(`(^|[\s(=:#])-?\d+(\.\d+)?`)

func refusalReason(err error) (string, string) {
	var inv *types.InvalidDefinition
	if errors.As(err, &inv) {
		msg := aws.ToString(inv.Message)
		// Group by the diagnostic's code.
		code := msg
		if i := strings.Index(code, ":"); i > 0 {
			code = code[:i]
		}
		if len(code) > 60 {
			code = code[:60]
		}
		return "engine refused definition: " + digitsRe.ReplaceAllString(code, "${1}N"), cut(msg, 300)
	}
	return "engine error: " + cut(err.Error(), 60), err.Error()
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// compareRun says how the engine's end differs from AWS's, "" if it does not.
func compareRun(m *matcher, rc recording, st *runState) (string, string) {
	if st.status == "RUNNING" {
		return "engine did not finish (wall-clock limit)", ""
	}
	if st.status != rc.status {
		g := fmt.Sprintf("status differs: AWS %s, engine %s", rc.status, st.status)
		if st.errStr != "" {
			g += ": " + causeKey(st.errStr, st.cause)
		}
		d := fmt.Sprintf("AWS error=%s cause=%s output=%s | engine error=%s cause=%s", compact(rc.err, 80), compact(rc.cause, 160), compact(rc.output, 120), st.errStr, cut(st.cause, 200))
		return g, d
	}
	switch rc.status {
	case "SUCCEEDED":
		var act any
		if st.hasOutput {
			v, err := decode([]byte(st.output))
			if err != nil {
				return "output differs: engine output not JSON", cut(st.output, 200)
			}
			act = v
		}
		if d := m.diff(rc.output, act, ""); d != "" {
			return "output differs", fmt.Sprintf("at %s: AWS %s | engine %s", d, compact(rc.output, 300), compact(act, 300))
		}
	default:
		var recErr any = ""
		if rc.hasError {
			recErr = rc.err
		}
		if m.diff(recErr, st.errStr, "") != "" {
			return "error differs: engine " + causeKey(st.errStr, st.cause), fmt.Sprintf("AWS %q | engine %q (engine cause %s)", compact(recErr, 100), st.errStr, cut(st.cause, 200))
		}
		var recCause any = ""
		if rc.hasCause {
			recCause = rc.cause
		}
		if m.diff(recCause, st.cause, "") != "" {
			return "cause differs: " + causeKey(st.errStr, st.cause), fmt.Sprintf("AWS %s | engine %s", compact(recCause, 300), cut(st.cause, 300))
		}
	}
	return "", ""
}
