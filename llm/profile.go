package llm

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rlef/rlef/llm/chattemplate"
)

// DefaultCompletionMaxTokens is the length cap a completion request gets
// when neither the request nor the profile sets one: servers default to
// 16 tokens on /v1/completions, which is never what an evaluation wants.
const DefaultCompletionMaxTokens = 2048

// Profile describes how to talk to one family of models: which endpoint,
// which sampling defaults, whether a system prompt is allowed, how to
// render a dialogue as raw text for the completions endpoint, and how to
// clean a reply. Profiles are plain values; [LookupProfile] returns a
// fresh copy of a built-in one, which callers may adjust.
type Profile struct {
	// Name is the name LookupProfile knows the profile by.
	Name string
	// API is the default endpoint.
	API API
	// Temperature and TopP are the default sampling parameters; nil leaves
	// them to the server.
	Temperature *float64
	TopP        *float64
	// MaxTokens is the default length cap; 0 leaves it to the server (on
	// the chat endpoint) or uses DefaultCompletionMaxTokens.
	MaxTokens int
	// SystemPrompt says whether system messages may be sent. When false,
	// their text is folded into the first user turn.
	SystemPrompt bool
	// Reasoning says the model writes its reasoning before the answer
	// (reasoning_content or a <think> block). Reasoning is stripped from
	// history sent back, and a reply cut while reasoning counts as
	// truncated with an empty answer.
	Reasoning bool
	// Template names the chattemplate used to render a dialogue for the
	// completions endpoint; empty renders a plain Transcript.
	Template string
	// ForceThink opens the rendered assistant turn with "<think>\n"
	// (DeepSeek-R1's recommendation; chattemplate honours it for R1 only).
	ForceThink bool
	// Transcript is the plain-text format used when Template is empty.
	Transcript Transcript
}

// ProfileNames lists the built-in profiles.
func ProfileNames() []string { return []string{"llama3", "deepseek-r1", "base", "generic"} }

// LookupProfile returns a copy of a built-in profile:
//
//   - llama3: Llama 3.x Instruct; chat endpoint; system prompt allowed;
//     temperature 0.2, top-p 0.95 (the paper's 1@3 setting).
//   - deepseek-r1: DeepSeek-R1 and its distills; chat endpoint; no system
//     prompt; temperature 0.6, top-p 0.95, max tokens 32768 (DeepSeek's
//     evaluation settings); reasoning split off the answer.
//   - base: pre-trained models; completions endpoint with the paper's
//     [USER]/[ASSISTANT]/|| few-shot transcript; temperature 0.2, top-p
//     0.95, max tokens 2048.
//   - generic: chat endpoint, no assumptions: sampling and length are the
//     server's; system prompts pass through; on the completions endpoint
//     the dialogue is rendered as a plain transcript.
func LookupProfile(name string) (Profile, error) {
	switch name {
	case "llama3":
		return Profile{
			Name: name, API: APIChat,
			Temperature: Float64(0.2), TopP: Float64(0.95),
			SystemPrompt: true, Template: "llama3",
		}, nil
	case "deepseek-r1":
		return Profile{
			Name: name, API: APIChat,
			Temperature: Float64(0.6), TopP: Float64(0.95), MaxTokens: 32768,
			Reasoning: true, Template: "deepseek-r1", ForceThink: true,
		}, nil
	case "base":
		return Profile{
			Name: name, API: APICompletion,
			Temperature: Float64(0.2), TopP: Float64(0.95), MaxTokens: DefaultCompletionMaxTokens,
			Transcript: PaperTranscript(),
		}, nil
	case "generic":
		return Profile{
			Name: name, API: APIChat, SystemPrompt: true,
			Transcript: PaperTranscript(),
		}, nil
	}
	return Profile{}, fmt.Errorf("llm: unknown profile %q (known: %v)", name, ProfileNames())
}

// Prepare turns a request into the one to send, following the profile. It
// is idempotent, so the client can apply it again to a prepared request.
//
//   - API, Temperature, TopP and MaxTokens get the profile's defaults when
//     unset.
//   - Messages lose their Reasoning; for a reasoning profile, assistant
//     turns are cut to the text after their last "</think>"; without
//     SystemPrompt, system text is folded into the first user turn.
//   - On the chat endpoint, FewShot dialogues are put in front of
//     Messages, each followed by an empty assistant message (the paper's
//     few-shot setup for instruct models).
//   - On the completions endpoint, an empty Prompt is rendered from
//     FewShot and Messages (see RenderPrompt) and the format's stop
//     sequences are added.
//
// FewShot is consumed: the result has it nil.
func (p Profile) Prepare(r Request) (Request, error) {
	if r.API == "" {
		r.API = p.API
	}
	if r.API == "" {
		r.API = APIChat
	}
	if _, err := ParseAPI(string(r.API)); err != nil {
		return r, err
	}
	r.Messages = p.history(r.Messages)
	switch r.API {
	case APIChat:
		if len(r.FewShot) > 0 {
			var msgs []Message
			for _, ex := range r.FewShot {
				msgs = append(msgs, p.history(ex)...)
				msgs = append(msgs, Message{Role: RoleAssistant})
			}
			r.Messages = append(msgs, r.Messages...)
		}
		if len(r.Messages) == 0 {
			return r, fmt.Errorf("llm: chat request without messages")
		}
	case APICompletion:
		if r.Prompt == "" {
			if len(r.Messages) == 0 {
				return r, fmt.Errorf("llm: completion request without prompt or messages")
			}
			prompt, stop, err := p.RenderPrompt(r.FewShot, r.Messages)
			if err != nil {
				return r, err
			}
			r.Prompt = prompt
			r.Stop = appendNew(slices.Clone(r.Stop), stop...)
		} else if len(r.FewShot) > 0 {
			return r, fmt.Errorf("llm: completion request with both a prompt and few-shot examples")
		}
		if r.MaxTokens == 0 && p.MaxTokens == 0 {
			r.MaxTokens = DefaultCompletionMaxTokens
		}
	}
	r.FewShot = nil
	if r.Temperature == nil && p.Temperature != nil {
		r.Temperature = Float64(*p.Temperature)
	}
	if r.TopP == nil && p.TopP != nil {
		r.TopP = Float64(*p.TopP)
	}
	if r.MaxTokens == 0 {
		r.MaxTokens = p.MaxTokens
	}
	return r, nil
}

// history returns a copy of msgs ready to send: reasoning dropped, system
// text folded if the profile allows no system prompt.
func (p Profile) history(msgs []Message) []Message {
	if msgs == nil {
		return nil
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.Reasoning = ""
		if p.Reasoning && m.Role == RoleAssistant {
			m.Content = stripReasoning(m.Content)
		}
		out[i] = m
	}
	return foldSystem(out, !p.SystemPrompt)
}

// RenderPrompt renders example dialogues and a dialogue as one prompt for
// the completions endpoint, and returns the stop sequences that end the
// model's turn. With a Template, examples and dialogue are rendered as one
// chat (without BOS, which servers add when tokenizing) followed by the
// assistant header; otherwise as the profile's Transcript.
func (p Profile) RenderPrompt(examples [][]Message, dialogue []Message) (prompt string, stop []string, err error) {
	dialogue = p.history(dialogue)
	if p.Template == "" {
		var exs [][]Message
		for _, ex := range examples {
			exs = append(exs, p.history(ex))
		}
		prompt, err = p.Transcript.Render(exs, dialogue)
		return prompt, p.Transcript.Stop(), err
	}
	tmpl, err := chattemplate.Lookup(p.Template)
	if err != nil {
		return "", nil, fmt.Errorf("llm: profile %s: %w", p.Name, err)
	}
	var msgs []chattemplate.Message
	for _, ex := range examples {
		for _, m := range p.history(ex) {
			msgs = append(msgs, chattemplate.Message{Role: m.Role, Content: m.Content})
		}
		msgs = append(msgs, chattemplate.Message{Role: RoleAssistant})
	}
	for _, m := range dialogue {
		msgs = append(msgs, chattemplate.Message{Role: m.Role, Content: m.Content})
	}
	prompt, err = tmpl.Render(msgs, chattemplate.Options{AddGenerationPrompt: true, OmitBOS: true, ForceThink: p.ForceThink})
	if err != nil {
		return "", nil, fmt.Errorf("llm: profile %s: %w", p.Name, err)
	}
	return prompt, tmpl.Stop(), nil
}

// Clean returns the answer in a reply from the profile's default endpoint,
// the reasoning that preceded it, and whether the reply was cut. See
// CleanFor.
func (p Profile) Clean(c Choice) (answer, reasoning string, truncated bool) {
	return p.CleanFor(p.API, c)
}

// CleanFor is Clean for a reply from the given endpoint.
//
//   - A "<think>" block is split off the text (SplitReasoning) and joined
//     to the server's reasoning field; a block that never closes makes the
//     reply truncated with an empty answer.
//   - For a reasoning profile, a reply cut by the length limit with no
//     "</think>" and no separate reasoning is all reasoning (the server's
//     template opened the block): the answer is empty.
//   - On the completions endpoint with a Transcript, the answer is cut at
//     the transcript's stop sequences.
//   - finish_reason "length" makes the reply truncated.
func (p Profile) CleanFor(api API, c Choice) (answer, reasoning string, truncated bool) {
	truncated = c.FinishReason == "length"
	reasoning = strings.TrimSpace(c.Reasoning)
	r, answer, unterminated := SplitReasoning(c.Text)
	if r != "" {
		reasoning = joinNonEmpty(reasoning, r)
	}
	switch {
	case unterminated:
		truncated = true
	case p.Reasoning && truncated && c.Reasoning == "" && !strings.Contains(c.Text, thinkClose):
		reasoning, answer = strings.TrimSpace(c.Text), ""
	}
	if api == APICompletion && p.Template == "" && answer != "" {
		answer = p.Transcript.Parse(answer)
	}
	return answer, reasoning, truncated
}

func joinNonEmpty(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "\n\n" + b
}

// appendNew appends the elements of add that dst does not hold yet.
func appendNew(dst []string, add ...string) []string {
	for _, s := range add {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}
