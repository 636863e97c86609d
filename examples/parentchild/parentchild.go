package parentchild

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/lambdakit/lambdakit/examples/stack"
	"github.com/lambdakit/lambdakit/handler"
)

// User is one element of the parent's users list.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// ProcessUserInput is the child's ProcessUser task payload.
type ProcessUserInput struct {
	User User `json:"user"`
}

// Result is what the child returns for one user, and the parent collects.
type Result struct {
	UserID string `json:"userId"`
	Status string `json:"status"`
	// Mailbox is the user's normalised e-mail address.
	Mailbox string `json:"mailbox"`
}

// InvalidUserError reports a user record the child cannot process. It fails
// the child execution, which fails the parent's Map iteration.
type InvalidUserError struct {
	UserID string
	Reason string
}

func (e *InvalidUserError) Error() string {
	return fmt.Sprintf("parentchild: user %q: %s", e.UserID, e.Reason)
}

// ProcessUser processes one user: it validates the record and normalises
// the e-mail address, standing in for whatever per-user work a real child
// would do.
func ProcessUser(ctx context.Context, in ProcessUserInput) (Result, error) {
	u := in.User
	if u.ID == "" {
		return Result{}, &InvalidUserError{Reason: "no id"}
	}
	local, domain, ok := strings.Cut(strings.TrimSpace(u.Email), "@")
	if !ok || local == "" || domain == "" {
		return Result{}, &InvalidUserError{UserID: u.ID, Reason: fmt.Sprintf("e-mail address %q is not valid", u.Email)}
	}
	slog.InfoContext(ctx, "user processed", "user_id", u.ID)
	return Result{UserID: u.ID, Status: "PROCESSED", Mailbox: local + "@" + strings.ToLower(domain)}, nil
}

// NewProcessUser builds the ProcessUser function.
func NewProcessUser(aws.Config, func(string) string) (lambda.Handler, error) {
	return handler.New(ProcessUser, handler.Defaults()...), nil
}

// SampleUsers returns n users for the parent's input, {"users": [...]}.
func SampleUsers(n int) []User {
	users := make([]User, n)
	for i := range users {
		users[i] = User{
			ID:    fmt.Sprintf("u%03d", i+1),
			Name:  fmt.Sprintf("User %d", i+1),
			Email: fmt.Sprintf("user%d@Example.COM", i+1),
		}
	}
	return users
}

// Stack describes the example's resources as template.yaml declares them.
func Stack() stack.Spec {
	return stack.Spec{
		Name: "parentchild",
		Functions: []stack.Function{{
			LogicalID: "ParentChildProcessUserFunction",
			CodeURI:   "examples/parentchild/functions/processuser",
			New:       NewProcessUser,
		}},
		StateMachines: []stack.StateMachine{
			{
				LogicalID:     "ParentChildChildStateMachine",
				DefinitionURI: "examples/parentchild/child.asl.json",
				Substitutions: map[string]stack.Ref{"ProcessUserFunctionArn": stack.ArnOf("ParentChildProcessUserFunction")},
			},
			{
				LogicalID:     "ParentChildParentStateMachine",
				DefinitionURI: "examples/parentchild/parent.asl.json",
				Substitutions: map[string]stack.Ref{"ChildStateMachineArn": stack.NameOf("ParentChildChildStateMachine")},
			},
		},
	}
}
