package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/internal/atomicfile"
	"github.com/rlef/rlef/internal/progress"
	"github.com/rlef/rlef/model"
	"github.com/rlef/rlef/model/bpe"
	"github.com/rlef/rlef/train"
)

// Options configure a lab run.
type Options struct {
	Preset Preset
	Seed   uint64
	// Dir is the run directory; a second run with the same options
	// resumes where the first stopped.
	Dir string
	// Judge runs programs in the sandbox.
	Judge episode.Judger
	// Progress receives progress (a bar on terminals, plain lines
	// elsewhere); nil for none.
	Progress io.Writer
	Logger   *slog.Logger
}

// Files of a run directory.
const (
	fileConfig   = "lab.json"
	fileDialogs  = "pretrain.jsonl"
	filePretrain = "pretrain.ckpt"
	fileInit     = "init.ckpt"
	fileRL       = "rl.ckpt"
	fileFinal    = "final.ckpt"
	fileSummary  = "summary.json"
	fileReport   = "report.html"
)

// runConfig is what lab.json records; a resumed run must match it.
type runConfig struct {
	Preset Preset `json:"preset"`
	Seed   uint64 `json:"seed"`
}

// ErrDifferentRun: the directory holds a run with other settings.
var ErrDifferentRun = errors.New("the run directory holds a different lab run")

// lab is one run in progress.
type lab struct {
	o                        Options
	p                        Preset
	pretrain, train, heldout []*Task
	trainSet, evalSet        *dataset.Set
	log                      *slog.Logger
	summary                  *Summary
}

// Run runs the lab: generate problems, write pretraining dialogues,
// pretrain, evaluate, train with RLEF, evaluate again, and write
// summary.json and report.html. Every stage checkpoints, so a killed run
// continues when started again with the same options.
func Run(ctx context.Context, o Options) (*Summary, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Preset.Name == "" || o.Preset.TrainTasks < 1 || o.Preset.EvalTasks < 1 || o.Preset.PretrainTasks < 1 {
		return nil, errors.New("lab: the preset needs a name and problems to pretrain, train and evaluate on")
	}
	if o.Judge == nil || o.Dir == "" {
		return nil, errors.New("lab: a judge and a run directory are needed")
	}
	l := &lab{o: o, p: o.Preset, log: o.Logger, summary: &Summary{Preset: o.Preset.Name, Seed: o.Seed}}
	if err := l.checkDir(); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := l.generate(); err != nil {
		return nil, err
	}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"pretrain", l.pretrainStage},
		{"evaluate before RL", func(ctx context.Context) error { return l.evaluate(ctx, "before", fileInit) }},
		{"RLEF", l.rlStage},
		{"evaluate after RL", func(ctx context.Context) error { return l.evaluate(ctx, "after", fileFinal) }},
	}
	cpu0 := cpuSeconds()
	for _, s := range steps {
		t, c := time.Now(), cpuSeconds()
		l.printf("lab: %s\n", s.name)
		if err := s.fn(ctx); err != nil {
			return nil, fmt.Errorf("lab %s: %w", s.name, err)
		}
		l.summary.Stages = append(l.summary.Stages, StageTime{Name: s.name, Seconds: time.Since(t).Seconds(), CPUSeconds: cpuSeconds() - c})
	}
	l.summary.Seconds = time.Since(start).Seconds()
	l.summary.CPUSeconds = cpuSeconds() - cpu0
	if err := l.finish(ctx); err != nil {
		return nil, err
	}
	return l.summary, nil
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func (l *lab) printf(format string, args ...any) {
	if l.o.Progress != nil {
		fmt.Fprintf(l.o.Progress, format, args...)
	}
}

func (l *lab) path(name string) string { return filepath.Join(l.o.Dir, name) }

func (l *lab) checkDir() error {
	if err := os.MkdirAll(l.o.Dir, 0o755); err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	want := runConfig{Preset: l.p, Seed: l.o.Seed}
	data, err := os.ReadFile(l.path(fileConfig))
	if errors.Is(err, os.ErrNotExist) {
		raw, err := json.MarshalIndent(want, "", "  ")
		if err != nil {
			return err
		}
		return atomicfile.WriteFile(l.path(fileConfig), append(raw, '\n'), 0o644)
	}
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	var have runConfig
	if err := json.Unmarshal(data, &have); err != nil {
		return fmt.Errorf("lab: %s: %w", l.path(fileConfig), err)
	}
	// Compare through JSON, as it was recorded.
	norm, _ := json.Marshal(want)
	var wantRT runConfig
	_ = json.Unmarshal(norm, &wantRT)
	if !reflect.DeepEqual(have, wantRT) {
		return fmt.Errorf("%w (%s: preset %s seed %d; asked: preset %s seed %d); use another --run directory",
			ErrDifferentRun, l.o.Dir, have.Preset.Name, have.Seed, l.p.Name, l.o.Seed)
	}
	return nil
}

// generate draws the three disjoint problem sets.
func (l *lab) generate() error {
	seed := l.o.Seed
	l.pretrain = Generate(rand.New(rand.NewPCG(seed, 1)), l.p.PretrainTasks, "lab-pretrain")
	l.train = Generate(rand.New(rand.NewPCG(seed, 2)), l.p.TrainTasks, "lab-train")
	l.heldout = Generate(rand.New(rand.NewPCG(seed, 3)), l.p.EvalTasks, "lab-eval")
	version := fmt.Sprintf("generated-seed-%d", seed)
	var err error
	if l.trainSet, err = Set(l.train, version); err != nil {
		return err
	}
	l.evalSet, err = Set(l.heldout, version)
	return err
}

func (l *lab) env(set *dataset.Set, j episode.Judger) *episode.Env {
	return &episode.Env{Set: set, Judge: j, Random: episode.NewRandomFeedback(set, j)}
}

// dialogues writes (or reads back) the pretraining dialogues.
func (l *lab) dialogues(ctx context.Context) ([]Dialogue, error) {
	path := l.path(fileDialogs)
	if ds, err := readDialogues(path); err == nil && len(ds) == len(l.pretrain) {
		return ds, nil
	}
	set, err := Set(l.pretrain, "pretrain")
	if err != nil {
		return nil, err
	}
	cj := &CachingJudge{Inner: l.o.Judge}
	bar := progress.New(l.o.Progress, "pretraining dialogues", len(l.pretrain), 0)
	var mu sync.Mutex
	ds, err := l.p.Teacher.Dialogues(ctx, l.env(set, cj), l.pretrain, l.p.Turns, l.o.Seed, 4*runtime.GOMAXPROCS(0), func(n int) {
		mu.Lock()
		bar.Update(n, "judged in the sandbox")
		mu.Unlock()
	})
	bar.Finish()
	if err != nil {
		return nil, err
	}
	l.log.Info("pretraining dialogues written", "dialogues", len(ds), "sandbox_runs", cj.Misses, "cached", cj.Hits)
	err = atomicfile.Write(path, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for _, d := range ds {
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
		return nil
	})
	return ds, err
}

func readDialogues(path string) ([]Dialogue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Dialogue
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var d Dialogue
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, d)
	}
	return out, sc.Err()
}

// pretrainState is the supervised stage's checkpoint state.
type pretrainState struct {
	Step    int              `json:"step"`
	History []train.SFTStats `json:"history"`
}

// pretrainStage trains the starting policy on the teacher's dialogues.
func (l *lab) pretrainStage(ctx context.Context) error {
	if _, err := os.Stat(l.path(fileInit)); err == nil {
		return l.loadPretrainHistory()
	}
	ds, err := l.dialogues(ctx)
	if err != nil {
		return err
	}
	var texts []string
	for _, d := range ds {
		for _, m := range d.Messages {
			texts = append(texts, m.Content)
		}
	}
	b, st, err := l.pretrainBundle(texts)
	if err != nil {
		return err
	}
	lm, err := b.LM(0.1, 1)
	if err != nil {
		return err
	}
	exs := make([]train.Example, len(ds))
	for i, d := range ds {
		exs[i] = lm.Chat().Example(d.Messages)
		if len(exs[i].Tokens) > l.p.Model.Context {
			return fmt.Errorf("pretraining dialogue %s has %d tokens, more than the context of %d", d.Problem, len(exs[i].Tokens), l.p.Model.Context)
		}
	}
	cfg := l.p.SFT
	cfg.Seed = l.o.Seed
	sft := &train.SFT{Config: cfg, Policy: lm, Examples: exs, Step: st.Step}
	bar := progress.New(l.o.Progress, "pretrain", cfg.Steps, st.Step)
	save := func() error {
		st.Step = sft.Step
		raw, err := json.Marshal(st)
		if err != nil {
			return err
		}
		b.State = raw
		return b.Save(l.path(filePretrain))
	}
	last := time.Now()
	err = sft.Run(ctx, func(s train.SFTStats) error {
		st.History = append(st.History, s)
		bar.Update(s.Step, fmt.Sprintf("loss %.3f, %.0f tok/s", s.Loss, s.TokensPerSec))
		if time.Since(last) > 30*time.Second {
			last = time.Now()
			return save()
		}
		return nil
	})
	bar.Finish()
	if err != nil {
		if ctx.Err() != nil {
			if serr := save(); serr != nil {
				return errors.Join(err, serr)
			}
		}
		return err
	}
	if err := save(); err != nil {
		return err
	}
	// The starting policy: weights only.
	init := &train.Bundle{Tokenizer: b.Tokenizer, Policy: b.Policy, State: b.State}
	if err := init.Save(l.path(fileInit)); err != nil {
		return err
	}
	l.summary.Pretrain = st.History
	return nil
}

// pretrainBundle resumes the supervised checkpoint or starts one: a
// tokenizer learned from the dialogues and a fresh model.
func (l *lab) pretrainBundle(texts []string) (*train.Bundle, *pretrainState, error) {
	st := &pretrainState{}
	if b, err := train.LoadBundle(l.path(filePretrain)); err == nil {
		if err := json.Unmarshal(b.State, st); err != nil {
			return nil, nil, fmt.Errorf("%s: state: %w", l.path(filePretrain), err)
		}
		return b, st, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		l.log.Warn("pretraining checkpoint unreadable; starting over", "error", err)
	}
	tok, err := bpe.Train(texts, l.p.Vocab, train.Specials)
	if err != nil {
		return nil, nil, err
	}
	cfg := l.p.Model
	cfg.Vocab = tok.VocabSize()
	m, err := model.New(cfg, l.o.Seed)
	if err != nil {
		return nil, nil, err
	}
	return &train.Bundle{Tokenizer: tok.Spec(), Policy: m, PolicyOpt: model.NewAdamW(cfg, 0.1)}, st, nil
}

func (l *lab) loadPretrainHistory() error {
	b, err := train.LoadBundle(l.path(fileInit))
	if err != nil {
		return err
	}
	var st pretrainState
	if err := json.Unmarshal(b.State, &st); err != nil {
		return fmt.Errorf("%s: state: %w", l.path(fileInit), err)
	}
	l.summary.Pretrain = st.History
	return nil
}
