package metrics

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Bootstrap configures percentile-bootstrap confidence intervals.
type Bootstrap struct {
	// Resamples is the number of bootstrap replicates; 0 means 200, the
	// paper's choice.
	Resamples int `json:"resamples"`
	// Seed seeds the PCG source; equal seeds give equal intervals.
	Seed uint64 `json:"seed"`
	// Level is the coverage; 0 means 0.95 (2.5 and 97.5 percentiles).
	Level float64 `json:"level"`
	// Method chooses what a replicate redraws; "" means [CIAuto].
	Method CIMethod `json:"method,omitempty"`
}

// Defaults of [Bootstrap].
const (
	DefaultResamples = 200
	DefaultLevel     = 0.95
)

// normalized fills in defaults and checks the options.
func (b Bootstrap) normalized() (Bootstrap, error) {
	if b.Resamples == 0 {
		b.Resamples = DefaultResamples
	}
	if b.Level == 0 {
		b.Level = DefaultLevel
	}
	if b.Method == "" {
		b.Method = CIAuto
	}
	if _, err := ParseCIMethod(string(b.Method)); err != nil {
		return b, fmt.Errorf("bootstrap: %w", err)
	}
	if b.Resamples < 1 {
		return b, fmt.Errorf("bootstrap: %d resamples, want ≥ 1", b.Resamples)
	}
	if !(b.Level > 0 && b.Level < 1) {
		return b, fmt.Errorf("bootstrap: level %v, want 0 < level < 1", b.Level)
	}
	return b, nil
}

// Random streams, so that different uses of one seed do not share draws.
const (
	streamRollouts  uint64 = 0x5eed_0001
	streamRolloutsB uint64 = 0x5eed_0002
	streamProblems  uint64 = 0x5eed_0003
	streamSignFlip  uint64 = 0x5eed_0004
)

func (b Bootstrap) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(b.Seed, stream))
}

// interval returns the percentile interval of the replicates at b.Level.
func (b Bootstrap) interval(reps []float64) (lo, hi float64) {
	s := slices.Clone(reps)
	slices.Sort(s)
	tail := (1 - b.Level) / 2
	return quantileSorted(s, tail), quantileSorted(s, 1-tail)
}

// Estimate is a point estimate with its confidence interval.
type Estimate struct {
	Value float64 `json:"value"`
	Lo    float64 `json:"ci_lo"`
	Hi    float64 `json:"ci_hi"`
}

// mean is the arithmetic mean of xs (0 for none).
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
