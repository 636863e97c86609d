package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestDemo runs what `make demo` runs and checks that every workflow ended
// as expected and that the summary names each of them.
func TestDemo(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("LOCALSTACK_HOST", "")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, &out, "", false, "../..")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, name := range scenarioNames() {
		if !strings.Contains(out.String(), "== "+name+" (as expected") {
			t.Errorf("the summary does not show %s as expected:\n%s", name, out.String())
		}
	}
	if !strings.Contains(out.String(), "everything deployed has been removed") {
		t.Errorf("no clean-up line:\n%s", out.String())
	}
}

func TestSelectScenarios(t *testing.T) {
	tests := []struct {
		only    string
		want    string
		wantErr bool
	}{
		{only: "", want: strings.Join(scenarioNames(), ",")},
		{only: "orders, pipeline", want: "orders,pipeline"},
		{only: "nope", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.only, func(t *testing.T) {
			got, err := selectScenarios(tt.only)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %t", err, tt.wantErr)
			}
			var names []string
			for _, s := range got {
				names = append(names, s.name)
			}
			if strings.Join(names, ",") != tt.want {
				t.Errorf("got %v, want %s", names, tt.want)
			}
		})
	}
}
