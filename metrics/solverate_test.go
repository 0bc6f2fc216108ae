package metrics

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSolveRateOneAtT(t *testing.T) {
	rs := concat(
		// Problem a: 1 of 4 final answers correct.
		[]Rollout{ro("a", true, WA, AC), ro("a", false, WA, WA, WA), ro("a", false, AC), ro("a", false, RE, TLE, INV)},
		// Problem b: 2 of 2 correct, one despite failing the public tests.
		[]Rollout{ro("b", true, AC), ro("b", true, WA, WA, WA)},
		// Infra rollouts change nothing; problem c has no usable rollout.
		[]Rollout{{Problem: "a", Infra: true}, {Problem: "c", Infra: true}},
	)
	tests := []struct {
		name string
		spec Spec
		want float64
	}{
		// Fraction of correct final answers, averaged over problems.
		{"1@3 fill", MultiTurn(1, 3, 3), (0.25 + 1) / 2},
		// FilterOnly never submits b's second rollout (public tests fail).
		{"1@3 filter", Spec{N: 1, K: 3, TurnLimit: 3, Policy: FilterOnly}, (0.25 + 0.5) / 2},
		// Budget 5 at T=3 still buys one rollout.
		{"1@5", MultiTurn(1, 5, 3), (0.25 + 1) / 2},
		// 1@6 at T=3: two rollouts of a's four. Pairs holding the correct
		// one: with the other public-passing one 1/2, with either failing
		// one 1; the three other pairs 0: (1/2 + 1 + 1)/6 = 5/12. b: 1.
		{"1@6", MultiTurn(1, 6, 3), (5.0/12 + 1) / 2},
	}
	for _, tc := range tests {
		got, err := SolveRate(rs, tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		near(t, tc.name, got, tc.want, 1e-12)
	}
	per, err := SolveRates(rs, MultiTurn(1, 3, 3))
	if err != nil {
		t.Fatal(err)
	}
	if len(per) != 2 {
		t.Fatalf("per-problem = %v, want problems a and b", per)
	}
	near(t, "a", per["a"], 0.25, 1e-12)
	near(t, "b", per["b"], 1, 1e-12)
}

func TestSolveRateTenAtHundred(t *testing.T) {
	// 33 rollouts are drawn from 40; with 10 submissions and exactly one
	// public-passing correct rollout among 5 public-passing ones, every
	// draw that contains it submits it (at most 5 public-passing drawn):
	// P = 33/40.
	rs := concat(
		repeat(1, ro("p", true, WA, AC)),
		repeat(4, ro("p", false, AC)),
		repeat(35, ro("p", false, WA, WA, WA)),
	)
	got, err := SolveRate(rs, MultiTurn(10, 100, 3))
	if err != nil {
		t.Fatal(err)
	}
	near(t, "10@100", got, 33.0/40, 1e-12)

	_, err = SolveRate(rs[:30], MultiTurn(10, 100, 3))
	if err == nil || !strings.Contains(err.Error(), `needs 33 rollouts per problem; problem "p" has 30`) {
		t.Errorf("too few rollouts: error %v", err)
	}
}

func TestSolveRateErrors(t *testing.T) {
	ok := []Rollout{ro("a", true, WA, AC)}
	tests := []struct {
		name string
		rs   []Rollout
		spec Spec
		msg  string
	}{
		{"turn limit", ok, SingleTurn(1, 1), "more than the turn limit 1"},
		{"budget below one rollout", ok, MultiTurn(1, 2, 3), "buys no rollout"},
		{"n", ok, MultiTurn(0, 3, 3), "n must be"},
		{"empty problem", []Rollout{ro("", true, AC)}, SingleTurn(1, 1), "empty problem id"},
		{"no turns", []Rollout{{Problem: "a"}}, SingleTurn(1, 1), "no turns"},
		{"bad verdict", []Rollout{ro("a", true, "bogus")}, SingleTurn(1, 1), `unknown verdict "bogus"`},
		{"only infra", []Rollout{{Problem: "a", Infra: true}}, SingleTurn(1, 1), "no problem has a usable rollout"},
		{"no rollouts", nil, SingleTurn(1, 1), "no problem has a usable rollout"},
	}
	for _, tc := range tests {
		_, err := SolveRate(tc.rs, tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.msg)
		}
	}
}

func TestSpec(t *testing.T) {
	tests := []struct {
		spec     Spec
		rollouts int
		name     string
	}{
		{MultiTurn(1, 3, 3), 1, "1@3"},
		{MultiTurn(10, 100, 3), 33, "10@100"},
		{MultiTurn(10, 100, 5), 20, "10@100"},
		{MultiTurn(10, 100, 10), 10, "10@100"},
		{SingleTurn(10, 100), 100, "10@100"},
		{MultiTurn(1, 2, 3), 0, "1@2"},
	}
	for _, tc := range tests {
		if got := tc.spec.Rollouts(); got != tc.rollouts {
			t.Errorf("%+v.Rollouts() = %d, want %d", tc.spec, got, tc.rollouts)
		}
		if got := tc.spec.String(); got != tc.name {
			t.Errorf("%+v.String() = %q, want %q", tc.spec, got, tc.name)
		}
	}
}

// randomRun builds P problems × K rollouts with per-problem skill, turn
// limit T and early stopping.
func randomRun(P, K, T int, seed uint64) []Rollout {
	rng := rand.New(rand.NewPCG(seed, 7))
	fails := []verdictT{WA, RE, TLE, MLE, INV}
	var rs []Rollout
	for p := range P {
		name := problemName(p)
		skill := rng.Float64() * rng.Float64() // many hard problems
		for range K {
			r := Rollout{Problem: name}
			for t := range T {
				if rng.Float64() < skill*float64(t+1)/2 {
					r.Turns = append(r.Turns, Turn{Verdict: AC, Code: "print(1)"})
					r.FinalPassed = rng.Float64() < 0.7
					break
				}
				r.Turns = append(r.Turns, Turn{Verdict: fails[rng.IntN(len(fails))], Code: "print(0)"})
			}
			rs = append(rs, r)
		}
	}
	return rs
}

func problemName(i int) string {
	const digits = "0123456789"
	return "p" + string(digits[i/100%10]) + string(digits[i/10%10]) + string(digits[i%10])
}

func TestSolveRateOrderIndependent(t *testing.T) {
	rs := randomRun(20, 40, 3, 1)
	spec := MultiTurn(10, 100, 3)
	b := Bootstrap{Seed: 9}
	e1, err := SolveRateCI(rs, spec, b)
	if err != nil {
		t.Fatal(err)
	}
	shuffled := append([]Rollout(nil), rs...)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	e2, err := SolveRateCI(shuffled, spec, b)
	if err != nil {
		t.Fatal(err)
	}
	if e1 != e2 {
		t.Errorf("estimate depends on rollout order: %+v vs %+v", e1, e2)
	}
}
