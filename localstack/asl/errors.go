package asl

import "strings"

// Diagnostic is one problem found in a definition, as Step Functions'
// ValidateStateMachineDefinition reports it: a code such as
// SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, MISSING_END_STATE,
// DUPLICATE_STATE_NAME or INVALID_JSON_DESCRIPTION, a message, and the
// location as a JSON pointer into the definition ("/States/A/Next"; empty
// where AWS gives none).
type Diagnostic struct {
	Code     string
	Message  string
	Location string
}

// DefinitionError is a definition that Step Functions would refuse. Its
// Error text is the message of the InvalidDefinition error that
// CreateStateMachine returns.
type DefinitionError struct {
	Diagnostics []Diagnostic
}

// Error formats the diagnostics the way CreateStateMachine does:
// Invalid State Machine Definition: 'CODE: message at location, ...'.
func (e *DefinitionError) Error() string {
	var b strings.Builder
	b.WriteString("Invalid State Machine Definition: '")
	for i, d := range e.Diagnostics {
		if i > 0 {
			b.WriteString(", ")
		}
		loc := d.Location
		if loc == "" {
			loc = "null"
		}
		b.WriteString(d.Code + ": " + d.Message + " at " + loc)
	}
	b.WriteString("'")
	return b.String()
}
