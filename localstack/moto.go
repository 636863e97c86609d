package localstack

import (
	"fmt"
	"strings"
)

// Moto describes the embedded emulator: the moto version the launcher runs
// and every patch in its registry, in the order it ran them. moto is pinned
// (launcher/requirements.txt), and a test asserts the exact patch set for
// the pinned version, so a moto bump is a reviewed change.
type Moto struct {
	// Version is moto's version, for example 5.2.1.
	Version string
	// Patches lists each patch with what became of it.
	Patches []Patch
}

// Patch is one entry of the launcher's patch registry. Each has a check,
// which tells whether the installed moto has the problem it fixes, and an
// apply step; each runs on its own, so one that fails leaves the others be.
type Patch struct {
	// Name names the patch, for example sqs-atomic.
	Name string `json:"name"`
	// Status is "applied"; "skipped" when the installed moto does not need
	// it; "unknown" when its check failed, which never counts as the problem
	// being present; or "failed" when applying it raised.
	Status string `json:"status"`
	// Reason says why a patch was skipped, unknown or failed.
	Reason string `json:"reason,omitempty"`
	// Detail is a setting the patch applied, for example a scale factor.
	Detail string `json:"detail,omitempty"`
}

// Applied returns the names of the applied patches, in order.
func (m Moto) Applied() []string {
	var names []string
	for _, p := range m.Patches {
		if p.Status == "applied" {
			names = append(names, p.Name)
		}
	}
	return names
}

// String summarises m in one line: the version, the applied patches and the
// others with their status.
func (m Moto) String() string {
	if m.Version == "" {
		return "not embedded"
	}
	var others []string
	for _, p := range m.Patches {
		if p.Status != "applied" {
			others = append(others, fmt.Sprintf("%s %s (%s)", p.Name, p.Status, p.Reason))
		}
	}
	s := fmt.Sprintf("moto %s; patches applied: %s", m.Version, strings.Join(m.Applied(), ", "))
	if len(others) > 0 {
		s += "; not applied: " + strings.Join(others, "; ")
	}
	return s
}

// Moto returns the version and patches of the embedded emulator, and the
// zero Moto for an attached endpoint.
func (e *Emulator) Moto() Moto { return e.moto }
