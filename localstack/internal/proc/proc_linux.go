package proc

import (
	"os"
	"syscall"
)

// SysProcAttr puts a child process in its own process group, so Close can
// kill everything it started, and asks the kernel to SIGKILL it when the
// thread that started it dies. Pdeathsig follows the thread, not the process,
// which is why the moto launcher also exits on stdin EOF and on a changed parent
// pid; together they leave no orphan even when the test binary panics.
func SysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// KillGroup kills p and, on Linux, its whole process group.
func KillGroup(p *os.Process) {
	// The negative pid addresses the process group created by Setpgid.
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	_ = p.Kill()
}
