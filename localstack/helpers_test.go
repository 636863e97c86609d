package localstack_test

import "os/exec"

func execLookPython() (string, error) { return exec.LookPath("python3") }
