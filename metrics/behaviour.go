package metrics

import (
	"fmt"
	"slices"

	"github.com/rlef/rlef/verdict"
)

// Category returns the paper's Fig. 3 label of a public-test outcome:
// OUTPUT (wrong_answer), EXCEPTION (runtime_error), TIMEOUT (time_limit),
// OOM (memory_limit), and OUTPUT_LIMIT, COMPILE_ERROR, INVALID, ACCEPTED,
// OK and SANDBOX_ERROR for the rest.
func Category(v verdict.Verdict) string {
	switch v {
	case verdict.WrongAnswer:
		return "OUTPUT"
	case verdict.RuntimeError:
		return "EXCEPTION"
	case verdict.TimeLimit:
		return "TIMEOUT"
	case verdict.MemoryLimit:
		return "OOM"
	case verdict.OutputLimit:
		return "OUTPUT_LIMIT"
	case verdict.CompileError:
		return "COMPILE_ERROR"
	case verdict.Invalid:
		return "INVALID"
	case verdict.Accepted:
		return "ACCEPTED"
	case verdict.OK:
		return "OK"
	case verdict.SandboxError:
		return "SANDBOX_ERROR"
	}
	return string(v)
}

// errorVerdicts returns the failure categories in the order tables list
// them.
func errorVerdicts() []verdict.Verdict {
	return []verdict.Verdict{
		verdict.WrongAnswer, verdict.RuntimeError, verdict.TimeLimit, verdict.MemoryLimit,
		verdict.OutputLimit, verdict.CompileError, verdict.Invalid,
	}
}

// outcomeOrder returns the outcomes every table shows, accepted first.
// Other verdicts (ok, sandbox_error) are appended when they occur.
func outcomeOrder() []verdict.Verdict {
	return append([]verdict.Verdict{verdict.Accepted}, errorVerdicts()...)
}

// VerdictCount is how many responses had one public-test outcome.
type VerdictCount struct {
	Verdict verdict.Verdict `json:"verdict"`
	Label   string          `json:"label"`
	Count   int             `json:"count"`
}

// Transition follows the responses that failed with one category at turn
// t−1 into turn t.
type Transition struct {
	From  verdict.Verdict `json:"from"`
	Label string          `json:"label"`
	// Errors counts responses at turn t−1 with this failure that were
	// followed by a turn t.
	Errors int `json:"errors"`
	// Fixed counts those whose turn-t code passed the public tests.
	Fixed int `json:"fixed"`
	// To is the turn-t outcome of those responses.
	To []VerdictCount `json:"to"`
}

// TurnBehaviour is the public-test behaviour at one turn.
type TurnBehaviour struct {
	Turn int `json:"turn"`
	// Responses counts rollouts that reached this turn.
	Responses int `json:"responses"`
	// Outcomes counts this turn's public-test outcomes.
	Outcomes []VerdictCount `json:"outcomes"`
	// Transitions (from turn 2 on) is the table category(t−1) →
	// outcome(t), one row per failure category.
	Transitions []Transition `json:"transitions,omitempty"`
}

// Behaviour is the paper's Fig. 3 analysis over a set of rollouts.
type Behaviour struct {
	Rollouts int             `json:"rollouts"`
	Turns    []TurnBehaviour `json:"turns"`
}

// AnalyzeBehaviour counts public-test outcomes per turn and, for each turn
// t ≥ 2, how the failures of turn t−1 turned out (the Fig. 3 "errors fixed"
// bars). Infra rollouts are left out.
func AnalyzeBehaviour(rs []Rollout) (Behaviour, error) {
	d, err := prepare(rs)
	if err != nil {
		return Behaviour{}, fmt.Errorf("behaviour: %w", err)
	}
	out := make([]map[verdict.Verdict]int, d.maxTurns)
	trans := make([]map[verdict.Verdict]map[verdict.Verdict]int, d.maxTurns)
	for t := range out {
		out[t] = map[verdict.Verdict]int{}
		trans[t] = map[verdict.Verdict]map[verdict.Verdict]int{}
	}
	for _, p := range d.problems {
		for _, r := range p.rollouts {
			for t, turn := range r.Turns {
				out[t][turn.Verdict]++
				if t == 0 {
					continue
				}
				from := r.Turns[t-1].Verdict
				if trans[t][from] == nil {
					trans[t][from] = map[verdict.Verdict]int{}
				}
				trans[t][from][turn.Verdict]++
			}
		}
	}
	b := Behaviour{Rollouts: d.rollouts, Turns: make([]TurnBehaviour, d.maxTurns)}
	for t := range b.Turns {
		tb := TurnBehaviour{Turn: t + 1, Outcomes: verdictCounts(out[t])}
		for _, vc := range tb.Outcomes {
			tb.Responses += vc.Count
		}
		if t > 0 {
			for _, from := range fromOrder(trans[t]) {
				to := trans[t][from]
				tr := Transition{From: from, Label: Category(from), To: verdictCounts(to)}
				for v, n := range to {
					tr.Errors += n
					if v.Passed() {
						tr.Fixed += n
					}
				}
				tb.Transitions = append(tb.Transitions, tr)
			}
		}
		b.Turns[t] = tb
	}
	return b, nil
}

// verdictCounts lists counts in table order: the standard outcomes always,
// other verdicts only when they occur (in verdict.All order).
func verdictCounts(m map[verdict.Verdict]int) []VerdictCount {
	order := outcomeOrder()
	out := make([]VerdictCount, 0, len(order))
	for _, v := range order {
		out = append(out, VerdictCount{Verdict: v, Label: Category(v), Count: m[v]})
	}
	for _, v := range verdict.All {
		if m[v] > 0 && !slices.Contains(order, v) {
			out = append(out, VerdictCount{Verdict: v, Label: Category(v), Count: m[v]})
		}
	}
	return out
}

// fromOrder lists the turn-(t−1) categories of a transition table: every
// failure category, then any other verdict that was followed by a turn
// (possible only without early stopping).
func fromOrder(m map[verdict.Verdict]map[verdict.Verdict]int) []verdict.Verdict {
	out := errorVerdicts()
	for _, v := range verdict.All {
		if len(m[v]) > 0 && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
