package main

import (
	"path"
	"regexp"
	"strings"
)

// templates maps template class name -> constant name -> repository path of
// the state machine file.
type templates map[string]map[string]string

var (
	classRe    = regexp.MustCompile(`(?m)^class\s+(\w+)`)
	constRe    = regexp.MustCompile(`(?s)\b([A-Z][A-Z0-9_]*)\s*(?::\s*Final\[str\])?\s*=\s*os\.path\.join\(\s*_THIS_FOLDER\s*,((?:\s*"[^"]*"\s*,?)+)\s*\)`)
	strLitRe   = regexp.MustCompile(`"([^"]*)"`)
	importRe   = regexp.MustCompile(`(?s)from\s+[\w.]+\s+import\s+(\([^)]*\)|[^\n]+)`)
	aliasRe    = regexp.MustCompile(`(\w+)(?:\s+as\s+(\w+))?`)
	refRe      = regexp.MustCompile(`\b([A-Za-z_]\w*)\.([A-Z][A-Z0-9_]+)\b`)
	defRe      = regexp.MustCompile(`^(\s*)(?:async\s+)?def\s+(\w+)`)
	idsRe      = regexp.MustCompile(`(?s)ids\s*=\s*\[(.*?)\]`)
	modifyRe   = regexp.MustCompile(`\b(?:template|definition|sm_template|tmpl)\w*(?:\[[^\]\n]+\])+\s*=[^=]|\.replace\(|\.pop\(|\[\s*"Resource"\s*\]\s*=`)
	expressRe  = regexp.MustCompile(`StateMachineType\.EXPRESS|"EXPRESS"`)
	stopExecRe = regexp.MustCompile(`stop_execution|send_task_success|send_task_failure|send_task_heartbeat|redrive_execution`)
)

// parseTemplates reads one template module: each class's constants that name
// a state machine file (.json5 or .json).
func parseTemplates(modulePath string, src string, into templates) {
	dir := path.Dir(modulePath)
	classes := classRe.FindAllStringSubmatchIndex(src, -1)
	for i, c := range classes {
		name := src[c[2]:c[3]]
		end := len(src)
		if i+1 < len(classes) {
			end = classes[i+1][0]
		}
		body := src[c[1]:end]
		for _, m := range constRe.FindAllStringSubmatch(body, -1) {
			var parts []string
			for _, s := range strLitRe.FindAllStringSubmatch(m[2], -1) {
				parts = append(parts, s[1])
			}
			p := path.Join(append([]string{dir}, parts...)...)
			if !strings.HasSuffix(p, ".json5") && !strings.HasSuffix(p, ".json") {
				continue
			}
			if into[name] == nil {
				into[name] = map[string]string{}
			}
			into[name][m[1]] = p
		}
	}
}

// testFunc is one test function of a test module.
type testFunc struct {
	decorators, body string
}

// testModule is a parsed test file.
type testModule struct {
	aliases map[string]string    // name in module -> template class
	funcs   map[string]*testFunc // "Class::test_name" or "test_name"
}

func parseTestModule(src string, tpl templates) *testModule {
	m := &testModule{aliases: map[string]string{}, funcs: map[string]*testFunc{}}
	for c := range tpl {
		m.aliases[c] = c
	}
	for _, im := range importRe.FindAllStringSubmatch(src, -1) {
		for _, a := range aliasRe.FindAllStringSubmatch(strings.Trim(im[1], "()"), -1) {
			if _, ok := tpl[a[1]]; ok && a[2] != "" {
				m.aliases[a[2]] = a[1]
			}
		}
	}
	lines := strings.Split(src, "\n")
	class := ""
	lastEnd := 0 // first line after the previous block
	indentOf := func(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "class ") {
			if c := classRe.FindStringSubmatch(l); c != nil {
				class = c[1]
			}
			lastEnd = i + 1
			continue
		}
		d := defRe.FindStringSubmatch(l)
		if d == nil {
			if strings.TrimSpace(l) != "" && indentOf(l) == 0 && !strings.HasPrefix(l, "@") && !strings.HasPrefix(l, ")") && !strings.HasPrefix(l, "#") {
				class = ""
			}
			continue
		}
		ind := len(d[1])
		if ind == 0 {
			class = ""
		}
		j := i + 1
		for ; j < len(lines); j++ {
			t := strings.TrimSpace(lines[j])
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			if indentOf(lines[j]) <= ind && !strings.HasPrefix(t, ")") {
				break
			}
		}
		// Trailing decorator lines of the next function belong to it.
		end := j
		f := &testFunc{decorators: strings.Join(lines[lastEnd:i], "\n"), body: strings.Join(lines[i:end], "\n")}
		name := d[2]
		if class != "" && ind > 0 {
			name = class + "::" + name
		}
		m.funcs[name] = f
		lastEnd = end
		i = end - 1
	}
	return m
}

// templateRef is a template constant a test names.
type templateRef struct{ class, name, path string }

func (m *testModule) refs(text string, tpl templates) []templateRef {
	var out []templateRef
	seen := map[string]bool{}
	for _, r := range refRe.FindAllStringSubmatch(text, -1) {
		cls, ok := m.aliases[r[1]]
		if !ok {
			continue
		}
		p, ok := tpl[cls][r[2]]
		if !ok {
			continue
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, templateRef{cls, r[2], p})
	}
	return out
}

// resolve finds the one template file the test (with parameter id param)
// runs, or says why not.
func (m *testModule) resolve(fn *testFunc, param string, tpl templates) (string, string) {
	body := m.refs(fn.body, tpl)
	dec := m.refs(fn.decorators, tpl)
	switch {
	case len(body) == 1 && len(dec) == 0:
		return body[0].path, ""
	case len(body) == 0 && len(dec) == 0:
		return "", "no template constant found in test"
	case len(body) > 1:
		return "", "ambiguous: test names several templates"
	}
	// Parametrized over templates: match the parameter id.
	var candidates []templateRef
	if ids := idsRe.FindStringSubmatch(fn.decorators); ids != nil {
		var names []string
		for _, s := range strLitRe.FindAllStringSubmatch(ids[1], -1) {
			names = append(names, s[1])
		}
		if len(names) == len(dec) {
			for i, n := range names {
				if paramHas(param, n) {
					candidates = append(candidates, dec[i])
				}
			}
		}
	}
	if len(candidates) == 0 {
		for _, d := range dec {
			if paramHas(param, d.name) || strings.Contains(param, path.Base(d.path)) {
				candidates = append(candidates, d)
			}
		}
	}
	if len(candidates) == 0 && len(dec) == 1 {
		candidates = dec
	}
	if len(body) == 1 {
		if len(candidates) == 0 || (len(candidates) == 1 && candidates[0].path == body[0].path) {
			if len(candidates) == 0 && len(dec) > 0 {
				return "", "ambiguous: test names several templates"
			}
			return body[0].path, ""
		}
		return "", "ambiguous: test names several templates"
	}
	if len(candidates) != 1 {
		return "", "ambiguous: parametrized template not matched to id"
	}
	return candidates[0].path, ""
}

// paramHas reports whether the pytest id param has id as one of its
// dash-separated parts.
func paramHas(param, id string) bool {
	if param == id {
		return true
	}
	return strings.HasPrefix(param, id+"-") || strings.HasSuffix(param, "-"+id) || strings.Contains(param, "-"+id+"-")
}
