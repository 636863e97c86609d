package clock

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// TestVirtualSleepsInOrder: sleepers started together wake in the order of
// their deadlines, at exactly their deadlines, without real waiting.
func TestVirtualSleepsInOrder(t *testing.T) {
	v := NewVirtual(epoch)
	var (
		mu    sync.Mutex
		woken []string
		wg    sync.WaitGroup
	)
	start := v.Busy() // hold time while the sleepers start
	for _, d := range []time.Duration{3 * time.Hour, time.Second, time.Hour, time.Second} {
		done := v.Busy()
		wg.Go(func() {
			defer done()
			if err := v.Sleep(t.Context(), d); err != nil {
				t.Error(err)
			}
			mu.Lock()
			woken = append(woken, d.String()+"@"+v.Now().Sub(epoch).String())
			mu.Unlock()
		})
	}
	start()
	wg.Wait()
	want := []string{"1s@1s", "1s@1s", "1h0m0s@1h0m0s", "3h0m0s@3h0m0s"}
	if diff := cmp.Diff(want, woken); diff != "" {
		t.Errorf("wake order (-want +got):\n%s", diff)
	}
}

// TestVirtualBusyHoldsTime: while work is marked busy, a sleeper does not wake.
func TestVirtualBusyHoldsTime(t *testing.T) {
	v := NewVirtual(epoch)
	hold := v.Busy()
	woke := make(chan struct{})
	go func() {
		done := v.Busy()
		defer done()
		_ = v.Sleep(context.Background(), time.Minute)
		close(woke)
	}()
	select {
	case <-woke:
		t.Fatal("the sleeper woke while the clock was held")
	case <-time.After(50 * time.Millisecond):
	}
	if got := v.Now(); !got.Equal(epoch) {
		t.Errorf("Now = %v while held, want %v", got, epoch)
	}
	hold()
	<-woke
	if got := v.Now(); !got.Equal(epoch.Add(time.Minute)) {
		t.Errorf("Now = %v, want a minute on", got)
	}
}

// TestVirtualAdvance moves time by hand, firing what is due on the way.
func TestVirtualAdvance(t *testing.T) {
	v := NewVirtual(epoch)
	hold := v.Busy()
	defer hold()
	woke := make(chan time.Time, 1)
	go func() {
		done := v.Busy()
		defer done()
		_ = v.Sleep(context.Background(), 10*time.Second)
		woke <- v.Now()
	}()
	for v.pending() == 0 {
		time.Sleep(time.Millisecond)
	}
	v.Advance(5 * time.Second)
	select {
	case <-woke:
		t.Fatal("woke after 5s of a 10s sleep")
	case <-time.After(20 * time.Millisecond):
	}
	v.Advance(time.Minute)
	if got := <-woke; !got.Equal(epoch.Add(time.Minute + 5*time.Second)) {
		t.Errorf("woke at %v", got.Sub(epoch))
	}
}

// TestVirtualSleepCancelled: a cancelled sleep returns ctx.Err() and leaves
// no timer behind.
func TestVirtualSleepCancelled(t *testing.T) {
	v := NewVirtual(epoch)
	hold := v.Busy()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		done := v.Busy()
		defer done()
		errc <- v.Sleep(ctx, time.Hour)
	}()
	for v.pending() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Errorf("Sleep = %v, want context.Canceled", err)
	}
	hold()
	if n := v.pending(); n != 0 {
		t.Errorf("%d timers left", n)
	}
	if got := v.Now(); !got.Equal(epoch) {
		t.Errorf("time moved to %v", got)
	}
}

func TestScaled(t *testing.T) {
	if err := (Scaled{Factor: 0.001}).Sleep(context.Background(), time.Second); err != nil {
		t.Errorf("Sleep = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Scaled{Factor: 1}).Sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("Sleep with a cancelled ctx = %v, want context.Canceled", err)
	}
}

func (v *Virtual) pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.timers)
}

func BenchmarkVirtualSleep(b *testing.B) {
	v := NewVirtual(epoch)
	done := v.Busy()
	defer done()
	for b.Loop() {
		_ = v.Sleep(context.Background(), time.Hour)
	}
}
