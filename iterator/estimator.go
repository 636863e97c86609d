package iterator

import (
	"math"
	"time"
)

// estimator is the learning half of the stopping rule: it predicts how long
// the next step may take from the durations of earlier ones. It keeps a
// decaying peak: the longest step seen, shrinking by half every
// estimatorHalfLife steps unless a step as long comes again; the prediction
// is that peak plus a quarter. A peak rather than a mean or a quantile is
// used because running over the deadline loses the whole invocation's work,
// while stopping early loses at most one step's time; the decay lets the
// estimate come down when steps get faster, and slowly enough that a rare
// slow step (one in a hundred) stays remembered between occurrences.
//
// For steps of constant duration d, at most 1.25·d of the budget is left
// unused besides the margin, so the budget is ≥95% used once it holds 25
// steps; widely varying steps need proportionally more.
type estimator struct {
	peak float64 // nanoseconds
}

// estimatorHalfLife is the number of steps over which the peak halves.
const estimatorHalfLife = 128

var estimatorDecay = math.Exp2(-1.0 / estimatorHalfLife)

// seed starts from a peak learned by an earlier invocation.
func (e *estimator) seed(d time.Duration) {
	e.peak = max(e.peak, float64(d))
}

func (e *estimator) observe(d time.Duration) {
	e.peak = max(float64(d), e.peak*estimatorDecay)
}

// longest is the current peak, the value to carry to the next invocation.
func (e *estimator) longest() time.Duration { return time.Duration(e.peak) }

// predict is the time to reserve for the next step.
func (e *estimator) predict() time.Duration { return time.Duration(e.peak * 1.25) }
