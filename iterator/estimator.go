package iterator

import "time"

// estimator is the learning half of the stopping rule: it predicts how long
// the next step may take from the durations of recent ones. The prediction is
// the longest of the last window steps plus a quarter, so that a step as slow
// as any recent one, or somewhat slower, still fits. A maximum rather than a
// mean is used because running over the deadline loses the whole
// invocation's work, while stopping a step early loses one step's time.
//
// For steps of constant duration d, at most 1.25·d of the budget is left
// unused besides the margin, so the budget is ≥95% used once it holds 25
// steps; widely varying steps need proportionally more.
type estimator struct {
	recent [estimatorWindow]time.Duration
	n      int // recorded durations, up to the window
	next   int // ring index of the next write
}

const estimatorWindow = 32

// seed records a duration learned by an earlier invocation as if observed.
func (e *estimator) seed(d time.Duration) {
	if d > 0 {
		e.observe(d)
	}
}

func (e *estimator) observe(d time.Duration) {
	e.recent[e.next] = d
	e.next = (e.next + 1) % estimatorWindow
	if e.n < estimatorWindow {
		e.n++
	}
}

// longest is the longest recorded duration, 0 with none.
func (e *estimator) longest() time.Duration {
	var m time.Duration
	for _, d := range e.recent[:e.n] {
		m = max(m, d)
	}
	return m
}

// predict is the time to reserve for the next step.
func (e *estimator) predict() time.Duration {
	m := e.longest()
	return m + m/4
}
