package localstack_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/localstack"
)

// TestMain gives the whole test binary (this package's internal and external
// tests) one shared emulator; tests get it with localstack.Shared.
func TestMain(m *testing.M) { localstack.Main(m) }

// unique returns prefix plus a random suffix, so tests sharing the emulator
// (and reruns with -count) never collide on resource names.
func unique(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// assertJSON compares JSON documents by value: emulators differ from AWS in
// whitespace and key order, never in meaning.
func assertJSON(t *testing.T, want, got string) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q: %v", want, err)
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got %q is not JSON: %v", got, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s", diff)
	}
}
