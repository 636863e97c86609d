package localstack_test

import (
	"context"
	"fmt"

	"github.com/lambdakit/lambdakit/localstack"
)

// Config builds clients for an emulator without any I/O: the endpoint and
// region come from options or the environment, the credentials are static
// test ones.
func ExampleConfig() {
	cfg, err := localstack.Config(context.Background(),
		localstack.WithEndpoint("http://127.0.0.1:4566"), localstack.WithRegion("eu-west-1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	creds, _ := cfg.Credentials.Retrieve(context.Background())
	fmt.Println(*cfg.BaseEndpoint, cfg.Region, creds.AccessKeyID)
	// Output:
	// http://127.0.0.1:4566 eu-west-1 test
}
