package asl

import (
	"errors"
	"testing"
)

// FuzzParse: no definition makes Parse panic, and every refusal is a
// *DefinitionError with at least one diagnostic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `[]`, `null`, `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`,
		`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.a","IsPresent":true}],"Next":"S"}]},"S":{"Type":"Succeed"}}}`,
		`{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}]}}}`,
		`{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}}}}`,
		`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err == nil {
			if d == nil || d.States[d.StartAt] == nil {
				t.Fatalf("accepted a definition without its StartAt state: %s", data)
			}
			return
		}
		var de *DefinitionError
		if !errors.As(err, &de) || len(de.Diagnostics) == 0 {
			t.Fatalf("err = %v, want a *DefinitionError with diagnostics", err)
		}
	})
}
