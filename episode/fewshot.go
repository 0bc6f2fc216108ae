package episode

import (
	"context"
	"fmt"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/verdict"
)

// FewShot builds few-shot demonstrations for models that are not
// instruction-tuned (the paper's App. C.3 uses successful 2- and 3-attempt
// trajectories): for each example problem, the initial prompt, a response
// with its known-incorrect solution, the real execution feedback on it,
// and a response with the reference solution. Examples come from the
// problems given (typically the built-in set), never from the evaluated
// benchmark. family selects the templates, so the demonstrations look
// like the task at hand.
func FewShot(ctx context.Context, env *Env, family Family, examples []*dataset.Problem) ([][]llm.Message, error) {
	var out [][]llm.Message
	for _, p := range examples {
		bad := pythonSolutions(p.Incorrect)
		good := pythonSolutions(p.Solutions)
		if len(bad) == 0 || len(good) == 0 || len(p.Public) == 0 {
			continue
		}
		s := NewSession(env, Config{Turns: 2}, p, 0, 0)
		s.family = family
		user, _ := InitialPrompt(family, p)
		s.msgs[0].Content = user
		reply := func(code string) Reply {
			text := "```python\n" + code + "\n```"
			return Reply{Text: text, Answer: text}
		}
		t, err := s.Step(ctx, reply(bad[0].Code))
		if err != nil {
			return nil, fmt.Errorf("few-shot example %s: %w", p.ID, err)
		}
		if t.Verdict == verdict.Accepted || t.Feedback == "" {
			continue // the incorrect solution passes the public tests: no feedback to show
		}
		dialogue := append(s.Messages(), llm.Message{Role: llm.RoleAssistant, Content: reply(good[0].Code).Text})
		out = append(out, dialogue)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no few-shot example could be built from %d problems", len(examples))
	}
	return out, nil
}
