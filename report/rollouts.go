package report

import (
	"fmt"
	"strings"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/internal/textclip"
	"github.com/rlef/rlef/metrics"
	"github.com/rlef/rlef/verdict"
)

// InfraFailure is an episode excluded from every metric because of a
// fault outside the model.
type InfraFailure struct {
	Problem string `json:"problem"`
	Sample  int    `json:"sample"`
	Reason  string `json:"reason"`
}

// Rollouts converts stored episodes to rollouts, one per episode in order.
// An episode is an infrastructure failure, kept as an Infra rollout so the
// metrics count it and listed in the second result, when it records an
// Infra reason, has no turns, or any of its public or final verdicts is
// sandbox_error. A turn without a verdict and without code counts as
// invalid (no code extracted).
func Rollouts(eps []*episode.Episode) ([]metrics.Rollout, []InfraFailure) {
	rs := make([]metrics.Rollout, 0, len(eps))
	var infra []InfraFailure
	for _, e := range eps {
		r := metrics.Rollout{Problem: e.Problem, FinalPassed: e.Passed}
		if reason := infraReason(e); reason != "" {
			r.Infra = true
			infra = append(infra, InfraFailure{Problem: e.Problem, Sample: e.Sample, Reason: reason})
			rs = append(rs, r)
			continue
		}
		r.Turns = make([]metrics.Turn, len(e.Turns))
		for i, t := range e.Turns {
			v := t.Verdict
			if v == "" && strings.TrimSpace(t.Code) == "" {
				v = verdict.Invalid
			}
			r.Turns[i] = metrics.Turn{
				Verdict:          v,
				Code:             t.Code,
				Truncated:        t.Truncated,
				PromptTokens:     t.PromptTokens,
				CompletionTokens: t.CompletionTokens,
				Latency:          t.Latency,
			}
		}
		rs = append(rs, r)
	}
	return rs, infra
}

// infraReason says why e is an infrastructure failure, or "".
func infraReason(e *episode.Episode) string {
	if e.Infra != "" {
		return firstLine(e.Infra)
	}
	if len(e.Turns) == 0 {
		return "no turns recorded"
	}
	for _, t := range e.Turns {
		if t.Verdict.IsInfra() {
			return fmt.Sprintf("sandbox_error on the public tests at turn %d", t.Index)
		}
	}
	for _, s := range e.Final {
		if s.Verdict.IsInfra() {
			return fmt.Sprintf("sandbox_error in the final %q suite", s.Name)
		}
	}
	return ""
}

// firstLine returns the first line of s, cut to 160 characters.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return clip(s, 160)
}

// clip cuts s to at most n characters, marking the cut.
func clip(s string, n int) string {
	if c, cut := textclip.Runes(s, n); cut {
		return c + "…"
	}
	return s
}
