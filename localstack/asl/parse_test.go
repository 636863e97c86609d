package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// diag is a diagnostic without its message, which AWS says not to rely on.
type diag struct{ Code, Location string }

func diagnostics(t *testing.T, err error) []diag {
	t.Helper()
	var de *DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a *DefinitionError", err)
	}
	var out []diag
	for _, d := range de.Diagnostics {
		out = append(out, diag{d.Code, d.Location})
	}
	return out
}

// Sources of the expected diagnostics, cited per case:
//
//   - [ls-validation]: LocalStack's AWS-recorded snapshots,
//     tests/aws/services/stepfunctions/v2/test_sfn_api_validation.snapshot.json
//     and test_sfn_api.snapshot.json, test_base_scenarios.snapshot.json,
//     test_state_mock_validation.snapshot.json, test_test_state_machine_scenarios.snapshot.json.
//
//   - [aws-11978]: AWS's answer quoted in localstack/localstack#11978.
//
//   - [floci-2735]: AWS's answers measured in floci-io/floci#2735 and #2786.
//
//     -
//
// [spec]: https://states-language.net/spec.html, where AWS's wording is not known.
func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, def string
		want      []diag
		message   string // the whole Error() text, where AWS's is known
	}{
		{
			name: "empty definition", def: ``, // [ls-validation] EMPTY_STRING
			want: []diag{{"SCHEMA_VALIDATION_FAILED", ""}},
		},
		{
			// [ls-validation] NOT_A_DEF. AWS's parser (Jackson) reports the column
			// after the bad token (4); ours is where Go's decoder stopped.
			name: "not JSON", def: `not a definition`,
			want: []diag{{"INVALID_JSON_DESCRIPTION", "[Source: (String); line: 1, column: 3]"}},
		},
		{
			name: "no States", def: `{"StartAt":"A"}`, // [ls-validation]
			want:    []diag{{"SCHEMA_VALIDATION_FAILED", "/"}},
			message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'",
		},
		{
			name: "no States nor StartAt", def: `{"Comment":"x"}`, // [ls-validation]
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/"}},
		},
		{
			name: "missing Next target and unreachable state", // [aws-11978]
			def:  `{"StartAt":"pass1","States":{"pass1":{"Type":"Pass","Next":"pass3"},"pass2":{"Type":"Pass","End":true}}}`,
			want: []diag{{"MISSING_TRANSITION_TARGET", "/States/pass1/Next"}, {"MISSING_TRANSITION_TARGET", "/States/pass2"}},
			message: "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, " +
				"MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'",
		},
		{
			name: "StartAt names no state", // serverless-step-functions#250 quotes AWS: "at /StartAt"
			def:  `{"StartAt":"Nope","States":{"A":{"Type":"Succeed"}}}`,
			want: []diag{{"MISSING_TRANSITION_TARGET", "/StartAt"}, {"MISSING_TRANSITION_TARGET", "/States/A"}},
		},
		{
			name:    "a loop with no terminal state", // [floci-2735]: one diagnostic, no location
			def:     `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}`,
			want:    []diag{{"MISSING_END_STATE", ""}},
			message: "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at null'",
		},
		{
			name: "no terminal state hides unreachable states", // [floci-2735]
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"},"C":{"Type":"Pass","Next":"A"}}}`,
			want: []diag{{"MISSING_END_STATE", ""}},
		},
		{
			name: "a loop and an unreachable terminal state", // [floci-2735]
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"},"C":{"Type":"Pass","End":true}}}`,
			want: []diag{{"MISSING_TRANSITION_TARGET", "/States/C"}},
		},
		{
			name: "dangling Next and no terminal state", // [floci-2735]: both, in this order
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"NOPE"}}}`,
			want: []diag{{"MISSING_TRANSITION_TARGET", "/States/A/Next"}, {"MISSING_END_STATE", ""}},
		},
		{
			name: "dangling Choices Next, Default and Catch Next", // [floci-2735]: locations
			def: `{"StartAt":"C","States":{
				"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"X1"}],"Default":"X2"},
				"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"X3"}]}}}`,
			want: []diag{
				{"MISSING_TRANSITION_TARGET", "/States/C/Choices[0]/Next"},
				{"MISSING_TRANSITION_TARGET", "/States/C/Default"},
				{"MISSING_TRANSITION_TARGET", "/States/T/Catch[0]/Next"},
				{"MISSING_TRANSITION_TARGET", "/States/T"}, // T is terminal, but nothing leads to it
			},
		},
		{
			name: "unknown state type", // [ls-validation] test_test_state_machine_scenarios
			def:  `{"StartAt":"A","States":{"A":{"Type":"Nope","End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A/Type"}},
			message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these values: " +
				"[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/A/Type'",
		},
		{
			name: "TimeoutSeconds on a Map", // [floci-2735]
			def:  `{"StartAt":"M","States":{"M":{"Type":"Map","TimeoutSeconds":5,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/M"}},
		},
		{
			name: "TimeoutSeconds on a Parallel", // [floci-2735]
			def:  `{"StartAt":"P","States":{"P":{"Type":"Parallel","TimeoutSeconds":5,"Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}],"End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/P"}},
		},
		{
			name: "Catch on a Pass", // [floci-2735]
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"A"}]}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A"}},
		},
		{
			name: "Retry on a Wait", // [floci-2735]
			def:  `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1,"End":true,"Retry":[{"ErrorEquals":["States.ALL"]}]}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A"}},
		},
		{
			name:    "empty Branches", // [ls-validation] test_state_mock_validation
			def:     `{"StartAt":"StateName","States":{"StateName":{"Type":"Parallel","Branches":[],"End":true}}}`,
			want:    []diag{{"SCHEMA_VALIDATION_FAILED", "/States/StateName/Branches"}},
			message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/StateName/Branches'",
		},
		{
			name:    "Wait Timestamp not RFC 3339", // [ls-validation] test_wait
			def:     `{"StartAt":"WaitUntil","States":{"WaitUntil":{"Type":"Wait","Timestamp":"2016-03-14 01:59:00","End":true}}}`,
			want:    []diag{{"SCHEMA_VALIDATION_FAILED", "/States/WaitUntil/Timestamp"}},
			message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at /States/WaitUntil/Timestamp'",
		},
		{
			name: "a .$ field that is neither a path nor an intrinsic", // [ls-validation] test_base_scenarios
			def:  `{"StartAt":"IntrinsicEscape","States":{"IntrinsicEscape":{"Type":"Pass","Parameters":{"parsed.$":"not a path"},"End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/IntrinsicEscape/Parameters"}},
			message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The value for the field 'parsed.$' must be a valid JSONPath " +
				"or a valid intrinsic function call at /States/IntrinsicEscape/Parameters'",
		},
		{
			name:    "Credentials without RoleArn", // [ls-validation] test_credentials_base
			def:     `{"StartAt":"State0","States":{"State0":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Credentials":{},"End":true}}}`,
			want:    []diag{{"SCHEMA_VALIDATION_FAILED", "/States/State0/Credentials"}},
			message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'RoleArn' is required but was missing at /States/State0/Credentials'",
		},
		{
			name: "JSONPath state in a JSONata state machine", // [ls-validation] invalid_downgrade_query_language
			def:  `{"QueryLanguage":"JSONata","StartAt":"Pass","States":{"Pass":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/Pass"}},
		},
		// From the States Language spec; AWS's exact wording unknown.
		{
			name: "unknown field", def: `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Foo":1}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A"}},
		},
		{
			name: "unknown top-level field", def: `{"StartAt":"A","Foo":1,"States":{"A":{"Type":"Succeed"}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/"}},
		},
		{
			name: "neither Next nor End", def: `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A"}},
		},
		{
			name: "both Next and End", def: `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B","End":true},"B":{"Type":"Succeed"}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A"}},
		},
		{
			name: "Task without Resource", def: `{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A"}},
		},
		{
			name: "Resource that is no ARN", def: `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"myFunction","End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A/Resource"}},
		},
		{
			name: "Choice rule without Next", // cfn-lint#4077 quotes AWS: These fields are required: [Next] at /States/Choice/Choices[0]
			def:  `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","StringMatches":"Test"}],"Default":"S"},"S":{"Type":"Succeed"}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/C/Choices[0]"}},
		},
		{
			name: "Choice rule with two operators",
			def:  `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"IsNull":false,"Next":"S"}]},"S":{"Type":"Succeed"}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/C/Choices[0]"}},
		},
		{
			name: "numeric operator with a string operand",
			def:  `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":"1","Next":"S"}]},"S":{"Type":"Succeed"}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/C/Choices[0]/NumericEquals"}},
		},
		{
			name: "Wait with two durations", def: `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/W"}},
		},
		{
			name: "States.ALL not last", // [spec] Retry and Catch: "States.ALL ... MUST appear alone ... in the last"
			def: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true,
				"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["Custom"]}]}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/T/Retry[0]/ErrorEquals"}},
		},
		{
			name: "BackoffRate below 1",
			def: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true,
				"Retry":[{"ErrorEquals":["States.ALL"],"BackoffRate":0.5}]}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/T/Retry[0]/BackoffRate"}},
		},
		{
			name: "ResultPath that is no reference path",
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.a[*]","End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A/ResultPath"}},
		},
		{
			name: "InputPath that is no path", def: `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"a.b","End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A/InputPath"}},
		},
		{
			name: "missing target inside a branch",
			def:  `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Z"},"B":{"Type":"Succeed"}}}]}}}`,
			want: []diag{{"MISSING_TRANSITION_TARGET", "/States/P/Branches[0]/States/A/Next"}, {"MISSING_TRANSITION_TARGET", "/States/P/Branches[0]/States/B"}},
		},
		{
			name: "a branch cannot jump out of itself",
			def:  `{"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Done","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Done"}}}]},"Done":{"Type":"Succeed"}}}`,
			want: []diag{{"MISSING_TRANSITION_TARGET", "/States/P/Branches[0]/States/A/Next"}, {"MISSING_END_STATE", ""}},
		},
		{
			name: "state name used in a branch and outside", // asl-validator#80: names are unique in the whole machine
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","Next":"Final State","ItemProcessor":{"StartAt":"Final State",
				"States":{"Final State":{"Type":"Pass","End":true}}}},"Final State":{"Type":"Pass","End":true}}}`,
			// The second occurrence in document order is reported (AWS's location unknown).
			want: []diag{{"DUPLICATE_STATE_NAME", "/States/Final State"}},
		},
		{
			name: "Map without ItemProcessor", def: `{"StartAt":"M","States":{"M":{"Type":"Map","End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/M"}},
		},
		{
			name: "ItemReader on an inline Map",
			def:  `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemReader":{"Resource":"arn:aws:states:::s3:getObject"},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/M"}},
		},
		{
			name: "InputPath in a JSONata state", def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.x","End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A"}},
		},
		{
			name: "Arguments in a JSONPath state", def: `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{},"End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/A"}},
		},
		{
			name: "HeartbeatSeconds not below TimeoutSeconds",
			def:  `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","TimeoutSeconds":10,"HeartbeatSeconds":10,"End":true}}}`,
			want: []diag{{"SCHEMA_VALIDATION_FAILED", "/States/T/HeartbeatSeconds"}},
		},
		{
			name: "state name over 80 characters",
			def:  `{"StartAt":"` + strings.Repeat("n", 81) + `","States":{"` + strings.Repeat("n", 81) + `":{"Type":"Succeed"}}}`,
			want: []diag{{"INVALID_STATE_NAME", "/States/" + strings.Repeat("n", 81)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.def))
			if diff := cmp.Diff(tt.want, diagnostics(t, err)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nerror: %v", diff, err)
			}
			if tt.message != "" && err.Error() != tt.message {
				t.Errorf("message:\n got %s\nwant %s", err, tt.message)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name, def string
		check     func(t *testing.T, d *Definition)
	}{
		{
			name: "hello world",
			def:  `{"Comment":"hi","StartAt":"Hello","States":{"Hello":{"Type":"Pass","Result":"World","End":true}}}`,
			check: func(t *testing.T, d *Definition) {
				s := d.States["Hello"]
				if d.QueryLanguage != JSONPath || s.Result != "World" || !s.HasResult || !s.End {
					t.Errorf("got %+v", s)
				}
			},
		},
		{
			name: "retry defaults",
			def: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true,
				"Retry":[{"ErrorEquals":["States.Timeout"]},{"ErrorEquals":["States.ALL"],"MaxAttempts":0,"BackoffRate":1.5,"JitterStrategy":"FULL","MaxDelaySeconds":10}]}}}`,
			check: func(t *testing.T, d *Definition) {
				want := []*Retrier{
					{ErrorEquals: []string{"States.Timeout"}, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "NONE"},
					{ErrorEquals: []string{"States.ALL"}, IntervalSeconds: 1, MaxAttempts: 0, BackoffRate: 1.5, JitterStrategy: "FULL", MaxDelaySeconds: 10},
				}
				if diff := cmp.Diff(want, d.States["T"].Retry); diff != "" {
					t.Errorf("Retry (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "null paths",
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":null,"ResultPath":null,"OutputPath":"$.x","End":true}}}`,
			check: func(t *testing.T, d *Definition) {
				s := d.States["A"]
				if diff := cmp.Diff([]*Path{{Null: true}, {Null: true}, {Expr: "$.x"}}, []*Path{s.InputPath, s.ResultPath, s.OutputPath}); diff != "" {
					t.Errorf("paths (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "choice rules",
			def: `{"StartAt":"C","States":{"C":{"Type":"Choice","Default":"S","Choices":[
				{"Not":{"Variable":"$.type","StringEquals":"Private"},"Next":"S"},
				{"And":[{"Variable":"$.value","IsPresent":true},{"Variable":"$.value","NumericGreaterThanEqualsPath":"$.min"}],"Next":"S"}]},
				"S":{"Type":"Succeed"}}}`,
			check: func(t *testing.T, d *Definition) {
				c := d.States["C"].Choices
				if c[0].Not == nil || c[0].Not.Operator != "StringEquals" || c[0].Not.Operand != "Private" ||
					len(c[1].And) != 2 || c[1].And[1].Operator != "NumericGreaterThanEqualsPath" || c[1].And[1].Operand != "$.min" {
					t.Errorf("choices: %+v %+v", c[0], c[1])
				}
			},
		},
		{
			name: "parallel and map nest their own definitions",
			def: `{"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"M","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}]},
				"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":10,"ItemSelector":{"v.$":"$$.Map.Item.Value"},"End":true,
				"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}},
				"ToleratedFailurePercentage":5,"Label":"batch-1"}}}`,
			check: func(t *testing.T, d *Definition) {
				m := d.States["M"]
				if len(d.States["P"].Branches) != 1 || m.ItemProcessor == nil || m.ProcessorMode != "DISTRIBUTED" ||
					m.ExecutionType != "STANDARD" || m.MaxConcurrency != 10 || *m.ToleratedFailurePercentage != 5 || m.Label != "batch-1" {
					t.Errorf("map: %+v", m)
				}
			},
		},
		{
			name: "legacy Iterator and Parameters",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","Parameters":{"x.$":"$$.Map.Item.Value"},"End":true,
				"Iterator":{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}}}}`,
			check: func(t *testing.T, d *Definition) {
				m := d.States["M"]
				if m.ItemProcessor == nil || !m.HasItemSelector || m.HasParameters {
					t.Errorf("map: %+v", m)
				}
			},
		},
		{
			name: "JSONata",
			def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
				"Arguments":{"FunctionName":"f","Payload":"{% $states.input %}"},"Output":"{% $states.result.Payload %}",
				"TimeoutSeconds":"{% $timeout %}","Assign":{"x":1},"Next":"C"},
				"C":{"Type":"Choice","Choices":[{"Condition":"{% $x = 1 %}","Next":"W"}],"Default":"W"},
				"W":{"Type":"Wait","Seconds":"{% 1 %}","End":true}}}`,
			check: func(t *testing.T, d *Definition) {
				a := d.States["A"]
				if a.QueryLanguage != JSONata || !a.HasArguments || a.TimeoutExpr != "{% $timeout %}" || !a.HasAssign ||
					d.States["C"].Choices[0].Condition != "{% $x = 1 %}" || d.States["W"].SecondsExpr != "{% 1 %}" {
					t.Errorf("jsonata: %+v", a)
				}
			},
		},
		{
			name: "numbers stay json.Number",
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"n":12345678901234567890},"End":true}}}`,
			check: func(t *testing.T, d *Definition) {
				if got := d.States["A"].Result.(map[string]any)["n"]; got != json.Number("12345678901234567890") {
					t.Errorf("n = %#v", got)
				}
			},
		},
		{
			name: "states keep their order",
			def:  `{"StartAt":"c","States":{"c":{"Type":"Pass","Next":"a"},"a":{"Type":"Pass","Next":"b"},"b":{"Type":"Succeed"}}}`,
			check: func(t *testing.T, d *Definition) {
				if diff := cmp.Diff([]string{"c", "a", "b"}, d.Order); diff != "" {
					t.Errorf("Order (-want +got):\n%s", diff)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.def))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, d)
		})
	}
}

// TestParseExamples parses every state machine of the examples, which AWS
// accepts (they are deployed with sam deploy).
func TestParseExamples(t *testing.T) {
	files := []string{
		"../../examples/orders/statemachine.asl.json",
		"../../examples/fanout/statemachine.asl.json",
		"../../examples/longrunning/statemachine.asl.json",
		"../../examples/parentchild/parent.asl.json",
		"../../examples/parentchild/child.asl.json",
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data := readFile(t, f)
			if _, err := Parse(data); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	// The examples' definitions use SAM's DefinitionSubstitutions; put ARNs in.
	re := regexp.MustCompile(`\$\{[A-Za-z0-9_.:]+\}`)
	return re.ReplaceAllFunc(data, func(m []byte) []byte {
		if bytes.Contains(m, []byte("Url")) {
			return []byte("https://sqs.us-east-1.amazonaws.com/123456789012/q")
		}
		return []byte("arn:aws:lambda:us-east-1:123456789012:function:f")
	})
}
