package localstack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Substitute replaces each ${Name} in an ASL definition with subs[Name], the
// way SAM applies DefinitionSubstitutions (CloudFormation's Fn::Sub syntax);
// ${!Name} yields a literal ${Name}. Names consist of letters, digits, '_',
// '.' and ':' (as in ${AWS::Region} or ${Fn.Arn}); anything else, such as
// JSONPath's $.x and $$.x, is left alone. Every name without a value is
// reported at once in a [*SubstitutionError]; unused entries in subs are
// fine, as in SAM.
func Substitute(definition string, subs map[string]string) (string, error) {
	var (
		b       strings.Builder
		missing []string
	)
	b.Grow(len(definition))
	rest := definition
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i+2:], '}')
		if j < 0 {
			break
		}
		name := rest[i+2 : i+2+j]
		literal, escaped := strings.CutPrefix(name, "!")
		if !isPlaceholderName(literal) {
			// Not a placeholder: keep "${" and scan on after it.
			b.WriteString(rest[:i+2])
			rest = rest[i+2:]
			continue
		}
		b.WriteString(rest[:i])
		switch v, ok := subs[literal]; {
		case escaped:
			b.WriteString("${" + literal + "}")
		case ok:
			b.WriteString(v)
		default:
			missing = append(missing, literal)
		}
		rest = rest[i+3+j:]
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return "", &SubstitutionError{Missing: slices.Compact(missing)}
	}
	b.WriteString(rest)
	return b.String(), nil
}

func isPlaceholderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// stateMachineAPI is the part of the Step Functions client the deploy and
// run helpers use.
type stateMachineAPI interface {
	CreateStateMachine(ctx context.Context, params *sfn.CreateStateMachineInput, optFns ...func(*sfn.Options)) (*sfn.CreateStateMachineOutput, error)
	UpdateStateMachine(ctx context.Context, params *sfn.UpdateStateMachineInput, optFns ...func(*sfn.Options)) (*sfn.UpdateStateMachineOutput, error)
	ListStateMachines(ctx context.Context, params *sfn.ListStateMachinesInput, optFns ...func(*sfn.Options)) (*sfn.ListStateMachinesOutput, error)
	StartExecution(ctx context.Context, params *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(ctx context.Context, params *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	GetExecutionHistory(ctx context.Context, params *sfn.GetExecutionHistoryInput, optFns ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error)
}

var _ stateMachineAPI = (*sfn.Client)(nil)

// DeployStateMachine creates a standard state machine named name from the ASL
// JSON file at aslPath after [Substitute] with subs, and returns its ARN. If
// the state machine exists, its definition is updated instead, so a deploy
// can run twice. An unknown ${Name} fails with a [*SubstitutionError] before
// anything is created.
func DeployStateMachine(ctx context.Context, cfg aws.Config, name, aslPath string, subs map[string]string) (string, error) {
	raw, err := os.ReadFile(aslPath)
	if err != nil {
		return "", fmt.Errorf("localstack: deploy state machine %q: %w", name, err)
	}
	def, err := Substitute(string(raw), subs)
	if err != nil {
		var se *SubstitutionError
		if errors.As(err, &se) {
			se.Path = aslPath
		}
		return "", err
	}
	return deployStateMachine(ctx, sfn.NewFromConfig(cfg), name, def)
}

func deployStateMachine(ctx context.Context, api stateMachineAPI, name, definition string) (string, error) {
	out, err := api.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(name),
		Definition: aws.String(definition),
		RoleArn:    aws.String(stateMachineRole),
		Type:       sfntypes.StateMachineTypeStandard,
	})
	if err == nil {
		return aws.ToString(out.StateMachineArn), nil
	}
	var exists *sfntypes.StateMachineAlreadyExists
	if !errors.As(err, &exists) {
		return "", fmt.Errorf("localstack: create state machine %q: %w", name, err)
	}
	arn, err := findStateMachine(ctx, api, name)
	if err != nil {
		return "", err
	}
	if _, err := api.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{
		StateMachineArn: aws.String(arn),
		Definition:      aws.String(definition),
	}); err != nil {
		return "", fmt.Errorf("localstack: update state machine %q: %w", name, err)
	}
	return arn, nil
}

func findStateMachine(ctx context.Context, api stateMachineAPI, name string) (string, error) {
	p := sfn.NewListStateMachinesPaginator(api, &sfn.ListStateMachinesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("localstack: list state machines: %w", err)
		}
		for _, sm := range page.StateMachines {
			if aws.ToString(sm.Name) == name {
				return aws.ToString(sm.StateMachineArn), nil
			}
		}
	}
	return "", fmt.Errorf("localstack: state machine %q exists but is not listed", name)
}

// Execution is the outcome of [RunExecution]. Status is SUCCEEDED, FAILED,
// TIMED_OUT or ABORTED once finished (RUNNING if ctx ended first); Output is
// set on success, Error and Cause on failure; History holds every event in
// order.
type Execution struct {
	ARN     string
	Status  string
	Output  string
	Error   string
	Cause   string
	History []sfntypes.HistoryEvent
}

// Polling bounds for RunExecution: quick first checks because emulated
// executions often finish in milliseconds, backing off for long ones.
const (
	minExecutionPoll = 10 * time.Millisecond
	maxExecutionPoll = 250 * time.Millisecond
)

// RunExecution starts an execution of the state machine with the given name
// and JSON input, waits until it finishes or ctx ends, and returns its
// status, output, error, cause and full history. The execution is always
// named, because moto mishandles unnamed ones: an empty name becomes a
// unique generated one. A failed execution is not an error: inspect Status.
// When ctx ends first, RunExecution returns what it knows so far together
// with an error wrapping ctx.Err(); the execution keeps running.
func RunExecution(ctx context.Context, cfg aws.Config, stateMachineARN, name, input string) (*Execution, error) {
	return runExecution(ctx, sfn.NewFromConfig(cfg), stateMachineARN, name, input)
}

func runExecution(ctx context.Context, api stateMachineAPI, stateMachineARN, name, input string) (*Execution, error) {
	if name == "" {
		name = "run-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	if input == "" {
		input = "{}"
	}
	start, err := api.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(stateMachineARN),
		Name:            aws.String(name),
		Input:           aws.String(input),
	})
	if err != nil {
		return nil, fmt.Errorf("localstack: start execution %q: %w", name, err)
	}
	ex := &Execution{ARN: aws.ToString(start.ExecutionArn), Status: string(sfntypes.ExecutionStatusRunning)}
	poll := minExecutionPoll
	for {
		d, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
		if err != nil {
			return ex, fmt.Errorf("localstack: describe execution %q: %w", name, err)
		}
		ex.Status = string(d.Status)
		ex.Output, ex.Error, ex.Cause = aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause)
		if d.Status != sfntypes.ExecutionStatusRunning && d.Status != sfntypes.ExecutionStatusPendingRedrive {
			break
		}
		select {
		case <-ctx.Done():
			return ex, fmt.Errorf("localstack: execution %q still %s: %w", name, ex.Status, ctx.Err())
		case <-time.After(poll):
		}
		poll = min(2*poll, maxExecutionPoll)
	}
	p := sfn.NewGetExecutionHistoryPaginator(api, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return ex, fmt.Errorf("localstack: history of execution %q: %w", name, err)
		}
		ex.History = append(ex.History, page.Events...)
	}
	return ex, nil
}
