package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// readyPollInterval is how often WaitReady probes; an endpoint that is about
// to serve is usually up within a few probes.
const readyPollInterval = 100 * time.Millisecond

// WaitReady blocks until the endpoint serves or ctx ends. A real LocalStack is
// ready when /_localstack/health reports every listed service (default: sqs,
// dynamodb, stepfunctions, lambda) as "available" or "running"; moto, which
// serves every service at once, is ready when /moto-api/data.json answers.
// On ctx expiry it returns a [*NotReadyError] naming the endpoint, the
// services still missing and the last probe error; it wraps ctx.Err().
func WaitReady(ctx context.Context, endpoint string, services ...string) error {
	if err := validateEndpoint(endpoint); err != nil {
		return err
	}
	if len(services) == 0 {
		services = defaultServices
	}
	base := strings.TrimRight(endpoint, "/")
	client := &http.Client{Timeout: 2 * time.Second}
	ticker := time.NewTicker(readyPollInterval)
	defer ticker.Stop()
	for {
		missing, err := probe(ctx, client, base, services)
		if err == nil && len(missing) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			} else {
				err = fmt.Errorf("%w (last probe: %v)", ctx.Err(), err)
			}
			return &NotReadyError{Endpoint: endpoint, Missing: missing, Err: err}
		case <-ticker.C:
		}
	}
}

// errNotLocalStack marks a health probe that reached something other than
// LocalStack, so the moto probe decides.
var errNotLocalStack = errors.New("no LocalStack health endpoint")

// probe checks the endpoint once. It returns the services not yet available
// on LocalStack, or an error when neither flavour answered.
func probe(ctx context.Context, client *http.Client, base string, services []string) ([]string, error) {
	missing, err := probeLocalStack(ctx, client, base, services)
	if !errors.Is(err, errNotLocalStack) {
		return missing, err
	}
	status, _, err := get(ctx, client, base+"/moto-api/data.json")
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET /_localstack/health and /moto-api/data.json: HTTP %d", status)
	}
	return nil, nil
}

func probeLocalStack(ctx context.Context, client *http.Client, base string, services []string) ([]string, error) {
	status, body, err := get(ctx, client, base+"/_localstack/health")
	if err != nil {
		return nil, err
	}
	var health struct {
		Services map[string]string `json:"services"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &health) != nil || health.Services == nil {
		return nil, errNotLocalStack
	}
	var missing []string
	for _, s := range services {
		if st := health.Services[s]; st != "available" && st != "running" {
			missing = append(missing, s)
		}
	}
	slices.Sort(missing)
	return missing, nil
}

func get(ctx context.Context, client *http.Client, url string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	// The moto model dump grows with the state; the status is all that
	// matters, so only a bounded prefix is read.
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}
