package jsonata

import (
	"errors"
	"fmt"
	"strings"

	lib "github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jparse"
)

// SyntaxError reports an expression that does not parse. Step Functions
// rejects such a definition when the state machine is created.
type SyntaxError struct {
	Expr     string // the expression, without {% %}
	Code     string // JSONata error code such as S0201, or "" when unknown
	Msg      string // the parser's message
	Position int    // byte offset in Expr where the parser stopped
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("jsonata: syntax error in %q at %d: %s", e.Expr, e.Position, e.Msg)
}

// EvalError reports an expression that threw during evaluation. Step
// Functions turns it into States.QueryEvaluationError with the cause
// "... threw an error during evaluation. <Code>: <Msg>".
type EvalError struct {
	Expr string
	Code string // JSONata error code such as T1006; "" when the library gives none
	Msg  string // message in the wording of the JavaScript reference, where known
	Err  error  // the underlying error, if any
}

func (e *EvalError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("jsonata: %q: %s", e.Expr, e.Msg)
	}
	return fmt.Sprintf("jsonata: %q: %s: %s", e.Expr, e.Code, e.Msg)
}

func (e *EvalError) Unwrap() error { return e.Err }

// ErrUnsupportedResult is wrapped by the *EvalError returned when an
// expression evaluates to a function, which JSON cannot represent. Step
// Functions words it "returned an unsupported result type".
var ErrUnsupportedResult = errors.New("jsonata: unsupported result type")

// fnError is raised by the functions this package adds; it carries its
// JSONata code through the evaluator.
type fnError struct {
	code, msg string
}

func (e *fnError) Error() string { return e.code + ": " + e.msg }

func argError(fn string, index int) error {
	return &fnError{"T0410", fmt.Sprintf("Argument %d of function %q does not match function signature", index, fn)}
}

// Codes and messages of the JavaScript reference implementation for the
// evaluator's error kinds.
var evalCodes = map[lib.ErrType][2]string{
	lib.ErrNonNumberLHS:       {"T2001", "The left side of the %s operator must evaluate to a number"},
	lib.ErrNonNumberRHS:       {"T2002", "The right side of the %s operator must evaluate to a number"},
	lib.ErrNonIntegerLHS:      {"T2003", "The left side of the range operator (..) must evaluate to an integer"},
	lib.ErrNonIntegerRHS:      {"T2004", "The right side of the range operator (..) must evaluate to an integer"},
	lib.ErrNonComparableLHS:   {"T2010", "The expressions either side of operator %s must evaluate to numeric or string values"},
	lib.ErrNonComparableRHS:   {"T2010", "The expressions either side of operator %s must evaluate to numeric or string values"},
	lib.ErrTypeMismatch:       {"T2009", "The values either side of operator %s must be of the same data type"},
	lib.ErrNonCallable:        {"T1006", "Attempted to invoke a non-function"},
	lib.ErrNonCallableApply:   {"T2006", "The right side of the function application operator ~> must be a function"},
	lib.ErrNonCallablePartial: {"T1008", "Attempted to partially apply a non-function"},
	lib.ErrNumberInf:          {"D1001", "Number out of range"},
	lib.ErrNumberNaN:          {"D1001", "Number out of range"},
	lib.ErrMaxRangeItems:      {"D2014", "The size of the sequence allocated by the range operator (..) must not exceed 1e7"},
	lib.ErrIllegalKey:         {"T1003", "Key in object structure must evaluate to a string"},
	lib.ErrDuplicateKey:       {"D1009", "Multiple key definitions evaluate to same key: %s"},
	lib.ErrIllegalUpdate:      {"T2011", "The insert/update clause of the transform expression must evaluate to an object"},
	lib.ErrIllegalDelete:      {"T2012", "The delete clause of the transform expression must evaluate to a string or array of strings"},
	lib.ErrNonSortable:        {"T2008", "The expressions within an order-by clause must evaluate to numeric or string values"},
	lib.ErrSortMismatch:       {"T2007", "Type mismatch when comparing values in order-by clause"},
}

// evalError translates an evaluator error into an *EvalError.
func evalError(expr string, err error) *EvalError {
	var (
		fe *fnError
		le *lib.EvalError
		ac *lib.ArgCountError
		at *lib.ArgTypeError
	)
	out := &EvalError{Expr: expr, Msg: err.Error(), Err: err}
	switch {
	case errors.As(err, &fe):
		out.Code, out.Msg = fe.code, fe.msg
	case errors.As(err, &le):
		if c, ok := evalCodes[le.Type]; ok {
			out.Code, out.Msg = c[0], c[1]
			if strings.Contains(c[1], "%s") {
				arg := le.Value
				if le.Type == lib.ErrDuplicateKey {
					arg = le.Value
				} else if arg == "" {
					arg = le.Token
				}
				out.Msg = fmt.Sprintf(c[1], arg)
			}
		}
	case errors.As(err, &ac):
		out.Code = "T0410"
		out.Msg = fmt.Sprintf("Argument %d of function %q does not match function signature", min(ac.Expected, ac.Received)+1, ac.Func)
	case errors.As(err, &at):
		out.Code = "T0410"
		out.Msg = fmt.Sprintf("Argument %d of function %q does not match function signature", at.Which+1, at.Func)
	}
	return out
}

// syntaxCodes maps parser error kinds to the reference implementation's codes.
var syntaxCodes = map[jparse.ErrType]string{
	jparse.ErrSyntaxError:        "S0201",
	jparse.ErrUnexpectedEOF:      "S0203",
	jparse.ErrUnexpectedToken:    "S0202",
	jparse.ErrMissingToken:       "S0203",
	jparse.ErrPrefix:             "S0211",
	jparse.ErrInfix:              "S0204",
	jparse.ErrUnterminatedString: "S0101",
	jparse.ErrUnterminatedRegex:  "S0302",
	jparse.ErrUnterminatedName:   "S0105",
	jparse.ErrIllegalEscape:      "S0103",
	jparse.ErrIllegalEscapeHex:   "S0104",
	jparse.ErrNumberRange:        "S0102",
	jparse.ErrEmptyRegex:         "S0301",
	jparse.ErrIllegalAssignment:  "S0212",
	jparse.ErrIllegalParam:       "S0208",
}

func syntaxError(expr string, err error) *SyntaxError {
	out := &SyntaxError{Expr: expr, Msg: err.Error()}
	var pe *jparse.Error
	if errors.As(err, &pe) {
		out.Code = syntaxCodes[pe.Type]
		out.Position = pe.Position
	}
	return out
}
