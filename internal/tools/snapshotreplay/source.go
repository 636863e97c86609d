package main

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// source reads the LocalStack tree: a bare git directory at a revision, or a
// checked-out directory.
type source interface {
	// list returns the paths of the files under prefix, slash-separated and
	// relative to the repository root.
	list(prefix string) ([]string, error)
	read(path string) ([]byte, error)
}

type dirSource struct{ root string }

func (d dirSource) list(prefix string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(d.root, filepath.FromSlash(prefix)), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			rel, err := filepath.Rel(d.root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out, err
}

func (d dirSource) read(path string) ([]byte, error) {
	return os.ReadFile(filepath.Join(d.root, filepath.FromSlash(path)))
}

// gitSource reads blobs through one long-running `git cat-file --batch`.
type gitSource struct {
	gitDir, rev string

	mu  sync.Mutex
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func newGitSource(gitDir, rev string) (*gitSource, error) {
	g := &gitSource{gitDir: gitDir, rev: rev}
	g.cmd = exec.Command("git", "--git-dir", gitDir, "cat-file", "--batch")
	var err error
	if g.in, err = g.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := g.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	g.out = bufio.NewReaderSize(stdout, 1<<20)
	if err := g.cmd.Start(); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *gitSource) close() {
	_ = g.in.Close()
	_ = g.cmd.Wait()
}

func (g *gitSource) list(prefix string) ([]string, error) {
	out, err := exec.Command("git", "--git-dir", g.gitDir, "ls-tree", "-r", "--name-only", g.rev, "--", prefix).Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-tree: %w", err)
	}
	var paths []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" {
			paths = append(paths, l)
		}
	}
	return paths, nil
}

func (g *gitSource) read(path string) ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, err := fmt.Fprintf(g.in, "%s:%s\n", g.rev, path); err != nil {
		return nil, err
	}
	header, err := g.out.ReadString('\n')
	if err != nil {
		return nil, err
	}
	f := strings.Fields(header)
	if len(f) != 3 {
		return nil, fmt.Errorf("%s: %s", path, strings.TrimSpace(header))
	}
	n, err := strconv.Atoi(f[2])
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(g.out, buf); err != nil {
		return nil, err
	}
	return buf[:n], nil
}
