package metrics

import "fmt"

// Spec names an n@k solve rate: n submissions from a budget of k model
// responses ("each turn counts as a sample") spent on rollouts with turn
// limit T. The estimator's unit is a rollout and the budget buys
// floor(k/T) of them: 1@3 at T=3 is one rollout, 10@100 at T=3 is 33.
// Rollouts that stop early use fewer than T responses, so the budget is
// under-used, as in the paper.
type Spec struct {
	// N is the number of submissions (n).
	N int `json:"n"`
	// K is the sample budget in model responses (k).
	K int `json:"k"`
	// TurnLimit is T, the responses per rollout; 1 for independent
	// single-turn samples.
	TurnLimit int `json:"turn_limit"`
	// Policy chooses the submissions; the zero value is FilterThenFill.
	Policy Policy `json:"policy"`
}

// SingleTurn is n@k over independent single-turn samples (T = 1).
func SingleTurn(n, k int) Spec { return Spec{N: n, K: k, TurnLimit: 1} }

// MultiTurn is n@k over rollouts with turn limit turns.
func MultiTurn(n, k, turns int) Spec { return Spec{N: n, K: k, TurnLimit: turns} }

// Rollouts is the number of rollouts the budget buys: floor(K/TurnLimit).
func (s Spec) Rollouts() int {
	if s.TurnLimit < 1 {
		return 0
	}
	return s.K / s.TurnLimit
}

// String returns "n@k".
func (s Spec) String() string { return fmt.Sprintf("%d@%d", s.N, s.K) }

func (s Spec) validate() error {
	switch {
	case s.N < 1:
		return fmt.Errorf("%v: n must be ≥ 1", s)
	case s.TurnLimit < 1:
		return fmt.Errorf("%v: turn limit %d must be ≥ 1", s, s.TurnLimit)
	case s.Rollouts() < 1:
		return fmt.Errorf("%v: a budget of %d responses buys no rollout of %d turns", s, s.K, s.TurnLimit)
	case !s.Policy.valid():
		return fmt.Errorf("%v: unknown policy %d", s, uint8(s.Policy))
	}
	return nil
}
