package parentchild_test

import (
	"context"
	"fmt"

	"github.com/lambdakit/lambdakit/examples/parentchild"
)

func ExampleProcessUser() {
	r, err := parentchild.ProcessUser(context.Background(), parentchild.ProcessUserInput{
		User: parentchild.User{ID: "u001", Email: "Ann@Example.COM"},
	})
	fmt.Println(r.UserID, r.Status, r.Mailbox, err)
	// Output: u001 PROCESSED Ann@example.com <nil>
}
