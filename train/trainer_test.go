package train

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/model"
	"github.com/rlef/rlef/model/bpe"
	"github.com/rlef/rlef/verdict"
)

// fakeJudge accepts code that prints the problem's expected output
// literally; everything else is a wrong answer.
type fakeJudge struct{}

func (fakeJudge) Judge(ctx context.Context, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	res := &judge.Result{ProblemID: p.ID}
	for _, s := range suites {
		tests := p.Public
		if s.Kind == judge.Private {
			tests = p.PrivateTests()
		}
		sr := judge.SuiteResult{Name: s.Name, Verdict: verdict.Accepted, Total: len(tests)}
		for i, tc := range tests {
			tr := judge.TestResult{Index: i, Input: tc.Input, Expected: tc.Output, Verdict: verdict.Accepted}
			if !strings.Contains(sub.Code, "print("+strings.TrimSpace(tc.Output)+")") {
				tr.Verdict, tr.Actual = verdict.WrongAnswer, "0\n"
				if sr.Verdict == verdict.Accepted {
					sr.Verdict = verdict.WrongAnswer
				}
			} else {
				sr.Passed++
			}
			sr.Tests = append(sr.Tests, tr)
		}
		res.Suites = append(res.Suites, sr)
	}
	return res, nil
}

// tinySetup builds a tokenizer, a policy, its reference and a value
// network, and a trainer on two stdin/stdout problems judged by
// fakeJudge.
func tinySetup(t *testing.T) (*Bundle, Config, *episode.Env, []*dataset.Problem) {
	t.Helper()
	set := &dataset.Set{Name: "tiny", PublicSuite: "public", PrivateSuite: "private"}
	for _, out := range []string{"1", "2"} {
		set.Problems = append(set.Problems, &dataset.Problem{ID: "p" + out, Benchmark: "tiny", Statement: "print " + out, Mode: dataset.ModeStdio,
			Public: []dataset.Test{{Input: "\n", Output: out + "\n"}}, Private: []dataset.Test{{Input: "\n", Output: out + "\n"}}})
	}
	if err := set.BuildIndex(); err != nil {
		t.Fatal(err)
	}
	env := &episode.Env{Set: set, Judge: fakeJudge{}}
	var texts []string
	for _, p := range set.Problems {
		u, _ := episode.InitialPrompt(episode.FamilyCodeContests, p)
		texts = append(texts, u, "```python\nprint(1)\n```", "```python\nprint(2)\n```")
	}
	tok, err := bpe.Train(texts, 300, Specials)
	if err != nil {
		t.Fatal(err)
	}
	mc := model.Config{Vocab: tok.VocabSize(), Context: 160, Dim: 16, Layers: 1, Heads: 2, Head: model.HeadLM}
	pol, err := model.New(mc, 1)
	if err != nil {
		t.Fatal(err)
	}
	b := &Bundle{Tokenizer: tok.Spec(), Policy: pol, PolicyOpt: model.NewAdamW(mc, 0.1), Reference: pol.Clone()}
	b.Value = pol.ValueNetwork(2)
	b.ValueOpt = model.NewAdamW(b.Value.Config, 0.1)
	cfg := Config{Objective: PaperObjective(), Episodes: 6, Minibatches: 2, LR: 1e-3, ValueLR: 1e-3, Warmup: 2, WeightDecay: 0.1, Clip: 1,
		Sampling: Sampling{Temperature: 1, MaxTokens: 12}, Episode: episode.Config{Turns: 2}, Seed: 5, Workers: 3}
	return b, cfg, env, set.Problems
}

func trainerFrom(t *testing.T, b *Bundle, cfg Config, env *episode.Env, ps []*dataset.Problem, iter, updates int) *Trainer {
	t.Helper()
	pol, err := b.LM(cfg.WeightDecay, cfg.Clip)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := NewLM(b.Reference, pol.Chat(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	val, err := b.ValueNet(cfg.WeightDecay, cfg.Clip)
	if err != nil {
		t.Fatal(err)
	}
	return &Trainer{Config: cfg, Policy: pol, Reference: ref, Value: val, Env: env, Problems: ps, Iteration: iter, Updates: updates}
}

func TestTrainerStepsAndResumesExactly(t *testing.T) {
	ctx := context.Background()
	// Run A: three iterations straight.
	b, cfg, env, ps := tinySetup(t)
	a := trainerFrom(t, b, cfg, env, ps, 0, 0)
	var stats []*Stats
	for i := 0; i < 3; i++ {
		s, err := a.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stats = append(stats, s)
	}
	for _, s := range stats {
		if s.Episodes != cfg.Episodes || s.Tokens == 0 || s.Updates == 0 {
			t.Fatalf("stats: %+v", s)
		}
		for _, v := range []float64{s.Return, s.KL, s.ValueLoss, s.PolicyLoss, s.Entropy, s.ExplainedVariance} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite statistic in %+v", s)
			}
		}
		if s.Return < -1.5 || s.Return > 1 {
			t.Fatalf("return %v out of range", s.Return)
		}
	}
	if a.Updates != 3*cfg.Minibatches {
		t.Fatalf("%d updates, want %d", a.Updates, 3*cfg.Minibatches)
	}
	// Run B: one iteration, a checkpoint written and read back (as after
	// a kill), then two more.
	b2, _, _, _ := tinySetup(t)
	tb := trainerFrom(t, b2, cfg, env, ps, 0, 0)
	if _, err := tb.Step(ctx); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rl.ckpt")
	if err := b2.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadBundle(path)
	if err != nil {
		t.Fatal(err)
	}
	tc := trainerFrom(t, loaded, cfg, env, ps, tb.Iteration, tb.Updates)
	for i := 0; i < 2; i++ {
		if _, err := tc.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i := range b.Policy.Params {
		if b.Policy.Params[i] != loaded.Policy.Params[i] {
			t.Fatalf("policy parameter %d differs after a resume: %v vs %v", i, b.Policy.Params[i], loaded.Policy.Params[i])
		}
	}
	for i := range b.Value.Params {
		if b.Value.Params[i] != loaded.Value.Params[i] {
			t.Fatalf("value parameter %d differs after a resume", i)
		}
	}
	// The reference never moves.
	for i := range b.Reference.Params {
		if b.Reference.Params[i] != loaded.Reference.Params[i] {
			t.Fatal("reference policy changed")
		}
	}
}

func TestTrainerAblationsRun(t *testing.T) {
	ctx := context.Background()
	for name, mod := range map[string]func(*Config){
		"token-level value": func(c *Config) { c.Objective.TokenLevelValue = true },
		"single turn":       func(c *Config) { c.Episode.Turns = 1 },
		"no feedback":       func(c *Config) { c.Episode.Feedback = episode.FeedbackNone },
	} {
		t.Run(name, func(t *testing.T) {
			b, cfg, env, ps := tinySetup(t)
			mod(&cfg)
			tr := trainerFrom(t, b, cfg, env, ps, 0, 0)
			s, err := tr.Step(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Episode.Turns == 1 && s.Turns != 1 {
				t.Errorf("single-turn training played %.2f turns per episode", s.Turns)
			}
			if math.IsNaN(s.ValueLoss) || s.Tokens == 0 {
				t.Errorf("stats: %+v", s)
			}
		})
	}
}
