package parentchild_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/examples/parentchild"
	"github.com/lambdakit/lambdakit/localstack"
)

func TestMain(m *testing.M) { localstack.Main(m) }

func TestProcessUser(t *testing.T) {
	tests := []struct {
		name    string
		user    parentchild.User
		want    parentchild.Result
		wantErr bool
	}{
		{name: "normalises the domain", user: parentchild.User{ID: "u1", Email: " Ann@Example.COM "}, want: parentchild.Result{UserID: "u1", Status: "PROCESSED", Mailbox: "Ann@example.com"}},
		{name: "no id", user: parentchild.User{Email: "a@b.c"}, wantErr: true},
		{name: "bad e-mail", user: parentchild.User{ID: "u2", Email: "nobody"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parentchild.ProcessUser(context.Background(), parentchild.ProcessUserInput{User: tt.user})
			var invalid *parentchild.InvalidUserError
			if tt.wantErr != errors.As(err, &invalid) {
				t.Fatalf("err = %v, want an InvalidUserError: %t", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWorkflow runs the child state machine once per user, a failing user
// too, and then the parent over all users, whose children run through
// states:startExecution.sync:2, and over a list with an invalid
// user, whose failed child fails the parent.
func TestWorkflow(t *testing.T) {
	em := localstack.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dep, err := localdeploy.Deploy(ctx, em, parentchild.Stack(), localdeploy.WithPrefix("parentchild-e2e"), localdeploy.WithRoot("../.."))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dep.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	users := parentchild.SampleUsers(3)

	t.Run("child per user", func(t *testing.T) {
		for i, u := range users {
			input, _ := json.Marshal(map[string]any{"UserDetails": u})
			ex, err := dep.Run(ctx, "ParentChildChildStateMachine", fmt.Sprintf("child-%d", i), string(input))
			if err != nil {
				t.Fatal(err)
			}
			if ex.Status != "SUCCEEDED" {
				t.Fatalf("child for %s ended %s %s: %s", u.ID, ex.Status, ex.Error, ex.Cause)
			}
			var got parentchild.Result
			if err := json.Unmarshal([]byte(ex.Output), &got); err != nil {
				t.Fatal(err)
			}
			want := parentchild.Result{UserID: u.ID, Status: "PROCESSED", Mailbox: fmt.Sprintf("user%d@example.com", i+1)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("child output (-want +got):\n%s", diff)
			}
		}
	})

	t.Run("child with an invalid user fails", func(t *testing.T) {
		ex, err := dep.Run(ctx, "ParentChildChildStateMachine", "child-invalid", `{"UserDetails":{"id":"u9","email":"nobody"}}`)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status != "FAILED" || ex.Error != "InvalidUserError" {
			t.Fatalf("execution ended %s %q, want FAILED InvalidUserError", ex.Status, ex.Error)
		}
	})

	t.Run("parent", func(t *testing.T) {
		input, _ := json.Marshal(map[string]any{"users": users})
		ex, err := dep.Run(ctx, "ParentChildParentStateMachine", "parent-1", string(input))
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("parent ended %s %s: %s", ex.Status, ex.Error, ex.Cause)
		}
		type output struct {
			Users   int                  `json:"users"`
			Results []parentchild.Result `json:"results"`
		}
		want := output{Users: len(users)}
		for i, u := range users {
			want.Results = append(want.Results, parentchild.Result{UserID: u.ID, Status: "PROCESSED", Mailbox: fmt.Sprintf("user%d@example.com", i+1)})
		}
		var got output
		if err := json.Unmarshal([]byte(ex.Output), &got); err != nil {
			t.Fatalf("parent output %q: %v", ex.Output, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("parent output (-want +got):\n%s", diff)
		}

		// Each child ran under the name the parent gave it, with its user
		// and the link back to the parent.
		sfnc := sfn.NewFromConfig(em.AWSConfig())
		for i, u := range users {
			arn := strings.Replace(dep.StateMachineARN("ParentChildChildStateMachine"), ":stateMachine:", ":execution:", 1) + fmt.Sprintf(":parent-1-%d", i)
			d, err := sfnc.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
			if err != nil {
				t.Fatalf("child %d: %v", i, err)
			}
			var in struct {
				UserDetails parentchild.User
				StartedBy   string `json:"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(d.Input)), &in); err != nil {
				t.Fatalf("child %d input %q: %v", i, aws.ToString(d.Input), err)
			}
			if in.UserDetails != u || in.StartedBy != ex.ARN || d.Status != sfntypes.ExecutionStatusSucceeded {
				t.Errorf("child %d ran %s with %+v started by %q, want SUCCEEDED with %+v started by %q", i, d.Status, in.UserDetails, in.StartedBy, u, ex.ARN)
			}
		}
	})

	t.Run("parent with an invalid user fails", func(t *testing.T) {
		input, _ := json.Marshal(map[string]any{"users": []parentchild.User{users[0], {ID: "u9", Email: "nobody"}}})
		ex, err := dep.Run(ctx, "ParentChildParentStateMachine", "parent-invalid", string(input))
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status != "FAILED" || ex.Error != "States.TaskFailed" {
			t.Fatalf("parent ended %s %q (%s), want FAILED States.TaskFailed", ex.Status, ex.Error, ex.Cause)
		}
		// The cause is the failed child's DescribeExecution.
		var cause struct{ Status, Error string }
		if err := json.Unmarshal([]byte(ex.Cause), &cause); err != nil {
			t.Fatalf("cause %q: %v", ex.Cause, err)
		}
		if cause.Status != "FAILED" || cause.Error != "InvalidUserError" {
			t.Errorf("cause = %+v, want the child FAILED with InvalidUserError", cause)
		}
	})
}
