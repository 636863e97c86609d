package localstack_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/localstack"
)

// TestConfig is not parallel: it sets environment variables.
func TestConfig(t *testing.T) {
	tests := []struct {
		name         string
		env          map[string]string
		opts         []localstack.Option
		wantEndpoint string
		wantRegion   string
	}{
		{name: "defaults", wantEndpoint: "http://localhost:4566", wantRegion: "us-east-1"},
		{
			name:         "AWS_ENDPOINT_URL wins over LOCALSTACK_HOST",
			env:          map[string]string{"AWS_ENDPOINT_URL": "http://emu:4567", "LOCALSTACK_HOST": "other:1"},
			wantEndpoint: "http://emu:4567", wantRegion: "us-east-1",
		},
		{
			name:         "LOCALSTACK_HOST is host:port",
			env:          map[string]string{"LOCALSTACK_HOST": "localstack:4566"},
			wantEndpoint: "http://localstack:4566", wantRegion: "us-east-1",
		},
		{
			name:         "AWS_REGION wins over AWS_DEFAULT_REGION",
			env:          map[string]string{"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-central-1"},
			wantEndpoint: "http://localhost:4566", wantRegion: "eu-west-1",
		},
		{
			name:         "AWS_DEFAULT_REGION",
			env:          map[string]string{"AWS_DEFAULT_REGION": "eu-central-1"},
			wantEndpoint: "http://localhost:4566", wantRegion: "eu-central-1",
		},
		{
			name:         "options win over the environment",
			env:          map[string]string{"AWS_ENDPOINT_URL": "http://emu:4567", "AWS_REGION": "eu-west-1"},
			opts:         []localstack.Option{localstack.WithEndpoint("http://127.0.0.1:9/"), localstack.WithRegion("ap-south-1")},
			wantEndpoint: "http://127.0.0.1:9", wantRegion: "ap-south-1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"AWS_ENDPOINT_URL", "LOCALSTACK_HOST", "AWS_REGION", "AWS_DEFAULT_REGION"} {
				t.Setenv(k, tt.env[k])
			}
			cfg, err := localstack.Config(t.Context(), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			got := struct{ Endpoint, Region string }{aws.ToString(cfg.BaseEndpoint), cfg.Region}
			if diff := cmp.Diff(struct{ Endpoint, Region string }{tt.wantEndpoint, tt.wantRegion}, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			creds, err := cfg.Credentials.Retrieve(t.Context())
			if err != nil || creds.AccessKeyID != "test" || creds.SecretAccessKey != "test" {
				t.Errorf("credentials = %+v, %v; want static test credentials", creds, err)
			}
		})
	}
}

func TestConfigRejectsBadEndpoint(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{"localhost:4566", "ftp://x", "http://"} {
		if _, err := localstack.Config(t.Context(), localstack.WithEndpoint(endpoint)); err == nil {
			t.Errorf("Config(WithEndpoint(%q)) succeeded, want an error", endpoint)
		}
	}
}
