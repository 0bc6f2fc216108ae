package llm_test

import (
	"context"
	"fmt"
	"log"

	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/llm/llmtest"
)

// A reasoning model behind a fake vLLM server: the profile sets R1's
// sampling defaults, folds the system prompt into the user turn, and
// splits the reasoning off the answer.
func Example() {
	srv := llmtest.New(llmtest.WithModels("deepseek-r1"))
	defer srv.Close()
	srv.Enqueue(llmtest.Reply{Reasoning: "Read n, print n*2.", Text: "```python\nprint(int(input())*2)\n```"})

	profile, err := llm.LookupProfile("deepseek-r1")
	if err != nil {
		log.Fatal(err)
	}
	client, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "deepseek-r1", Profile: &profile, Concurrency: 4})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.Generate(context.Background(), llm.Request{
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Content: "You write Python."},
			{Role: llm.RoleUser, Content: "Double a number."},
		},
		Seed: llm.Int64(1),
	})
	if err != nil {
		log.Fatal(err)
	}
	sent := srv.Requests()[0]
	fmt.Printf("sent: %d message(s), temperature %v, max_tokens %d\n", len(sent.Messages), *sent.Temperature, sent.MaxTokens)
	fmt.Println("reasoning:", resp.Choices[0].Reasoning)
	fmt.Println(resp.Choices[0].Answer)
	// Output:
	// sent: 1 message(s), temperature 0.6, max_tokens 32768
	// reasoning: Read n, print n*2.
	// ```python
	// print(int(input())*2)
	// ```
}

// A pre-trained model: the base profile renders few-shot examples and the
// dialogue as one prompt for /v1/completions, in the RLEF paper's
// [USER]/[ASSISTANT]/|| format.
func ExampleProfile_RenderPrompt() {
	base, _ := llm.LookupProfile("base")
	examples := [][]llm.Message{{
		{Role: llm.RoleUser, Content: "Print 1."},
		{Role: llm.RoleAssistant, Content: "```python\nprint(1)\n```"},
	}}
	prompt, stop, _ := base.RenderPrompt(examples, []llm.Message{{Role: llm.RoleUser, Content: "Print 2."}})
	fmt.Println(prompt)
	fmt.Printf("stop: %q\n", stop)
	// Output:
	// [USER] Print 1.
	// ||
	// [ASSISTANT] ```python
	// print(1)
	// ```
	// ||
	//
	// [USER] Print 2.
	// ||
	// [ASSISTANT]
	// stop: ["\n||" "\n[USER]"]
}

func ExampleSplitReasoning() {
	reasoning, answer, truncated := llm.SplitReasoning("<think>\nTry a loop.\n</think>\n\n```python\nprint(3)\n```")
	fmt.Printf("%q %q %v\n", reasoning, answer, truncated)
	_, answer, truncated = llm.SplitReasoning("<think>\nStill thinking when max_tokens hit")
	fmt.Printf("%q %v\n", answer, truncated)
	// Output:
	// "Try a loop." "```python\nprint(3)\n```" false
	// "" true
}
