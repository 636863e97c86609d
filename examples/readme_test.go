package examples_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestReadmeSnippetsCompile builds the README's quick start and vets its test
// snippet exactly as printed, so a newcomer who pastes them gets code that
// compiles.
func TestReadmeSnippetsCompile(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(readme, -1)
	var mainSrc, testSrc []byte
	for _, b := range blocks {
		switch {
		case regexp.MustCompile(`^package main\n`).Match(b[1]):
			mainSrc = b[1]
		case regexp.MustCompile(`^package \w+_test\n`).Match(b[1]):
			testSrc = b[1]
		}
	}
	if mainSrc == nil || testSrc == nil {
		t.Fatal("README.md has no complete quick start (package main) or test snippet (package x_test)")
	}
	// Inside the module, so the snippets resolve lambdakit from this tree.
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, ".build"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(filepath.Join(root, ".build"), "readme-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for name, src := range map[string][]byte{"quickstart/main.go": mainSrc, "checkout/checkout_test.go": testSrc} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "vet", "./quickstart", "./checkout")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README snippets do not compile: %v\n%s", err, out)
	}
}
