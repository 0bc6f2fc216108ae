package server

import (
	"encoding/json"
	"errors"
	"math"
	"path"
	"strings"
	"testing"

	"github.com/rlef/rlef/dataset"
)

// Every decoder either accepts a body, returning a request that satisfies
// the schema's invariants, or rejects it with a *ValidationError; none
// panics.

func FuzzDecodeRunCode(f *testing.F) {
	for _, s := range []string{
		`{"compile_timeout": 10, "run_timeout": 10, "code": "print(1)", "stdin": "1\n", "memory_limit_MB": 1024, "language": "python", "files": {}, "fetch_files": []}`,
		`{"code": "", "language": "cpp", "stdin": null, "files": {"a": null, "b": "aGk="}, "fetch_files": ["x"]}`,
		`{"code": "x", "language": "nodejs", "run_timeout": "1.5", "memory_limit_MB": "-1", "args": ["a"]}`,
		`{"code": 1}`, `[]`, `null`, `{"code": "\ud800", "language": "python", "memory_limit_MB": 1e3}`, `{`,
		`{"code": "x", "language": "python", "run_timeout": 0, "compile_timeout": -3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeRunCode(body)
		if err != nil {
			if _, ok := asValidation(err); !ok {
				t.Fatalf("%T is not a validation error: %v", err, err)
			}
			return
		}
		if !isSandboxFusionLanguage(req.Language) || req.Files == nil {
			t.Fatalf("accepted %+v", req)
		}
		if math.IsNaN(req.RunTimeout) || math.IsInf(req.RunTimeout, 0) || math.IsNaN(req.CompileTimeout) || math.IsInf(req.CompileTimeout, 0) {
			t.Fatalf("accepted timeouts that are not numbers %+v", req)
		}
		// What was accepted round-trips.
		again, err := DecodeRunCode(mustMarshal(t, req))
		if err != nil || again.Code != req.Code || again.Language != req.Language || again.MemoryLimitMB != req.MemoryLimitMB {
			t.Fatalf("round trip: %+v %v", again, err)
		}
	})
}

func FuzzDecodeReward(f *testing.F) {
	for _, s := range []string{
		`{"query": ["a"], "prompts": ["p"], "labels": ["builtin/lanterns"]}`,
		`{"query": ["a", "b"], "labels": [{"inputs": ["1"], "outputs": ["1"]}, "x"]}`,
		`{"query": [], "labels": []}`, `{"query": ["a"]}`, `{"query": "a", "labels": "b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeReward(body)
		if err != nil {
			if _, ok := asValidation(err); !ok {
				t.Fatalf("%T is not a validation error: %v", err, err)
			}
			return
		}
		if len(req.Labels) != len(req.Query) || req.Prompts != nil && len(req.Prompts) != len(req.Query) || len(req.Query) > maxRewardBatch {
			t.Fatalf("accepted mismatched lists %+v", req)
		}
	})
}

func FuzzDecodeEpisodeCreate(f *testing.F) {
	for _, s := range []string{
		`{"problem": "builtin/lanterns", "max_turns": 3, "feedback": "rlef", "template": "llama3"}`,
		`{"problem": {"statement": "s", "tests": [{"input": "1", "output": "1"}]}, "prefill": true, "seed": 7}`,
		`{"problem": "x", "benchmark": "builtin", "extraction": "raw", "close_assistant": true}`,
		`{"problem": 1}`, `{"max_turns": "3"}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeEpisodeCreate(body, 16)
		if err != nil {
			if _, ok := asValidation(err); !ok {
				t.Fatalf("%T is not a validation error: %v", err, err)
			}
			return
		}
		if req.MaxTurns < 1 || req.MaxTurns > 16 || len(req.Problem) == 0 {
			t.Fatalf("accepted %+v", req)
		}
	})
}

func FuzzDecodeEpisodeStep(f *testing.F) {
	for _, s := range []string{`{"assistant_text": "x"}`, `{"assistant_text": null}`, `{"assistant_text": "a", "truncated": true}`, `7`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := DecodeEpisodeStep(body); err != nil {
			if _, ok := asValidation(err); !ok {
				t.Fatalf("%T is not a validation error: %v", err, err)
			}
		}
	})
}

// Labels from the wire never panic the resolver; inline ones resolve to a
// valid one-problem set or an error.
func FuzzResolveLabel(f *testing.F) {
	for _, s := range []string{
		`"builtin/lanterns"`, `"lanterns"`, `{"inputs": ["1"], "outputs": ["2"], "checker": "exact"}`,
		`"{\"tests\": [{\"input\": \"1\", \"output\": \"1\"}]}"`, `{"tests": [], "time_limit": -1}`, `5`, `null`,
	} {
		f.Add([]byte(s))
	}
	set, _ := dataset.LoadBuiltin()
	s := &Server{cfg: Config{Sets: []*dataset.Set{set}}}
	f.Fuzz(func(t *testing.T, label []byte) {
		got, p, err := s.ResolveLabel(label)
		if err != nil {
			return
		}
		if got == nil || p == nil || p.Validate() != nil {
			t.Fatalf("resolved %q to %v %v", label, got, p)
		}
		if q, ok := got.Lookup(p.ID); !ok || q != p {
			t.Fatalf("problem %s not in its set", p.ID)
		}
	})
}

func FuzzResponseText(f *testing.F) {
	f.Add("<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\nA<|im_end|>", "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n")
	f.Add("abc", "")
	f.Fuzz(func(t *testing.T, query, prompt string) {
		got := ResponseText(query, prompt)
		if !strings.Contains(query, got) {
			t.Fatalf("response %q is not part of the query %q", got, query)
		}
		for _, tok := range endTokens {
			if strings.Contains(got, tok) {
				t.Fatalf("response %q keeps end token %q", got, tok)
			}
		}
	})
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A path SandboxPath accepts is clean, absolute and strictly below a file
// root; every refusal is a *RefusedPathError with a reason.
func FuzzSandboxPath(f *testing.F) {
	for _, s := range []string{"a.txt", "/mnt/b", "../x", "/w/../etc", "/tmp/", "./", "a//b/../c", "/mnt", "\x00", "/w/main.py"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		p, err := SandboxPath(name)
		if err != nil {
			var re *RefusedPathError
			if !errors.As(err, &re) || re.Reason == "" || re.Name != name {
				t.Fatalf("SandboxPath(%q): %v", name, err)
			}
			return
		}
		if p != path.Clean(p) || !path.IsAbs(p) || strings.Contains(p, "\x00") {
			t.Fatalf("SandboxPath(%q) = %q", name, p)
		}
		below := false
		for _, root := range FileRoots {
			below = below || strings.HasPrefix(p, root+"/")
		}
		if !below {
			t.Fatalf("SandboxPath(%q) = %q, outside %v", name, p, FileRoots)
		}
	})
}
