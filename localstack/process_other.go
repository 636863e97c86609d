//go:build !linux

package localstack

import (
	"os"
	"syscall"
)

// childSysProcAttr returns nil outside Linux: there the launcher relies on
// stdin EOF and its parent-pid watch to exit with the test process.
func childSysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(p *os.Process) { _ = p.Kill() }
