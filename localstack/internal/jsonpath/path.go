package jsonpath

// Path is a parsed JSONPath expression, such as "$", "$.a.b", "$['a b'][0]",
// "$.items[*].id", "$..x", "$.a[1:3]", "$.a[?(@.price < 10)]" or
// "$$.Execution.Id". A Path is immutable and safe for concurrent use. The
// zero Path is "$".
type Path struct {
	src      string
	context  bool
	toks     []token
	upDef    []bool // Jayway 2.0.0's isUpstreamDefinite, per step
	definite bool
	ref      bool
}

func newPath(src string, context bool, toks []token) *Path {
	n := len(toks)
	// defFrom[i]: steps i and after are all definite.
	defFrom := make([]bool, n+1)
	defFrom[n] = true
	for i := n - 1; i >= 0; i-- {
		defFrom[i] = toks[i].definite() && defFrom[i+1]
	}
	p := &Path{src: src, context: context, toks: toks, upDef: make([]bool, n), definite: defFrom[0], ref: true}
	for i := range toks {
		// Jayway 2.0.0 asks the previous step whether the path is definite
		// from there on, so steps before an earlier ".." do not count.
		p.upDef[i] = toks[i].definite() && (i == 0 || defFrom[i-1])
		t := &toks[i]
		single := (t.kind == kProp && len(t.names) == 1) || (t.kind == kIndex && len(t.idx) == 1)
		if i > 0 && !single {
			p.ref = false
		}
	}
	return p
}

// String returns the expression as given to [Parse].
func (p *Path) String() string {
	if p.src == "" {
		return "$"
	}
	return p.src
}

// Context reports whether the path starts with "$$", that is, addresses the
// context object. The path is evaluated like the same path with one '$'
// less; the caller chooses the document.
func (p *Path) Context() bool { return p.context }

// IsDefinite reports whether the path can select at most one node, as Jayway
// JsonPath decides it: every step is a name (or several names in brackets,
// which Jayway merges into one object when they end the path), a single
// index, negative ones included, or [(@.length-n)]. [Path.Get] returns the
// value of a definite path and a list of matches for any other.
func (p *Path) IsDefinite() bool { return len(p.toks) == 0 || p.definite }

// IsReference reports whether the path is a Reference Path as the States
// Language defines it: only single names, in dot or bracket notation, and
// single integer indexes; no wildcard, slice, union, filter, "..", '@' or
// function. ResultPath, [Path.Set], accepts only reference paths.
func (p *Path) IsReference() bool { return len(p.toks) == 0 || p.ref }
