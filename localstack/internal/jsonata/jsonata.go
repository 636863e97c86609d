package jsonata

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"unicode/utf8"

	lib "github.com/blues/jsonata-go"
)

// Expr is a parsed JSONata expression (the text between {% and %}). It is
// immutable and safe for concurrent use by multiple goroutines, though
// evaluations run one at a time (see libMu).
type Expr struct {
	src  string
	base *lib.Expr // never evaluated itself; Eval works on a copy
}

// Compile parses expr. A malformed expression yields a *SyntaxError.
func Compile(expr string) (*Expr, error) {
	base, err := compile(expr)
	if err != nil {
		return nil, err
	}
	return &Expr{src: expr, base: base}, nil
}

func compile(expr string) (e *lib.Expr, err error) {
	// The library's lexer recurses without end on invalid UTF-8, a stack
	// overflow no recover can catch. Expressions decoded from JSON are always
	// valid UTF-8 (encoding/json substitutes U+FFFD), so nothing is lost.
	if !utf8.ValidString(expr) {
		return nil, &SyntaxError{Expr: expr, Msg: "expression is not valid UTF-8"}
	}
	if pos := bangBeforeNonASCII(expr); pos >= 0 {
		// Same lexer, when '!' precedes a multi-byte rune: it backs up by
		// the wrong width and panics or recurses forever. JSONata has no
		// such token ('!' only begins "!="), so this is a syntax error.
		return nil, &SyntaxError{Expr: expr, Code: "S0204", Msg: "unknown operator: '!'", Position: pos}
	}
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, &SyntaxError{Expr: expr, Msg: fmt.Sprint("parser panic: ", r)}
		}
	}()
	e, err = lib.Compile(expr)
	if err != nil {
		return nil, syntaxError(expr, err)
	}
	return e, nil
}

// String returns the source of the expression.
func (e *Expr) String() string { return e.src }

// Eval evaluates e with input as the context value ($) and vars as
// variables: vars["states"] is $states, vars["x"] is $x. Values are
// documents as encoding/json decodes them with UseNumber, and so is the
// result, with numbers as json.Number in JavaScript's rendering.
//
// Eval returns (value, true, nil); (nil, false, nil) when the result is
// undefined; or an *EvalError. A result that is a function yields an
// *EvalError wrapping [ErrUnsupportedResult]. ctx is checked before
// evaluation starts; the evaluator itself cannot be interrupted.
func (e *Expr) Eval(ctx context.Context, input any, vars map[string]any) (value any, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, &EvalError{Expr: e.src, Msg: err.Error(), Err: err}
	}
	in, err := toInternal(input)
	if err != nil {
		return nil, false, e.wrap(err)
	}
	bound := make(map[string]any, len(vars)+1)
	for name, v := range vars {
		c, err := toInternal(v)
		if err != nil {
			return nil, false, e.wrap(err)
		}
		bound[name] = c
	}
	// Step Functions has no $eval; an invalid value binds it to undefined,
	// so a call fails with T1006 as other unknown functions do.
	bound["eval"] = nil

	x, err := e.private()
	if err != nil {
		return nil, false, e.wrap(err)
	}
	if err := x.RegisterExts(extensions()); err != nil {
		return nil, false, e.wrap(err)
	}
	if err := x.RegisterVars(bound); err != nil {
		return nil, false, &EvalError{Expr: e.src, Msg: "invalid variable name: " + err.Error(), Err: err}
	}
	res, err := run(x, in)
	if errors.Is(err, lib.ErrUndefined) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, evalError(e.src, err)
	}
	out, err := fromInternal(res)
	if err != nil {
		return nil, false, &EvalError{Expr: e.src, Msg: "returned an unsupported result type", Err: ErrUnsupportedResult}
	}
	return out, true, nil
}

// private returns an evaluator whose registry (functions and variables)
// belongs to this evaluation alone. A shallow copy of the base shares its
// registry map, which is only safe while that map is nil: the library fills
// it from its package-level registry, which this module never uses. Should
// some other package fill that, private compiles afresh instead.
func (e *Expr) private() (*lib.Expr, error) {
	if !reflect.ValueOf(e.base).Elem().FieldByName("registry").IsNil() {
		return lib.Compile(e.src)
	}
	x := *e.base
	return &x, nil
}

// libMu serializes evaluations. The library keeps its built-in functions in
// one package-level environment and writes to them on every call (name and
// context, callable.go SetName/SetContext), a data race between concurrent
// evaluations that -race reports. This lock guards that state of the
// library; this package keeps none of its own.
var libMu sync.Mutex

// run evaluates x and turns a panic of the library into an error.
func run(x *lib.Expr, in any) (res any, err error) {
	libMu.Lock()
	defer libMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("evaluator panic: %v", r)
		}
	}()
	return x.Eval(in)
}

func (e *Expr) wrap(err error) *EvalError {
	var ee *EvalError
	if errors.As(err, &ee) {
		ee.Expr = e.src
		return ee
	}
	return &EvalError{Expr: e.src, Msg: err.Error(), Err: err}
}

// bangBeforeNonASCII returns the offset of a '!' that is followed by a
// non-ASCII byte outside string literals and backquoted names, or -1.
func bangBeforeNonASCII(expr string) int {
	var quote byte
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '!' && i+1 < len(expr) && expr[i+1] >= 0x80:
			return i
		}
	}
	return -1
}
