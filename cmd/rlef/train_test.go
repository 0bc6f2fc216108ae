package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/model"
	"github.com/rlef/rlef/model/bpe"
	"github.com/rlef/rlef/train"
)

// rlef train on a custom JSONL benchmark from a checkpoint, then rlef
// eval --checkpoint on the trained policy and rlef report on that run:
// the training command, the checkpoint format and the evaluation path of
// any benchmark, end to end with the real sandbox.
func TestTrainCustomBenchmarkThenEvalCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs rlef train and rlef eval")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "mine.jsonl")
	var lines []string
	for i, out := range []string{"3", "5", "8"} {
		p := map[string]any{"id": "mine/" + out, "mode": "stdio", "statement": "Print " + out + ".",
			"public": []map[string]string{{"input": "", "output": out + "\n"}}, "private": []map[string]string{{"input": "x\n", "output": out + "\n"}}}
		if i == 0 {
			p["solutions"] = []map[string]string{{"code": "print(3)\n"}}
		}
		b, _ := json.Marshal(p)
		lines = append(lines, string(b))
	}
	if err := os.WriteFile(data, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A small untrained policy: the loop, not the learning, is under test.
	tok, err := bpe.Train([]string{"```python\nprint(3)\n```", "Provide a Python solution"}, 300, train.Specials)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.New(model.Config{Vocab: tok.VocabSize(), Context: 512, Dim: 32, Layers: 1, Heads: 2, Head: model.HeadLM}, 1)
	if err != nil {
		t.Fatal(err)
	}
	init := filepath.Join(dir, "init.ckpt")
	if err := (&train.Bundle{Tokenizer: tok.Spec(), Policy: m}).Save(init); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	run := filepath.Join(dir, "train")
	args := []string{"train", "--benchmark", "custom", "--data", data, "--init", init, "--run", run,
		"--iterations", "2", "--episodes", "4", "--max-tokens", "24", "--slots", "1", "--cache-dir", t.TempDir(), "--no-progress"}
	out, err := rlef(ctx, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rlef train: %v\n%s", err, out)
	}
	final := filepath.Join(run, "final.ckpt")
	b, err := train.LoadBundle(final)
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.TrainState()
	if err != nil || st.Iteration != 2 || len(st.History) != 2 || st.Updates == 0 {
		t.Fatalf("final state %+v, %v", st, err)
	}
	// Running the same command again finds the run finished: nothing
	// more is trained.
	out, err = rlef(ctx, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rlef train again: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "from iteration 2") {
		t.Errorf("the second run did not resume at iteration 2:\n%s", out)
	}
	// Other settings in the same directory are refused.
	bad := append(append([]string(nil), args...), "--beta", "0.5")
	if out, err := rlef(ctx, bad...).CombinedOutput(); err == nil || !strings.Contains(string(out), "other settings") {
		t.Errorf("a different run in the same directory was accepted: %v\n%s", err, out)
	}
	evalRun := filepath.Join(dir, "eval")
	out, err = rlef(ctx, "eval", "--benchmark", "custom", "--data", data, "--checkpoint", final, "--run", evalRun,
		"--samples", "2", "--max-tokens", "24", "--slots", "1", "--cache-dir", t.TempDir(), "--no-progress").CombinedOutput()
	if err != nil {
		t.Fatalf("rlef eval --checkpoint: %v\n%s", err, out)
	}
	out, err = rlef(ctx, "report", evalRun).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1@3") || !strings.Contains(string(out), "6/6 episodes") {
		t.Fatalf("rlef report on the checkpoint's run: %v\n%s", err, out)
	}
}
