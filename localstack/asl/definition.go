package asl

// The query languages a definition or a state may use.
const (
	JSONPath = "JSONPath"
	JSONata  = "JSONata"
)

// Definition is a parsed and validated state machine (or the body of a
// Parallel branch or a Map's ItemProcessor, which have the same shape).
type Definition struct {
	Comment string
	StartAt string
	// States holds every state of this scope by name; Order lists the names
	// in the order the definition gives them.
	States map[string]*State
	Order  []string
	// TimeoutSeconds is the execution's timeout (top level only); 0 means none.
	TimeoutSeconds int
	Version        string
	// QueryLanguage is JSONPath (the default) or JSONata.
	QueryLanguage string
}

// State is one state. Fields that a state's type does not allow are refused
// by [Parse], so each type uses only its own. Values that the States
// Language evaluates at run time (payload templates, Result, Assign, Output,
// Arguments, Choice operands) are kept as decoded JSON: map[string]any,
// []any, string, json.Number, bool or nil.
type State struct {
	Name string
	// Type is Task, Pass, Choice, Wait, Succeed, Fail, Parallel or Map.
	Type    string
	Comment string
	// QueryLanguage is the state's effective query language: its own, or the
	// definition's.
	QueryLanguage string
	Next          string
	End           bool

	// JSONPath input and output processing. A nil *Path is an absent field
	// (its default, "$", applies); a Path with Null set is an explicit null.
	InputPath, OutputPath, ResultPath *Path
	Parameters, ResultSelector        any
	HasParameters, HasResultSelector  bool

	// Result is a Pass state's result; HasResult tells an absent Result from null.
	Result    any
	HasResult bool

	// JSONata and Variables.
	Arguments, Output, Assign          any
	HasArguments, HasOutput, HasAssign bool

	// Task.
	Resource                                 string
	TimeoutSeconds, HeartbeatSeconds         int    // 0: not set
	TimeoutSecondsPath, HeartbeatSecondsPath string // JSONPath
	TimeoutExpr, HeartbeatExpr               string // JSONata: a {% %} expression
	Credentials                              map[string]any

	// Task, Parallel and Map.
	Retry []*Retrier
	Catch []*Catcher

	// Choice.
	Choices []*ChoiceRule
	Default string

	// Wait: exactly one of these is set (SecondsExpr/TimestampExpr in JSONata).
	Seconds                    *int
	Timestamp                  string
	SecondsPath, TimestampPath string
	SecondsExpr, TimestampExpr string

	// Fail.
	Error, Cause, ErrorPath, CausePath string

	// Parallel.
	Branches []*Definition

	// Map. ItemProcessor is also what the legacy Iterator field gives.
	ItemProcessor                         *Definition
	ProcessorMode                         string // INLINE (default) or DISTRIBUTED
	ExecutionType                         string // DISTRIBUTED only: STANDARD or EXPRESS
	ItemsPath                             string // JSONPath; "" means "$"
	Items                                 any    // JSONata: an array or an expression
	HasItems                              bool
	ItemSelector                          any
	HasItemSelector                       bool
	ItemReader, ItemBatcher, ResultWriter map[string]any
	MaxConcurrency                        int
	MaxConcurrencyPath                    string
	ToleratedFailureCount                 *int
	ToleratedFailurePercentage            *float64
	ToleratedFailureCountPath             string
	ToleratedFailurePercentagePath        string
	Label                                 string
}

// Path is a JSONPath field that may be null: InputPath, OutputPath and
// ResultPath take null to mean "nothing" ({} for input and output, the input
// unchanged for the result).
type Path struct {
	Null bool
	Expr string
}

// Retrier is one entry of a Retry field.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds int     // default 1
	MaxAttempts     int     // default 3; 0 means never retry
	BackoffRate     float64 // default 2.0
	MaxDelaySeconds int     // 0: no cap
	JitterStrategy  string  // FULL or NONE (default)
	Comment         string
}

// Catcher is one entry of a Catch field.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  *Path // JSONPath only; default "$"
	Output      any   // JSONata only
	HasOutput   bool
	Assign      any
	HasAssign   bool
	Comment     string
}

// ChoiceRule is a Choice state's rule, or a rule nested in And, Or or Not.
// A JSONPath rule is either a comparison (Variable, Operator and Operand) or
// a combination (And, Or or Not); a JSONata rule has a Condition instead.
// Next, Comment, Assign and Output are set on top-level rules only.
type ChoiceRule struct {
	Variable string
	// Operator is the comparison's field name, e.g. StringEquals,
	// NumericGreaterThanPath or IsPresent.
	Operator string
	// Operand is the comparison's value: a literal, or a path string for an
	// operator ending in Path.
	Operand any
	And, Or []*ChoiceRule
	Not     *ChoiceRule

	Condition string // JSONata

	Next      string
	Comment   string
	Assign    any
	HasAssign bool
	Output    any
	HasOutput bool
}
