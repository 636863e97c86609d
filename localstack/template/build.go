package template

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

// buildGo builds the main package in dir the way sam build does for
// Metadata BuildMethod go1.x, an executable named bootstrap, except that it
// targets this machine's OS and architecture, since the Runtime API
// emulator runs it here: CGO_ENABLED=0 go build -tags lambda.norpc. The
// go command comes from PATH.
func buildGo(ctx context.Context, dir, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("template: go build %s: %w\n%s", dir, err, bytes.TrimSpace(buf.Bytes()))
	}
	return nil
}
