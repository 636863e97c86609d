//go:build !linux

package proc

import (
	"os"
	"syscall"
)

// SysProcAttr returns nil outside Linux: there the launcher relies on
// stdin EOF and its parent-pid watch to exit with the test process.
func SysProcAttr() *syscall.SysProcAttr { return nil }

// KillGroup kills p and, on Linux, its whole process group.
func KillGroup(p *os.Process) { _ = p.Kill() }
