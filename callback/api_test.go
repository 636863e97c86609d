package callback

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// TestClientRetries checks, with the real SDK client against a stub server,
// that transient failures are retried by the client's retryer and terminal
// ones are sent exactly once, whatever retryer the client has.
func TestClientRetries(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		code      string
		retryer   func() aws.Retryer // nil: the client's default
		wantCalls int32
		wantGone  bool
	}{
		{name: "throttling retried", status: 400, code: "ThrottlingException", wantCalls: 3},
		{name: "5xx retried", status: 503, code: "ServiceUnavailable", wantCalls: 3},
		{name: "TaskTimedOut not retried", status: 400, code: "TaskTimedOut", wantCalls: 1, wantGone: true},
		{name: "TaskDoesNotExist not retried", status: 400, code: "TaskDoesNotExist", wantCalls: 1, wantGone: true},
		{name: "InvalidToken not retried", status: 400, code: "InvalidToken", wantCalls: 1, wantGone: true},
		{name: "terminal code on a 5xx not retried", status: 500, code: "TaskTimedOut", wantCalls: 1, wantGone: true},
		{
			name: "terminal code not retried by a widened retryer", status: 400, code: "TaskDoesNotExist",
			retryer: func() aws.Retryer {
				return retry.AddWithErrorCodes(retry.NewStandard(fastRetries), "TaskDoesNotExist")
			},
			wantCalls: 1, wantGone: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Content-Type", "application/x-amz-json-1.0")
				w.WriteHeader(tt.status)
				fmt.Fprintf(w, `{"__type":"com.amazonaws.sfn#%s","message":"stub"}`, tt.code)
			}))
			defer srv.Close()
			client := sfn.New(sfn.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(srv.URL),
				Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
				Retryer: func() aws.Retryer {
					if tt.retryer != nil {
						return tt.retryer()
					}
					// The standard retryer with no backoff, so the test is quick.
					return retry.NewStandard(fastRetries)
				}(),
			})
			err := Run(context.Background(), client, tok, func(context.Context) (int, error) { return 1, nil }, WithLogger(discard()))
			var de *DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("Run = %v, want a *DeliveryError", err)
			}
			if got := errors.Is(err, ErrTaskGone); got != tt.wantGone {
				t.Errorf("errors.Is(err, ErrTaskGone) = %v, want %v (err %v)", got, tt.wantGone, err)
			}
			if got := n.Load(); got != tt.wantCalls {
				t.Errorf("%d requests, want %d", got, tt.wantCalls)
			}
		})
	}
}

func noDelay(int, error) (time.Duration, error) { return 0, nil }

func fastRetries(o *retry.StandardOptions) { o.Backoff = retry.BackoffDelayerFunc(noDelay) }
