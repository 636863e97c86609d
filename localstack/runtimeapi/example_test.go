//go:build unix

package runtimeapi_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/lambdakit/lambdakit/localstack/runtimeapi"
)

// Start a built bootstrap, which runs its init phase, then invoke it twice;
// both invocations reuse the warm process.
func Example() {
	dir, _ := os.MkdirTemp("", "runtimeapi-example-")
	defer os.RemoveAll(dir)
	bootstrap := filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bootstrap, "./testdata/bootstrap")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Println(err, string(out))
		return
	}

	ctx := context.Background()
	r, err := runtimeapi.Start(ctx, bootstrap, runtimeapi.WithFunction("orders"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	fmt.Println("init ran:", r.InitDuration() > 0)
	for range 2 {
		rep, err := r.InvokeReport(ctx, []byte(`{"op":"echo","value":"hi"}`))
		fmt.Println(string(rep.Response) != "", rep.InitDuration > 0, err)
	}
	// Output:
	// init ran: true
	// true false <nil>
	// true false <nil>
}
