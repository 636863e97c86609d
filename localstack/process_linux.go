package localstack

import (
	"os"
	"syscall"
)

// childSysProcAttr puts the launcher in its own process group, so Close can
// kill everything it started, and asks the kernel to SIGKILL it when the
// thread that started it dies. Pdeathsig follows the thread, not the process,
// which is why the launcher also exits on stdin EOF and on a changed parent
// pid; together they leave no orphan even when the test binary panics.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(p *os.Process) {
	// The negative pid addresses the process group created by Setpgid.
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	_ = p.Kill()
}
