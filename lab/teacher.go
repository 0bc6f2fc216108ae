package lab

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/llm"
)

// Teacher writes the pretraining dialogues: first attempts that guess
// the hidden part and sometimes make realistic mistakes, and later
// attempts that mostly ignore the feedback (they repeat the previous
// reply or try afresh), as instruct models do before RLEF.
type Teacher struct {
	// Per attempt: the probability of forgetting int(), of a syntax
	// error, and of a reply without code.
	NoInt   float64 `json:"no_int"`
	Syntax  float64 `json:"syntax"`
	Invalid float64 `json:"invalid"`
	// After a failed attempt: the probability of repeating it word for
	// word, and of repairing it from the feedback (the rest try afresh).
	Repeat float64 `json:"repeat"`
	Fix    float64 `json:"fix"`
}

// attempt is one reply the teacher writes.
type attempt struct {
	guess   string
	mistake Mistake
	invalid bool
}

func (a attempt) reply(t *Task) string {
	if a.invalid {
		return invalidReplies[len(a.guess)%len(invalidReplies)]
	}
	return "```python\n" + t.Program(a.guess, a.mistake) + "```"
}

func (a attempt) correct(t *Task) bool {
	return !a.invalid && a.mistake == MistakeNone && a.guess == t.Answer
}

var invalidReplies = []string{
	"The answer depends on the hidden value.",
	"I need to know the hidden part to solve this.",
}

func (tc Teacher) fresh(t *Task, rng *rand.Rand) attempt {
	a := attempt{guess: t.Guesses[rng.IntN(len(t.Guesses))]}
	switch r := rng.Float64(); {
	case r < tc.Invalid:
		a.invalid = true
	case r < tc.Invalid+tc.Syntax:
		a.mistake = MistakeSyntax
	case r < tc.Invalid+tc.Syntax+tc.NoInt:
		a.mistake = MistakeNoInt
	}
	return a
}

// next is the attempt after a failed one.
func (tc Teacher) next(t *Task, prev attempt, rng *rand.Rand) attempt {
	switch r := rng.Float64(); {
	case r < tc.Repeat:
		return prev
	case r < tc.Repeat+tc.Fix:
		// What the feedback reveals: a well-formed wrong guess shows the
		// answer; a mistake shows what to repair.
		if prev.invalid {
			return attempt{guess: prev.guess}
		}
		if prev.mistake != MistakeNone {
			return attempt{guess: prev.guess}
		}
		return attempt{guess: t.Answer}
	}
	return tc.fresh(t, rng)
}

// Dialogue is one pretraining conversation: user and assistant messages
// alternating, starting with the problem's prompt.
type Dialogue struct {
	Problem  string        `json:"problem"`
	Messages []llm.Message `json:"messages"`
}

// Dialogues plays the teacher on each task through the real episode
// loop: prompts, code extraction, judging of the public tests in the
// sandbox and the feedback text are those of `rlef eval`. A reply the
// teacher knows to be right, or the last one, ends the dialogue without
// being judged (its verdict is not needed).
//
// done, when not nil, is called with the number of dialogues finished.
func (tc Teacher) Dialogues(ctx context.Context, env *episode.Env, tasks []*Task, turns int, seed uint64, workers int, done func(int)) ([]Dialogue, error) {
	out := make([]Dialogue, len(tasks))
	errs := make([]error, len(tasks))
	var finished atomic.Int64
	var wg sync.WaitGroup
	jobs := make(chan int)
	for w := 0; w < max(workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				rng := rand.New(rand.NewPCG(seed, uint64(i)))
				out[i], errs[i] = tc.dialogue(ctx, env, tasks[i], turns, rng)
				if n := finished.Add(1); done != nil {
					done(int(n))
				}
			}
		}()
	}
	for i := range tasks {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, errors.Join(errs...)
}

func (tc Teacher) dialogue(ctx context.Context, env *episode.Env, t *Task, turns int, rng *rand.Rand) (Dialogue, error) {
	s := episode.NewSession(env, episode.Config{Turns: turns}, t.Problem, 0, rng.Uint64())
	d := Dialogue{Problem: t.Problem.ID, Messages: s.Messages()}
	a := tc.fresh(t, rng)
	for k := 1; ; k++ {
		text := a.reply(t)
		d.Messages = append(d.Messages, llm.Message{Role: llm.RoleAssistant, Content: text})
		if k == turns || a.correct(t) {
			return d, nil
		}
		turn, err := s.Step(ctx, episode.Reply{Text: text, Answer: text})
		if err != nil {
			return d, fmt.Errorf("teacher on %s: %w", t.Problem.ID, err)
		}
		if s.Done() {
			// It passed the public tests after all (a lucky mistake).
			return d, nil
		}
		d.Messages = append(d.Messages, llm.Message{Role: llm.RoleUser, Content: turn.Feedback})
		a = tc.next(t, a, rng)
	}
}

// CachingJudge remembers verdicts by problem, suites and code, so that
// the many identical programs of the pretraining data run once. Only
// deterministic programs belong behind it.
type CachingJudge struct {
	Inner episode.Judger

	mu    sync.Mutex
	cache map[[32]byte]*judge.Result
	// Hits and Misses count lookups.
	Hits, Misses int
}

// Judge implements episode.Judger.
func (c *CachingJudge) Judge(ctx context.Context, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%v\x00%d\x00", sub.Language, sub.Code, p.Checker, p.TimeLimit, p.MemoryLimit)
	for _, s := range suites {
		fmt.Fprintf(h, "%s\x00%d\x00%v\x00%v\x00", s.Name, s.Kind, s.Indices, s.StopOnFailure)
		tests := p.Public
		if s.Kind == judge.Private {
			tests = p.PrivateTests()
		}
		for _, x := range tests {
			fmt.Fprintf(h, "%q\x00%q\x00", x.Input, x.Output)
		}
	}
	var key [32]byte
	h.Sum(key[:0])
	c.mu.Lock()
	if c.cache == nil {
		c.cache = map[[32]byte]*judge.Result{}
	}
	r, ok := c.cache[key]
	if ok {
		c.Hits++
	} else {
		c.Misses++
	}
	c.mu.Unlock()
	if ok {
		return r, nil
	}
	r, err := c.Inner.Judge(ctx, p, sub, suites...)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.cache[key] = r
	c.mu.Unlock()
	return r, nil
}
