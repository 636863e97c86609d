package examples_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/lambdakit/lambdakit/examples/fanout"
	"github.com/lambdakit/lambdakit/examples/longrunning"
	"github.com/lambdakit/lambdakit/examples/orders"
	"github.com/lambdakit/lambdakit/examples/parentchild"
	"github.com/lambdakit/lambdakit/examples/pipeline"
	"github.com/lambdakit/lambdakit/examples/stack"
)

// repoRoot is where template.yaml lives; tests run in examples/.
const repoRoot = ".."

// specs are the Go descriptions of the examples that the tests and the demo
// deploy locally; the template must say the same.
func specs() []stack.Spec {
	return []stack.Spec{fanout.Stack(), orders.Stack(), longrunning.Stack(), pipeline.Stack(), parentchild.Stack()}
}

// value is a YAML node of the template with CloudFormation's short tags kept.
type value struct{ *yaml.Node }

func (v value) get(key string) value {
	if v.Node == nil || v.Kind != yaml.MappingNode {
		return value{}
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if v.Content[i].Value == key {
			return value{v.Content[i+1]}
		}
	}
	return value{}
}

func (v value) str() string {
	if v.Node == nil {
		return ""
	}
	return v.Value
}

func (v value) keys() []string {
	if v.Node == nil || v.Kind != yaml.MappingNode {
		return nil
	}
	var ks []string
	for i := 0; i+1 < len(v.Content); i += 2 {
		ks = append(ks, v.Content[i].Value)
	}
	return ks
}

// ref returns the stack.Ref a !Ref X or !GetAtt X.Arn node stands for.
func (v value) ref() (stack.Ref, bool) {
	if v.Node == nil || v.Kind != yaml.ScalarNode {
		return stack.Ref{}, false
	}
	switch v.Tag {
	case "!Ref":
		return stack.NameOf(v.Value), true
	case "!GetAtt":
		if id, ok := strings.CutSuffix(v.Value, ".Arn"); ok {
			return stack.ArnOf(id), true
		}
	}
	return stack.Ref{}, false
}

type resource struct {
	Type  string
	Props value
}

type template struct {
	Resources map[string]resource
	Globals   value
}

func loadTemplate(t *testing.T) template {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	root := value{doc.Content[0]}
	tpl := template{Resources: map[string]resource{}, Globals: root.get("Globals")}
	res := root.get("Resources")
	for _, id := range res.keys() {
		r := res.get(id)
		tpl.Resources[id] = resource{Type: r.get("Type").str(), Props: r.get("Properties")}
	}
	return tpl
}

func (tpl template) ofType(typ string) []string {
	var ids []string
	for id, r := range tpl.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_.:]+)\}`)

// TestTemplateFunctionsAreMainPackages checks that every CodeUri is a main
// package that builds the way `sam build` builds it.
func TestTemplateFunctionsAreMainPackages(t *testing.T) {
	tpl := loadTemplate(t)
	var pkgs []string
	for _, id := range tpl.ofType("AWS::Serverless::Function") {
		uri := tpl.Resources[id].Props.get("CodeUri").str()
		if uri == "" {
			t.Errorf("%s: no CodeUri", id)
			continue
		}
		pkgs = append(pkgs, "./"+strings.TrimSuffix(uri, "/"))
	}
	if len(pkgs) == 0 {
		t.Fatal("template.yaml has no functions")
	}
	list := exec.Command("go", append([]string{"list", "-f", "{{.ImportPath}} {{.Name}}"}, pkgs...)...)
	list.Dir = repoRoot
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", pkgs, err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, name, _ := strings.Cut(line, " "); name != "main" {
			t.Errorf("%s is package %s, not a main package", path, name)
		}
	}
	// Several packages without -o: go build compiles them for the Lambda
	// target and discards the result, which checks them without linking.
	build := exec.Command("go", append([]string{"build", "-tags", "lambda.norpc"}, pkgs...)...)
	build.Dir = repoRoot
	build.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=linux GOARCH=arm64 go build -tags lambda.norpc: %v\n%s", err, out)
	}
}

// TestTemplateStateMachines checks every state machine's definition against
// the template: the file exists and is JSON, every ${Name} has a
// substitution and every substitution is used, every function a state
// invokes is a function of the template, and the state machine's policies
// let it invoke exactly those functions.
func TestTemplateStateMachines(t *testing.T) {
	tpl := loadTemplate(t)
	machines := tpl.ofType("AWS::Serverless::StateMachine")
	if len(machines) == 0 {
		t.Fatal("template.yaml has no state machines")
	}
	for _, id := range machines {
		t.Run(id, func(t *testing.T) {
			props := tpl.Resources[id].Props
			uri := props.get("DefinitionUri").str()
			raw, err := os.ReadFile(filepath.Join(repoRoot, uri))
			if err != nil {
				t.Fatalf("DefinitionUri: %v", err)
			}
			subs := props.get("DefinitionSubstitutions")
			var used []string
			for _, m := range placeholder.FindAllStringSubmatch(string(raw), -1) {
				if !slices.Contains(used, m[1]) {
					used = append(used, m[1])
				}
			}
			declared := subs.keys()
			for _, name := range used {
				if !slices.Contains(declared, name) {
					t.Errorf("%s uses ${%s}, which has no DefinitionSubstitution", uri, name)
				}
			}
			for _, name := range declared {
				if !slices.Contains(used, name) {
					t.Errorf("DefinitionSubstitution %s is not used in %s", name, uri)
				}
			}

			// Substitute placeholders the way CloudFormation would, with
			// markers that name the resource, then read the definition.
			resolved := placeholder.ReplaceAllStringFunc(string(raw), func(s string) string {
				ref, ok := subs.get(placeholder.FindStringSubmatch(s)[1]).ref()
				if !ok {
					return "unresolved"
				}
				return "ref:" + ref.LogicalID
			})
			var def map[string]any
			if err := json.Unmarshal([]byte(resolved), &def); err != nil {
				t.Fatalf("%s is not JSON: %v", uri, err)
			}
			if ql, _ := def["QueryLanguage"].(string); ql != "JSONPath" {
				t.Errorf("%s: QueryLanguage is %q; the examples use JSONPath", uri, ql)
			}
			invoked := map[string]bool{}
			for _, task := range tasks(def) {
				res, _ := task["Resource"].(string)
				if !strings.HasPrefix(res, "arn:aws:states:::lambda:invoke") {
					continue
				}
				params, _ := task["Parameters"].(map[string]any)
				fn, _ := params["FunctionName"].(string)
				target, ok := strings.CutPrefix(fn, "ref:")
				if !ok {
					t.Errorf("%s: a lambda:invoke task names %q, not a template function through a substitution", uri, fn)
					continue
				}
				if tpl.Resources[target].Type != "AWS::Serverless::Function" {
					t.Errorf("%s invokes %s, which is not a function of the template", uri, target)
					continue
				}
				invoked[target] = true
			}
			allowed := map[string]bool{}
			pols := props.get("Policies")
			if pols.Node != nil {
				for _, p := range pols.Content {
					if fn, ok := (value{p}).get("LambdaInvokePolicy").get("FunctionName").ref(); ok {
						allowed[fn.LogicalID] = true
					}
				}
			}
			if diff := cmp.Diff(invoked, allowed); diff != "" {
				t.Errorf("functions invoked (-) differ from LambdaInvokePolicy grants (+):\n%s", diff)
			}
		})
	}
}

// tasks returns every Task state of def, nested Map and Parallel states
// included.
func tasks(def map[string]any) []map[string]any {
	var out []map[string]any
	states, _ := def["States"].(map[string]any)
	for _, s := range states {
		st, _ := s.(map[string]any)
		switch st["Type"] {
		case "Task":
			out = append(out, st)
		case "Map":
			for _, key := range []string{"ItemProcessor", "Iterator"} {
				if inner, ok := st[key].(map[string]any); ok {
					out = append(out, tasks(inner)...)
				}
			}
		case "Parallel":
			branches, _ := st["Branches"].([]any)
			for _, b := range branches {
				if inner, ok := b.(map[string]any); ok {
					out = append(out, tasks(inner)...)
				}
			}
		}
	}
	return out
}

// TestSpecsMatchTemplate checks that the Go specs the tests and the demo
// deploy describe the same resources as template.yaml, so a local run
// exercises what `sam deploy` ships.
func TestSpecsMatchTemplate(t *testing.T) {
	tpl := loadTemplate(t)
	globalTimeout := seconds(t, tpl.Globals.get("Function").get("Timeout"))
	seen := map[string]string{}
	claim := func(t *testing.T, id, typ string) (resource, bool) {
		t.Helper()
		if prev, dup := seen[id]; dup {
			t.Errorf("%s is described by two specs (%s too)", id, prev)
		}
		seen[id] = t.Name()
		r, ok := tpl.Resources[id]
		if !ok {
			t.Errorf("%s is not in template.yaml", id)
			return r, false
		}
		if r.Type != typ {
			t.Errorf("%s is a %s in template.yaml, not a %s", id, r.Type, typ)
			return r, false
		}
		return r, true
	}
	for _, spec := range specs() {
		t.Run(spec.Name, func(t *testing.T) {
			for _, f := range spec.Functions {
				r, ok := claim(t, f.LogicalID, "AWS::Serverless::Function")
				if !ok {
					continue
				}
				if got := strings.TrimSuffix(r.Props.get("CodeUri").str(), "/"); got != f.CodeURI {
					t.Errorf("%s: CodeUri %q, spec %q", f.LogicalID, got, f.CodeURI)
				}
				if !strings.HasPrefix(f.CodeURI, "examples/"+spec.Name+"/functions/") {
					t.Errorf("%s: CodeUri %q is outside examples/%s/functions/", f.LogicalID, f.CodeURI, spec.Name)
				}
				timeout := globalTimeout
				if v := r.Props.get("Timeout"); v.Node != nil {
					timeout = seconds(t, v)
				}
				want := f.Timeout
				if want == 0 {
					want = globalTimeout
				}
				if timeout != want {
					t.Errorf("%s: Timeout %s, spec %s", f.LogicalID, timeout, want)
				}
				env := map[string]stack.Ref{}
				vars := r.Props.get("Environment").get("Variables")
				for _, k := range vars.keys() {
					// References to template parameters are not resources;
					// the local deployment uses the parameters' defaults.
					if ref, ok := vars.get(k).ref(); ok && tpl.Resources[ref.LogicalID].Type != "" {
						env[k] = ref
					}
				}
				if diff := cmp.Diff(nonNil(f.Environment), env); diff != "" {
					t.Errorf("%s: environment references (-spec +template):\n%s", f.LogicalID, diff)
				}
				var ev *stack.SQSEvent
				events := r.Props.get("Events")
				for _, name := range events.keys() {
					e := events.get(name)
					if e.get("Type").str() != "SQS" {
						continue
					}
					p := e.get("Properties")
					q, _ := p.get("Queue").ref()
					ev = &stack.SQSEvent{
						Queue:              q.LogicalID,
						BatchSize:          atoi(t, p.get("BatchSize")),
						MaximumConcurrency: atoi(t, p.get("ScalingConfig").get("MaximumConcurrency")),
					}
					if rt := p.get("FunctionResponseTypes"); rt.Node == nil || len(rt.Content) != 1 || rt.Content[0].Value != "ReportBatchItemFailures" {
						t.Errorf("%s: SQS event without FunctionResponseTypes: [ReportBatchItemFailures]", f.LogicalID)
					}
				}
				if diff := cmp.Diff(f.SQS, ev); diff != "" {
					t.Errorf("%s: SQS event (-spec +template):\n%s", f.LogicalID, diff)
				}
			}
			for _, q := range spec.Queues {
				r, ok := claim(t, q.LogicalID, "AWS::SQS::Queue")
				if !ok {
					continue
				}
				got := stack.Queue{
					LogicalID:         q.LogicalID,
					VisibilityTimeout: seconds(t, r.Props.get("VisibilityTimeout")),
				}
				if rp := r.Props.get("RedrivePolicy"); rp.Node != nil {
					dlq, _ := rp.get("deadLetterTargetArn").ref()
					got.DLQ = dlq.LogicalID
					got.MaxReceiveCount = atoi(t, rp.get("maxReceiveCount"))
				}
				if diff := cmp.Diff(q, got); diff != "" {
					t.Errorf("queue (-spec +template):\n%s", diff)
				}
				if q.DLQ != "" {
					claim(t, q.DLQ, "AWS::SQS::Queue")
				}
			}
			for _, tb := range spec.Tables {
				r, ok := claim(t, tb.LogicalID, "AWS::DynamoDB::Table")
				if !ok {
					continue
				}
				got := stack.Table{LogicalID: tb.LogicalID}
				keys := r.Props.get("KeySchema")
				if keys.Node != nil {
					for _, k := range keys.Content {
						if (value{k}).get("KeyType").str() == "HASH" {
							got.PartitionKey = (value{k}).get("AttributeName").str()
						}
					}
				}
				got.TTLAttribute = r.Props.get("TimeToLiveSpecification").get("AttributeName").str()
				if diff := cmp.Diff(tb, got); diff != "" {
					t.Errorf("table (-spec +template):\n%s", diff)
				}
			}
			for _, sm := range spec.StateMachines {
				r, ok := claim(t, sm.LogicalID, "AWS::Serverless::StateMachine")
				if !ok {
					continue
				}
				if got := r.Props.get("DefinitionUri").str(); got != sm.DefinitionURI {
					t.Errorf("%s: DefinitionUri %q, spec %q", sm.LogicalID, got, sm.DefinitionURI)
				}
				subs := map[string]stack.Ref{}
				ds := r.Props.get("DefinitionSubstitutions")
				for _, k := range ds.keys() {
					ref, ok := ds.get(k).ref()
					if !ok {
						t.Errorf("%s: substitution %s is not a !Ref or !GetAtt X.Arn", sm.LogicalID, k)
					}
					subs[k] = ref
				}
				if diff := cmp.Diff(sm.Substitutions, subs); diff != "" {
					t.Errorf("%s: DefinitionSubstitutions (-spec +template):\n%s", sm.LogicalID, diff)
				}
			}
		})
	}
	for _, typ := range []string{"AWS::Serverless::Function", "AWS::Serverless::StateMachine", "AWS::SQS::Queue", "AWS::DynamoDB::Table"} {
		for _, id := range tpl.ofType(typ) {
			if _, ok := seen[id]; !ok {
				t.Errorf("%s %s is in template.yaml but in no example's spec", typ, id)
			}
		}
	}
}

func nonNil(m map[string]stack.Ref) map[string]stack.Ref {
	if m == nil {
		return map[string]stack.Ref{}
	}
	return m
}

func atoi(t *testing.T, v value) int {
	t.Helper()
	if v.Node == nil {
		return 0
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil {
		t.Errorf("line %d: %q is not a number", v.Line, v.Value)
	}
	return n
}

func seconds(t *testing.T, v value) time.Duration {
	t.Helper()
	return time.Duration(atoi(t, v)) * time.Second
}
