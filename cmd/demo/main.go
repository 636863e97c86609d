// Command demo runs every lambdakit example workflow end to end in the local
// emulator: it starts the embedded emulator (the Step Functions engine and
// moto), deploys each example's resources from the same specs, ASL files and
// substitutions as template.yaml, runs each workflow with sample input,
// prints a summary per
// workflow (status, output, function invocations, checkpoints written, DLQ
// messages) and removes everything again.
//
//	go run ./cmd/demo            # what `make demo` runs
//	go run ./cmd/demo -only orders,pipeline -v
//
// The functions are the examples' Go handlers, hosted in this process behind
// the emulator's lambda:invoke, so the demo needs the embedded emulator; with
// AWS_ENDPOINT_URL set it stops with an explanation (see the README for
// running the examples on LocalStack with `sam deploy`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lambdakit/lambdakit/localstack"
)

func main() {
	var (
		only    = flag.String("only", "", "comma-separated workflows to run (default all): "+strings.Join(scenarioNames(), ","))
		verbose = flag.Bool("v", false, "show the functions' logs and the emulator's")
		timeout = flag.Duration("timeout", 3*time.Minute, "give up after this long")
		root    = flag.String("root", "", "repository root, where template.yaml is (default: found from the working directory)")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := run(ctx, os.Stdout, *only, *verbose, *root); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, only string, verbose bool, root string) error {
	p := newProgress(out)
	if root == "" {
		var err error
		if root, err = findRoot(); err != nil {
			return err
		}
	}
	selected, err := selectScenarios(only)
	if err != nil {
		return err
	}
	if !verbose {
		// The handlers log every failure at error level, and failures are
		// part of the demo; their outcome is in the summary instead.
		slog.SetDefault(slog.New(slog.DiscardHandler))
	}
	for _, v := range []string{"AWS_ENDPOINT_URL", "LOCALSTACK_HOST"} {
		if os.Getenv(v) != "" {
			return fmt.Errorf("%s is set, but the demo hosts the example functions in this process, which needs "+
				"the embedded emulator; unset it, or deploy the examples to LocalStack with sam (see examples/README.md)", v)
		}
	}

	p.printf("starting the embedded emulator (Step Functions engine + moto) on %d cores", runtime.NumCPU())
	var opts []localstack.Option
	if verbose {
		opts = append(opts, localstack.WithLogOutput(os.Stderr))
	}
	em, err := localstack.Start(ctx, opts...)
	if err != nil {
		return err
	}
	defer em.Close()
	p.printf("emulator ready at %s", em.Endpoint())

	results := make([]*result, len(selected))
	var wg sync.WaitGroup
	for i, sc := range selected {
		wg.Go(func() {
			results[i] = runScenario(ctx, em, root, sc, p)
		})
	}
	wg.Wait()

	fmt.Fprintln(out)
	failed := 0
	for _, r := range results {
		r.print(out)
		if r.err != nil || !r.asExpected() {
			failed++
		}
	}
	p.printf("done: %d workflows, %d not as expected; everything deployed has been removed", len(results), failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d workflows did not end as expected", failed, len(results))
	}
	return nil
}

// runScenario deploys one example, runs its workflow and removes it again.
func runScenario(ctx context.Context, em *localstack.Emulator, root string, sc scenario, p *progress) *result {
	r := &result{name: sc.name, summary: sc.summary}
	start := time.Now()
	dep, err := deploy(ctx, em, root, sc)
	if err != nil {
		r.err = fmt.Errorf("deploy: %w", err)
		p.printf("%-12s deploy failed: %v", sc.name, err)
		return r
	}
	p.printf("%-12s deployed: %s", sc.name, describe(dep.Spec))
	runErr := sc.run(ctx, dep, r, func(format string, args ...any) {
		p.printf("%-12s "+format, append([]any{sc.name}, args...)...)
	})
	r.invocations = dep.Invocations()
	if dlq, err := dep.DLQMessages(ctx); err == nil {
		r.dlq = dlq
	} else if runErr == nil {
		runErr = err
	}
	r.err = runErr
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := dep.Close(closeCtx); err != nil && r.err == nil {
		r.err = fmt.Errorf("clean up: %w", err)
	}
	r.elapsed = time.Since(start)
	status := "finished"
	if r.err != nil || !r.asExpected() {
		status = "finished, NOT as expected"
	}
	p.printf("%-12s %s in %s", sc.name, status, r.elapsed.Round(10*time.Millisecond))
	return r
}

// findRoot walks up from the working directory to the directory holding
// template.yaml, so that `go run ./cmd/demo` works from anywhere in the repo.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "template.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("template.yaml not found above the working directory; run from the repository or pass -root")
		}
		dir = parent
	}
}

func selectScenarios(only string) ([]scenario, error) {
	all := scenarios()
	if only == "" {
		return all, nil
	}
	var out []scenario
	for _, name := range strings.Split(only, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(all, func(s scenario) bool { return s.name == name })
		if i < 0 {
			return nil, fmt.Errorf("no workflow %q; there are %s", name, strings.Join(scenarioNames(), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

func scenarioNames() []string {
	var names []string
	for _, s := range scenarios() {
		names = append(names, s.name)
	}
	return names
}

// progress prints timestamped progress lines; it is safe for concurrent use.
type progress struct {
	mu    sync.Mutex
	out   io.Writer
	start time.Time
}

func newProgress(out io.Writer) *progress { return &progress{out: out, start: time.Now()} }

func (p *progress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "[%6.2fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}
