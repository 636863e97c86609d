package orders_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/examples/orders"
	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/runtimeapi"
)

// TestWorkflowOnBuiltBootstraps builds every orders function the way
// `sam build` does (CGO_ENABLED=0, -tags lambda.norpc, an executable per
// function; for this machine's GOOS and GOARCH so that it can run here),
// runs each bootstrap under the Runtime API emulator, and runs the workflow
// on them: the main packages, not just the handlers, are what is tested.
func TestWorkflowOnBuiltBootstraps(t *testing.T) {
	em := localstack.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	spec := orders.Stack()
	dir := t.TempDir()
	var pkgs []string
	for _, f := range spec.Functions {
		pkgs = append(pkgs, "./"+f.CodeURI)
	}
	build := exec.CommandContext(ctx, "go", append([]string{"build", "-tags", "lambda.norpc", "-o", dir + "/"}, pkgs...)...)
	build.Dir = "../.."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	runtimes := map[string]lambda.Handler{}
	for _, f := range spec.Functions {
		rt, err := runtimeapi.Start(ctx, filepath.Join(dir, filepath.Base(f.CodeURI)),
			runtimeapi.WithFunction(f.LogicalID), runtimeapi.WithTimeout(30*time.Second))
		if err != nil {
			t.Fatalf("%s: %v", f.LogicalID, err)
		}
		t.Cleanup(func() { rt.Close() })
		runtimes[f.LogicalID] = rt
	}
	dep, err := localdeploy.Deploy(ctx, em, spec, localdeploy.WithPrefix("orders-bootstrap"), localdeploy.WithRoot("../.."),
		localdeploy.WithHandlerWrapper(func(id string, _ lambda.Handler) lambda.Handler { return runtimes[id] }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dep.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})

	input, _ := json.Marshal(orders.SampleOrder("o-bootstrap"))
	ex, err := dep.Run(ctx, "OrdersStateMachine", "o-bootstrap", string(input))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("execution ended %s %s: %s", ex.Status, ex.Error, ex.Cause)
	}
	var s orders.Summary
	if err := json.Unmarshal([]byte(ex.Output), &s); err != nil {
		t.Fatal(err)
	}
	if s.Shipped != 2 || strings.Join(s.Unavailable, ",") != "Refactoring" {
		t.Errorf("summary %+v, want 2 shipped and Refactoring unavailable", s)
	}

	declined := orders.SampleOrder("o-bootstrap-declined")
	declined.Detail.PaymentMethod = "stolenCard"
	input, _ = json.Marshal(declined)
	ex, err = dep.Run(ctx, "OrdersStateMachine", "o-bootstrap-declined", string(input))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "FAILED" || ex.Error != "PaymentDeclined" {
		t.Errorf("declined order ended %s %q, want FAILED PaymentDeclined", ex.Status, ex.Error)
	}
}
