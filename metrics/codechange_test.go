package metrics

import "testing"

func TestCodeChange(t *testing.T) {
	rs := []Rollout{
		{Problem: "a", Turns: []Turn{{Verdict: WA, Code: "abc"}, {Verdict: WA, Code: "abd"}, {Verdict: INV}}},
		{Problem: "a", Turns: []Turn{{Verdict: WA, Code: "x = 1"}, {Verdict: AC, Code: "x=1"}}},
		{Problem: "b", Turns: []Turn{{Verdict: AC, Code: "print(1)"}}},
		{Problem: "b", Infra: true, Turns: []Turn{{Code: "a"}, {Code: "b"}}},
	}
	values, stats, err := CodeChange(rs)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 2 || len(values) != 2 {
		t.Fatalf("%d transitions, want 2", len(stats))
	}
	// 1 → 2: 1 − 7/18 and 0 (white space only).
	c := 1 - 7.0/18
	if stats[0].From != 1 || stats[0].To != 2 || stats[0].Skipped != 0 || stats[0].Change.N != 2 {
		t.Errorf("1→2: %+v", stats[0])
	}
	near(t, "mean", stats[0].Change.Mean, c/2, 1e-12)
	near(t, "median", stats[0].Change.Median, c/2, 1e-12)
	near(t, "q1", stats[0].Change.Q1, c/4, 1e-12)
	near(t, "max", stats[0].Change.Max, c, 1e-12)
	// 2 → 3: the invalid turn has no code.
	if stats[1].Skipped != 1 || stats[1].Change.N != 0 || len(values[1]) != 0 {
		t.Errorf("2→3: %+v", stats[1])
	}
}
