package server

import (
	"container/list"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rlef/rlef/llm/chattemplate"
)

func createEpisode(t *testing.T, url string, req map[string]any) EpisodeCreateResponse {
	t.Helper()
	code, body := post(t, url+"/v1/episodes", req)
	if code != http.StatusOK {
		t.Fatalf("create: HTTP %d: %s", code, body)
	}
	return mustJSON[EpisodeCreateResponse](t, body)
}

func step(t *testing.T, url, id, text string) EpisodeStepResponse {
	t.Helper()
	code, body := post(t, url+"/v1/episodes/"+id+"/step", map[string]any{"assistant_text": text})
	if code != http.StatusOK {
		t.Fatalf("step: HTTP %d: %s", code, body)
	}
	return mustJSON[EpisodeStepResponse](t, body)
}

// An RLEF episode driven over HTTP: a wrong answer gets execution
// feedback, the fix ends the episode with the final reward.
func TestEpisodeFeedbackThenPass(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ref := readFile(t, "../dataset/builtin/lanterns/reference.py")
	for _, tmpl := range chattemplate.Names() {
		t.Run(tmpl, func(t *testing.T) {
			ep := createEpisode(t, ts.URL, map[string]any{"problem": "builtin/lanterns", "max_turns": 3, "feedback": "rlef", "template": tmpl})
			if ep.EpisodeID == "" || ep.Problem != "builtin/lanterns" || ep.Benchmark != "builtin" || len(ep.Messages) != 1 ||
				ep.Messages[0].Role != "user" || !strings.Contains(ep.Messages[0].Content, "lantern") {
				t.Fatalf("create: %+v", ep)
			}
			tm, _ := chattemplate.Lookup(tmpl)
			wantPrompt, _ := tm.Render([]chattemplate.Message{{Role: "user", Content: ep.Messages[0].Content}}, chattemplate.Options{AddGenerationPrompt: true})
			if ep.PromptText == nil || *ep.PromptText != wantPrompt {
				t.Errorf("prompt_text %v, want %q", deref(ep.PromptText), wantPrompt)
			}

			wrong := "```python\nprint(9)\n```"
			s1 := step(t, ts.URL, ep.EpisodeID, wrong)
			if s1.Done || s1.Turn != 1 || s1.Verdict != "wrong_answer" || s1.TurnReward != 0 || s1.FinalReward != nil ||
				s1.Public == nil || s1.Public.Total != 2 || len(s1.Public.Tests) != 2 || s1.Code != "print(9)" || s1.Rule != "last_fence" {
				t.Fatalf("step 1: %+v", s1)
			}
			if !strings.Contains(s1.Feedback, "Your code failed the following tests") || !strings.Contains(s1.Feedback, "but got `9\n`") {
				t.Errorf("feedback %q", s1.Feedback)
			}
			// Token fidelity: prompt + reply + end of turn + feedback_text
			// is the whole dialogue rendered at once.
			if s1.FeedbackText == nil {
				t.Fatal("no feedback_text")
			}
			whole, _ := tm.Render([]chattemplate.Message{
				{Role: "user", Content: ep.Messages[0].Content}, {Role: "assistant", Content: wrong}, {Role: "user", Content: s1.Feedback},
			}, chattemplate.Options{AddGenerationPrompt: true})
			if got := *ep.PromptText + wrong + tm.EndOfTurn() + *s1.FeedbackText; got != whole {
				t.Errorf("prompt + reply + feedback_text:\n%q\nwant\n%q", got, whole)
			}

			s2 := step(t, ts.URL, ep.EpisodeID, "<think>sort the segments</think>\n"+fenced(ref))
			if !s2.Done || s2.Turn != 2 || s2.Verdict != "accepted" || !s2.Passed || !s2.PublicPassed ||
				s2.FinalReward == nil || *s2.FinalReward != 1 || s2.Return == nil || *s2.Return != 1 || s2.TurnReward != 1 ||
				s2.Feedback != "" || s2.FeedbackText != nil || len(s2.Final) != 1 || s2.Final[0].Name != "private" {
				t.Fatalf("step 2: %+v", s2)
			}
			if code, body := post(t, ts.URL+"/v1/episodes/"+ep.EpisodeID+"/step", map[string]any{"assistant_text": wrong}); code != http.StatusConflict {
				t.Errorf("step after done: %d %s", code, body)
			}
			code, body := do(t, "GET", ts.URL+"/v1/episodes/"+ep.EpisodeID, nil, nil)
			st := mustJSON[EpisodeState](t, body)
			if code != 200 || !st.Done || !st.Passed || st.Turn != 2 || len(st.Turns) != 2 || len(st.Messages) != 4 ||
				st.FinalReward == nil || *st.FinalReward != 1 {
				t.Errorf("state: %d %+v", code, st)
			}
			if code, _ := do(t, "DELETE", ts.URL+"/v1/episodes/"+ep.EpisodeID, nil, nil); code != 200 {
				t.Errorf("delete: %d", code)
			}
			if code, _ := do(t, "GET", ts.URL+"/v1/episodes/"+ep.EpisodeID, nil, nil); code != 404 {
				t.Errorf("get after delete: %d", code)
			}
		})
	}
}

// Turns without code cost −0.2; the last turn gets the final reward.
func TestEpisodeTurnLimit(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ep := createEpisode(t, ts.URL, map[string]any{"problem": "lanterns", "benchmark": "builtin", "max_turns": 2, "feedback": "none"})
	s1 := step(t, ts.URL, ep.EpisodeID, "I am not sure.")
	if s1.Done || s1.Verdict != "invalid" || s1.TurnReward != -0.2 || s1.Public != nil || !strings.Contains(s1.Feedback, "did not contain") {
		t.Fatalf("step 1: %+v", s1)
	}
	s2 := step(t, ts.URL, ep.EpisodeID, "```python\nprint(0)\n```")
	if !s2.Done || s2.Passed || s2.FinalReward == nil || *s2.FinalReward != -1 || s2.Return == nil || *s2.Return != -1.2 {
		t.Fatalf("step 2: %+v", s2)
	}
}

func TestEpisodeOptions(t *testing.T) {
	_, ts := newTestServer(t, nil)
	// HumanEval-style prefill: the prompt ends inside an opened fence,
	// and every feedback turn re-opens it.
	ep := createEpisode(t, ts.URL, map[string]any{"problem": "builtin/run-length", "template": "chatml", "prefill": true, "max_turns": 2})
	if ep.Prefill == "" || !strings.HasSuffix(deref(ep.PromptText).(string), "<|im_start|>assistant\n"+ep.Prefill) {
		t.Errorf("prefill %q prompt %q", ep.Prefill, deref(ep.PromptText))
	}
	s := step(t, ts.URL, ep.EpisodeID, "    return []\n```")
	// The continuation keeps its indentation: a wrong answer, not an
	// IndentationError.
	if s.Done || s.Verdict != "wrong_answer" || s.FeedbackText == nil || !strings.HasSuffix(*s.FeedbackText, "<|im_start|>assistant\n"+ep.Prefill) {
		t.Errorf("step: %+v", s)
	}
	// close_assistant and force_think with R1.
	ep = createEpisode(t, ts.URL, map[string]any{"problem": "builtin/lanterns", "template": "deepseek-r1", "close_assistant": true, "force_think": true, "omit_bos": true})
	if p := deref(ep.PromptText).(string); strings.HasPrefix(p, chattemplate.DeepSeekBOS) || !strings.HasSuffix(p, chattemplate.DeepSeekAssistant+"<think>\n") {
		t.Errorf("prompt %q", p)
	}
	s = step(t, ts.URL, ep.EpisodeID, "no code")
	if s.FeedbackText == nil || !strings.HasPrefix(*s.FeedbackText, chattemplate.DeepSeekEOS+chattemplate.DeepSeekUser) {
		t.Errorf("feedback_text %v", deref(s.FeedbackText))
	}
	// An inline problem needs a statement.
	inline := map[string]any{"statement": "Print the sum of two integers.", "tests": []map[string]string{{"input": "1 2", "output": "3"}}}
	ep = createEpisode(t, ts.URL, map[string]any{"problem": inline})
	if s := step(t, ts.URL, ep.EpisodeID, fenced("print(sum(map(int, input().split())))")); !s.Done || !s.Passed {
		t.Errorf("inline: %+v", s)
	}
}

func TestEpisodeErrors(t *testing.T) {
	_, ts := newTestServer(t, func(c *Config) { c.Episodes = EpisodeLimits{Max: 2, MaxTurns: 5} })
	tests := []struct {
		name string
		body map[string]any
		code int
	}{
		{"no problem", map[string]any{}, 422},
		{"unknown problem", map[string]any{"problem": "builtin/nope"}, 422},
		{"bad turns", map[string]any{"problem": "builtin/lanterns", "max_turns": 0}, 422},
		{"too many turns", map[string]any{"problem": "builtin/lanterns", "max_turns": 6}, 422},
		{"bad feedback", map[string]any{"problem": "builtin/lanterns", "feedback": "loud"}, 422},
		{"bad template", map[string]any{"problem": "builtin/lanterns", "template": "mistral"}, 422},
		{"bad extraction", map[string]any{"problem": "builtin/lanterns", "extraction": "guess"}, 422},
		{"inline without statement", map[string]any{"problem": map[string]any{"inputs": []string{"1"}, "outputs": []string{"1"}}}, 422},
		{"problem a number", map[string]any{"problem": 3}, 422},
	}
	for _, tc := range tests {
		if code, body := post(t, ts.URL+"/v1/episodes", tc.body); code != tc.code {
			t.Errorf("%s: HTTP %d, want %d: %s", tc.name, code, tc.code, body)
		}
	}
	if code, _ := post(t, ts.URL+"/v1/episodes/0123/step", map[string]any{"assistant_text": "x"}); code != 404 {
		t.Errorf("unknown episode: %d", code)
	}
	a := createEpisode(t, ts.URL, map[string]any{"problem": "builtin/lanterns"})
	if code, _ := post(t, ts.URL+"/v1/episodes/"+a.EpisodeID+"/step", map[string]any{"text": "x"}); code != 422 {
		t.Errorf("step without assistant_text: %d", code)
	}
	createEpisode(t, ts.URL, map[string]any{"problem": "builtin/lanterns"})
	if code, body := post(t, ts.URL+"/v1/episodes", map[string]any{"problem": "builtin/lanterns"}); code != http.StatusTooManyRequests {
		t.Errorf("over the cap: %d %s", code, body)
	}
	do(t, "DELETE", ts.URL+"/v1/episodes/"+a.EpisodeID, nil, nil)
	createEpisode(t, ts.URL, map[string]any{"problem": "builtin/lanterns"})
}

// Concurrent steps of one episode: one runs, the other is refused.
func TestEpisodeConcurrentStep(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ep := createEpisode(t, ts.URL, map[string]any{"problem": "builtin/lanterns"})
	slow := "```python\nimport time\ntime.sleep(1)\nprint(0)\n```"
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = post(t, ts.URL+"/v1/episodes/"+ep.EpisodeID+"/step", map[string]any{"assistant_text": slow})
		}()
	}
	wg.Wait()
	if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
		t.Errorf("codes %v, want one 200 and one 409", codes)
	}
}

func TestEpisodeStoreExpiry(t *testing.T) {
	now := time.Unix(1000, 0)
	st := testStore(EpisodeLimits{TTL: time.Minute, Max: 3, MaxFinished: 10}, func() time.Time { return now })
	var ids []string
	for range 3 {
		e := &liveEpisode{}
		if err := st.add(e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.id)
		now = now.Add(20 * time.Second)
	}
	if err := st.add(&liveEpisode{}); err == nil {
		t.Fatal("a fourth episode fitted under a cap of 3")
	}
	// The first episode is now 60 s idle; using the second keeps it.
	now = now.Add(time.Second)
	st.get(ids[1])
	busy := st.byID[ids[2]]
	now = now.Add(50 * time.Second)
	busy.step.Lock() // a step in progress is never expired
	if n := st.sweep(); n != 1 {
		t.Errorf("swept %d, want 1", n)
	}
	busy.step.Unlock()
	if _, ok := st.get(ids[0]); ok {
		t.Error("idle episode survived")
	}
	if err := st.add(&liveEpisode{}); err != nil {
		t.Errorf("add after expiry: %v", err)
	}
	if live, _ := st.counts(); live != 3 {
		t.Errorf("%d live, want 3", live)
	}
	if ids[0] == ids[1] || len(ids[0]) != 32 {
		t.Errorf("ids %v", ids)
	}
}

// testStore is an episode store without its janitor, on a fake clock.
func testStore(limits EpisodeLimits, now func() time.Time) *episodeStore {
	return &episodeStore{limits: limits, m: newMetrics(nil), now: now, byID: map[string]*liveEpisode{}, finished: list.New()}
}

// A training run that never deletes its episodes (verl never calls
// finalize_interaction): 500 steps of 4,096 episodes each, every one
// finished, under a live cap of one step's worth. No creation is refused,
// the finished ones kept stay bounded, and the latest ones can still be
// read and deleted. -short plays 5 steps (still twice the finished
// episodes kept).
func TestEpisodeStoreFinishedFreeSlots(t *testing.T) {
	const batch = 4096
	steps := 500
	if testing.Short() {
		steps = 5
	}
	now := time.Unix(1000, 0)
	st := testStore(EpisodeLimits{TTL: 30 * time.Minute, Max: batch, MaxFinished: 10000}, func() time.Time { return now })
	eps := make([]*liveEpisode, batch)
	for step := range steps {
		for i := range eps {
			eps[i] = &liveEpisode{}
			if err := st.add(eps[i]); err != nil {
				t.Fatalf("step %d, episode %d: %v", step, i, err)
			}
		}
		for _, e := range eps {
			st.finish(e)
		}
		now = now.Add(2 * time.Second) // far inside the TTL: nothing expires
	}
	live, finished := st.counts()
	if live != 0 || finished != 10000 {
		t.Errorf("%d live and %d finished kept, want 0 and 10000", live, finished)
	}
	last := eps[batch-1].id
	if _, ok := st.get(last); !ok {
		t.Fatal("the newest finished episode is gone")
	}
	if !st.remove(last) {
		t.Error("DELETE of a finished episode failed")
	}
	if _, f := st.counts(); f != 9999 {
		t.Errorf("%d finished after a delete, want 9999", f)
	}
	// Unfinished episodes still count: a full live cap refuses.
	for range batch {
		if err := st.add(&liveEpisode{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.add(&liveEpisode{}); !errors.Is(err, ErrTooManyEpisodes) {
		t.Errorf("over the live cap: %v, want ErrTooManyEpisodes", err)
	}
}

// Over HTTP: finished episodes, never deleted, leave room for new ones;
// GET and DELETE still work on them.
func TestEpisodeFinishedNotLive(t *testing.T) {
	_, ts := newTestServer(t, func(c *Config) { c.Episodes = EpisodeLimits{Max: 2} })
	ref := fenced(readFile(t, "../dataset/builtin/lanterns/reference.py"))
	var ids []string
	for round := range 3 {
		for range 2 {
			ep := createEpisode(t, ts.URL, map[string]any{"problem": "builtin/lanterns"})
			if s := step(t, ts.URL, ep.EpisodeID, ref); !s.Done || !s.Passed || *s.FinalReward != 1 {
				t.Fatalf("round %d: %+v", round, s)
			}
			ids = append(ids, ep.EpisodeID)
		}
	}
	code, body := do(t, "GET", ts.URL+"/v1/episodes/"+ids[0], nil, nil)
	if st := mustJSON[EpisodeState](t, body); code != 200 || !st.Done || !st.Passed {
		t.Errorf("GET finished: %d %s", code, body)
	}
	if code, body := do(t, "DELETE", ts.URL+"/v1/episodes/"+ids[0], nil, nil); code != 200 {
		t.Errorf("DELETE finished: %d %s", code, body)
	}
	if code, _ := post(t, ts.URL+"/v1/episodes/"+ids[1]+"/step", map[string]any{"assistant_text": ref}); code != http.StatusConflict {
		t.Errorf("step after the end: %d, want 409", code)
	}
	// Two unfinished episodes fill the cap.
	createEpisode(t, ts.URL, map[string]any{"problem": "builtin/lanterns"})
	createEpisode(t, ts.URL, map[string]any{"problem": "builtin/lanterns"})
	if code, body := post(t, ts.URL+"/v1/episodes", map[string]any{"problem": "builtin/lanterns"}); code != http.StatusTooManyRequests {
		t.Errorf("third unfinished episode: %d %s", code, body)
	}
}

// A client that keeps the stop string in the reply (the end-of-turn
// token after the closing fence) is judged on the reply without it, and
// the dialogue keeps one end of turn.
func TestEpisodeStepCutsAtEndOfTurn(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ref := readFile(t, "../dataset/builtin/lanterns/reference.py")
	for _, end := range []string{chattemplate.Llama3EOT, chattemplate.ChatMLEnd, chattemplate.DeepSeekEOS} {
		ep := createEpisode(t, ts.URL, map[string]any{"problem": "builtin/lanterns", "max_turns": 2})
		s := step(t, ts.URL, ep.EpisodeID, fenced(ref)+end+"<pad><pad>")
		if !s.Done || s.Verdict != "accepted" || s.FinalReward == nil || *s.FinalReward != 1 {
			t.Errorf("%q: %+v", end, s)
		}
		_, body := do(t, "GET", ts.URL+"/v1/episodes/"+ep.EpisodeID, nil, nil)
		st := mustJSON[EpisodeState](t, body)
		if len(st.Messages) != 2 || strings.Contains(st.Messages[1].Content, end) {
			t.Errorf("%q: messages %+v", end, st.Messages)
		}
	}
}
