// Package clock is the time source of the test bed's Step Functions engine:
// real time, real time scaled, or virtual time that tests control, so that a
// one-hour Wait, a Retry back-off or a heartbeat timeout completes at once
// and always in the same order.
//
// Virtual time moves only when nothing is running: the engine marks the work
// it does with [Clock.Busy] (a state's computation, a Lambda handler), and
// whenever no work is marked and a timer is pending, the clock jumps to the
// earliest timer and fires it. A test that must act before time moves on
// (answer a task token before its heartbeat times out) holds the clock with
// Busy as well, or moves it itself with [Virtual.Advance].
package clock

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Clock tells the time and sleeps. Implementations are safe for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx is done (returning ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
	// Busy marks work in progress until the returned func is called: virtual
	// time does not move meanwhile. Real clocks ignore it.
	Busy() (done func())
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx is done.
func (Real) Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d) }

// Busy does nothing: real time moves anyway.
func (Real) Busy() func() { return func() {} }

// Scaled is the wall clock with every sleep multiplied by Factor (0.01 makes
// a 10 s Wait take 100 ms). Now reports wall time.
type Scaled struct{ Factor float64 }

// Now returns time.Now().
func (Scaled) Now() time.Time { return time.Now() }

// Sleep waits for d scaled, or until ctx is done.
func (s Scaled) Sleep(ctx context.Context, d time.Duration) error {
	return sleep(ctx, time.Duration(float64(d)*s.Factor))
}

// Busy does nothing.
func (Scaled) Busy() func() { return func() {} }

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Virtual is a clock whose time moves only as described in the package
// documentation. The zero value is not usable; call [NewVirtual].
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	busy   int
	timers timerHeap
	seq    int // orders timers due at the same instant by creation
}

// NewVirtual returns a virtual clock that starts at start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Sleep waits until the virtual time has moved d past now, or until ctx is
// done. Call it while busy: the sleeper gives its mark up while it waits, so
// time may jump, and has it back when Sleep returns; the clock takes it on
// the sleeper's behalf as it fires the timer, so no other timer fires before
// the woken sleeper has run.
func (v *Virtual) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	v.mu.Lock()
	t := &timer{at: v.now.Add(d), seq: v.seq, fired: make(chan struct{})}
	v.seq++
	heap.Push(&v.timers, t)
	v.busy--
	v.fireLocked()
	v.mu.Unlock()
	select {
	case <-t.fired:
		return nil
	case <-ctx.Done():
		v.mu.Lock()
		defer v.mu.Unlock()
		select {
		case <-t.fired: // it fired meanwhile, and took the mark back for us
			return nil
		default:
		}
		heap.Remove(&v.timers, t.index)
		v.busy++
		return ctx.Err()
	}
}

// Busy marks work in progress; time does not move until every mark is done.
func (v *Virtual) Busy() func() {
	v.mu.Lock()
	v.busy++
	v.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			v.mu.Lock()
			v.busy--
			v.fireLocked()
			v.mu.Unlock()
		})
	}
}

// Advance moves the virtual time forward by d, firing the timers due on the
// way, in order, whether or not work is marked busy.
func (v *Virtual) Advance(d time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	end := v.now.Add(d)
	for len(v.timers) > 0 && !v.timers[0].at.After(end) {
		v.fireNextLocked()
	}
	v.now = end
}

// fireLocked fires the earliest timer, and every other timer due at the
// same instant, when nothing is busy.
func (v *Virtual) fireLocked() {
	if v.busy > 0 || len(v.timers) == 0 {
		return
	}
	v.fireNextLocked()
	for len(v.timers) > 0 && !v.timers[0].at.After(v.now) {
		v.fireNextLocked()
	}
}

// fireNextLocked moves the time to the earliest timer and wakes its
// sleeper, marking it busy.
func (v *Virtual) fireNextLocked() {
	t := heap.Pop(&v.timers).(*timer)
	if t.at.After(v.now) {
		v.now = t.at
	}
	v.busy++
	close(t.fired)
}

type timer struct {
	at    time.Time
	seq   int
	index int
	fired chan struct{}
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
