package proc

import (
	"fmt"
	"testing"
)

func TestTailBuffer(t *testing.T) {
	t.Parallel()
	b := NewTail(8)
	for _, s := range []string{"abc", "defgh", "ijk"} {
		fmt.Fprint(b, s)
	}
	if got := b.String(); got != "defghijk" {
		t.Errorf("tail = %q, want the last 8 bytes", got)
	}
}
