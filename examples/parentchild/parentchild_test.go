package parentchild_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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

// isMotoSync2Defect reports the failure moto 5.2.1 gives every
// states:startExecution integration: it passes the task's Parameters to
// boto3 without converting StateMachineArn to stateMachineArn, boto3's
// serializer raises KeyError('StateMachineArn'), and the task fails with
// States.Runtime and that cause.
func isMotoSync2Defect(ex *localstack.Execution) bool {
	if ex.Status != "FAILED" {
		return false
	}
	for _, e := range ex.History {
		if d := e.TaskFailedEventDetails; d != nil && aws.ToString(d.Error) == "States.Runtime" &&
			aws.ToString(d.Cause) == "'StateMachineArn'" {
			return true
		}
	}
	return false
}

// TestWorkflow runs the child state machine once per user, a failing user
// too, and then the parent over all users. The parent needs
// states:startExecution.sync:2, which moto 5.2.1 cannot run (see
// isMotoSync2Defect and the README); on such an emulator the parent's exact
// failure is checked instead of its output.
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
		if isMotoSync2Defect(ex) {
			// What does run is checked: the Map scheduled children with the
			// child's ARN and a per-user name and input. A failed iteration
			// stops the Map, so not every user may have been scheduled.
			t.Logf("the emulator cannot run startExecution.sync:2 (moto defect, see README): %s", ex.Cause)
			scheduled := 0
			for _, e := range ex.History {
				d := e.TaskScheduledEventDetails
				if d == nil || aws.ToString(d.Resource) != "startExecution.sync:2" {
					continue
				}
				var p struct {
					StateMachineArn string
					Name            string
					Input           struct{ UserDetails parentchild.User }
				}
				if err := json.Unmarshal([]byte(aws.ToString(d.Parameters)), &p); err != nil {
					t.Fatal(err)
				}
				if p.StateMachineArn != dep.StateMachineARN("ParentChildChildStateMachine") {
					t.Errorf("child started on %q", p.StateMachineArn)
				}
				var i int
				if _, err := fmt.Sscanf(p.Name, "parent-1-%d", &i); err != nil || i >= len(users) || users[i] != p.Input.UserDetails {
					t.Errorf("child %q started with user %+v", p.Name, p.Input.UserDetails)
				}
				scheduled++
			}
			if scheduled == 0 {
				t.Error("no child execution was scheduled")
			}
			return
		}
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("parent ended %s %s: %s", ex.Status, ex.Error, ex.Cause)
		}
		var got struct {
			Users   int                  `json:"users"`
			Results []parentchild.Result `json:"results"`
		}
		if err := json.Unmarshal([]byte(ex.Output), &got); err != nil {
			t.Fatal(err)
		}
		if got.Users != len(users) || len(got.Results) != len(users) {
			t.Fatalf("parent output %s, want %d results", ex.Output, len(users))
		}
		for i, r := range got.Results {
			if r.UserID != users[i].ID || r.Status != "PROCESSED" {
				t.Errorf("result %d = %+v, want user %s PROCESSED", i, r, users[i].ID)
			}
		}
	})
}
