package server

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/rlef/rlef/dist"
)

// newJetStream starts an embedded NATS server with JetStream for one test.
func newJetStream(t *testing.T) jetstream.JetStream {
	t.Helper()
	srv, err := dist.StartServer(dist.ServerConfig{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := dist.Connect(dist.ConnectConfig{Server: srv, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// replicas starts n servers that keep episodes in one JetStream bucket,
// as replicas behind one address would.
func replicas(t *testing.T, n int, edit func(*Config)) []string {
	t.Helper()
	js := newJetStream(t)
	var urls []string
	for range n {
		_, ts := newTestServer(t, func(c *Config) {
			c.EpisodeJS = js
			if edit != nil {
				edit(c)
			}
		})
		urls = append(urls, ts.URL)
	}
	return urls
}

// An episode created on one replica is stepped on another, read on a
// third, and finished where it started: each sees the same episode.
func TestKVEpisodeAcrossReplicas(t *testing.T) {
	urls := replicas(t, 3, nil)
	ref := fenced(readFile(t, "../dataset/builtin/lanterns/reference.py"))
	ep := createEpisode(t, urls[0], map[string]any{"problem": "builtin/lanterns", "max_turns": 3, "template": "llama3"})
	s1 := step(t, urls[1], ep.EpisodeID, "```python\nprint(9)\n```")
	if s1.Done || s1.Verdict != "wrong_answer" || !strings.Contains(s1.Feedback, "but got `9\n`") || s1.FeedbackText == nil {
		t.Fatalf("step 1 on replica 2: %+v", s1)
	}
	code, body := do(t, "GET", urls[2]+"/v1/episodes/"+ep.EpisodeID, nil, nil)
	st := mustJSON[EpisodeState](t, body)
	if code != 200 || st.Turn != 1 || st.Done || len(st.Messages) != 3 || st.Messages[2].Content != s1.Feedback {
		t.Fatalf("state on replica 3: %d %+v", code, st)
	}
	s2 := step(t, urls[0], ep.EpisodeID, ref)
	if !s2.Done || !s2.Passed || s2.Turn != 2 || *s2.FinalReward != 1 || *s2.Return != 1 {
		t.Fatalf("step 2 on replica 1: %+v", s2)
	}
	if code, _ := post(t, urls[1]+"/v1/episodes/"+ep.EpisodeID+"/step", map[string]any{"assistant_text": ref}); code != http.StatusConflict {
		t.Errorf("step after the end on replica 2: %d, want 409", code)
	}
	if code, _ := do(t, "DELETE", urls[2]+"/v1/episodes/"+ep.EpisodeID, nil, nil); code != 200 {
		t.Errorf("delete: %d", code)
	}
	if code, _ := do(t, "GET", urls[0]+"/v1/episodes/"+ep.EpisodeID, nil, nil); code != 404 {
		t.Errorf("get after delete: %d", code)
	}
	if code, _ := post(t, urls[0]+"/v1/episodes/0123/step", map[string]any{"assistant_text": "x"}); code != 404 {
		t.Errorf("unknown episode: %d", code)
	}
}

// Random feedback drawn on one replica is the feedback every replica
// shows, and the same as one process gives for the same seed.
func TestKVEpisodeReplaysRandomFeedback(t *testing.T) {
	urls := replicas(t, 2, nil)
	_, local := newTestServer(t, nil)
	req := map[string]any{"problem": "builtin/lanterns", "max_turns": 3, "feedback": "random", "seed": 7}
	wrong := "```python\nprint(9)\n```"
	want := step(t, local.URL, createEpisode(t, local.URL, req).EpisodeID, wrong)
	ep := createEpisode(t, urls[0], req)
	got := step(t, urls[0], ep.EpisodeID, wrong)
	if got.Feedback != want.Feedback || got.Feedback == "" {
		t.Fatalf("random feedback %q, one process gives %q", got.Feedback, want.Feedback)
	}
	_, body := do(t, "GET", urls[1]+"/v1/episodes/"+ep.EpisodeID, nil, nil)
	if st := mustJSON[EpisodeState](t, body); len(st.Turns) != 1 || st.Turns[0].Feedback != want.Feedback {
		t.Errorf("replica 2 shows %+v", st.Turns)
	}
	s2 := step(t, urls[1], ep.EpisodeID, wrong)
	if s2.Turn != 2 || s2.Done {
		t.Errorf("step 2 on replica 2: %+v", s2)
	}
}

// Two replicas stepping one episode at once: one steps, the other is
// refused as in one process.
func TestKVEpisodeConcurrentStep(t *testing.T) {
	urls := replicas(t, 2, nil)
	ep := createEpisode(t, urls[0], map[string]any{"problem": "builtin/lanterns"})
	slow := "```python\nimport time\ntime.sleep(1)\nprint(0)\n```"
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = post(t, urls[i]+"/v1/episodes/"+ep.EpisodeID+"/step", map[string]any{"assistant_text": slow})
		}()
	}
	wg.Wait()
	if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
		t.Errorf("codes %v, want one 200 and one 409", codes)
	}
	_, body := do(t, "GET", urls[1]+"/v1/episodes/"+ep.EpisodeID, nil, nil)
	if st := mustJSON[EpisodeState](t, body); st.Turn != 1 {
		t.Errorf("%d turns recorded, want 1", st.Turn)
	}
}

// The live cap holds across replicas; finished episodes do not count.
func TestKVEpisodeLimits(t *testing.T) {
	urls := replicas(t, 2, func(c *Config) { c.Episodes = EpisodeLimits{Max: 2, MaxFinished: 10} })
	ref := fenced(readFile(t, "../dataset/builtin/lanterns/reference.py"))
	a := createEpisode(t, urls[0], map[string]any{"problem": "builtin/lanterns"})
	createEpisode(t, urls[1], map[string]any{"problem": "builtin/lanterns"})
	if code, body := post(t, urls[0]+"/v1/episodes", map[string]any{"problem": "builtin/lanterns"}); code != http.StatusTooManyRequests {
		t.Fatalf("third live episode: %d %s", code, body)
	}
	if s := step(t, urls[1], a.EpisodeID, ref); !s.Done {
		t.Fatalf("step: %+v", s)
	}
	b := createEpisode(t, urls[0], map[string]any{"problem": "builtin/lanterns"})
	if code, _ := do(t, "DELETE", urls[1]+"/v1/episodes/"+b.EpisodeID, nil, nil); code != 200 {
		t.Errorf("delete: %d", code)
	}
	createEpisode(t, urls[1], map[string]any{"problem": "builtin/lanterns"})
	// An inline problem travels with its episode.
	inline := map[string]any{"statement": "Print the sum of two integers.", "tests": []map[string]string{{"input": "1 2", "output": "3"}}}
	if code, _ := post(t, urls[0]+"/v1/episodes", map[string]any{"problem": inline}); code != http.StatusTooManyRequests {
		t.Errorf("over the cap: %d", code)
	}
}

// An inline problem's episode is stepped on another replica.
func TestKVEpisodeInline(t *testing.T) {
	urls := replicas(t, 2, nil)
	inline := map[string]any{"statement": "Print the sum of two integers.", "tests": []map[string]string{{"input": "1 2", "output": "3"}}}
	ep := createEpisode(t, urls[0], map[string]any{"problem": inline})
	if s := step(t, urls[1], ep.EpisodeID, fenced("print(sum(map(int, input().split())))")); !s.Done || !s.Passed {
		t.Errorf("inline: %+v", s)
	}
}
