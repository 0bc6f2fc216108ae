package metrics

import (
	"errors"
	"fmt"
)

// CIMethod chooses what a bootstrap replicate redraws.
type CIMethod string

const (
	// CIAuto uses [CITwoLevel] when some problem has a single usable
	// rollout and [CIWithin] otherwise.
	CIAuto CIMethod = "auto"
	// CIWithin is the paper's bootstrap (App. B.1): the problem set is
	// fixed and each problem's rollouts are redrawn with replacement. It
	// measures the sampling noise of the rollouts only; a problem with a
	// single rollout contributes no width at all.
	CIWithin CIMethod = "within"
	// CITwoLevel is the two-stage (cluster) bootstrap: draw as many
	// problems as there are, with replacement, then redraw each drawn
	// problem's rollouts with replacement. It also covers the choice of
	// problems. With one rollout per problem it is the plain bootstrap
	// over problems; with many it is slightly conservative, because the
	// spread of the problems' observed rates already contains the
	// rollouts' noise once (Davison and Hinkley 1997, §3.8).
	CITwoLevel CIMethod = "two-level"
)

// CIMethods lists the accepted methods.
var CIMethods = []CIMethod{CIAuto, CIWithin, CITwoLevel}

// ErrUnknownCIMethod is returned for a method name that is not one of
// [CIMethods].
var ErrUnknownCIMethod = errors.New("unknown bootstrap method")

// ParseCIMethod returns the method named s ("" is [CIAuto]).
func ParseCIMethod(s string) (CIMethod, error) {
	if s == "" {
		return CIAuto, nil
	}
	for _, m := range CIMethods {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w %q (want auto, within or two-level)", ErrUnknownCIMethod, s)
}

// CIChoice records which bootstrap produced a set of intervals and why.
type CIChoice struct {
	// Requested is the method asked for: auto, within or two-level.
	Requested CIMethod `json:"requested"`
	// Method is the method used: within or two-level.
	Method CIMethod `json:"method"`
	// Problems counts the problems resampled over; SingleRollout those
	// of them with exactly one usable rollout (in either run, for a
	// comparison of two runs).
	Problems      int `json:"problems"`
	SingleRollout int `json:"single_rollout_problems"`
	// Reason explains the choice in one sentence.
	Reason string `json:"reason"`
}

// chooseCI resolves the requested method m (already valid) for problems
// of which single have exactly one rollout.
func chooseCI(m CIMethod, problems, single int) CIChoice {
	c := CIChoice{Requested: m, Method: m, Problems: problems, SingleRollout: single}
	if m == CIAuto {
		c.Method = CIWithin
		if single > 0 {
			c.Method = CITwoLevel
		}
	}
	some := fmt.Sprintf("%d of %d problems have a single rollout", single, problems)
	switch {
	case m == CIAuto && single > 0:
		c.Reason = "two-level bootstrap (problems resampled, then each drawn problem's rollouts), chosen automatically: " + some +
			", and resampling rollouts within problems alone would give them no width (false precision)"
	case m == CIAuto:
		c.Reason = "the paper's bootstrap (each problem's rollouts resampled, problems fixed), chosen automatically because every problem has at least two rollouts; it measures sampling noise only, not the choice of problems"
	case m == CIWithin && single > 0:
		c.Reason = "the paper's bootstrap (each problem's rollouts resampled, problems fixed), as requested; warning: " + some +
			", which contribute no width, so the intervals understate the uncertainty"
	case m == CIWithin:
		c.Reason = "the paper's bootstrap (each problem's rollouts resampled, problems fixed), as requested; it measures sampling noise only, not the choice of problems"
	default:
		c.Reason = "two-level bootstrap (problems resampled, then each drawn problem's rollouts), as requested"
	}
	return c
}
