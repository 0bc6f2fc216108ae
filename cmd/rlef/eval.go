package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/eval"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/report"
	"github.com/rlef/rlef/store"
)

// version is recorded in every run.
const version = "0.1.0"

type evalFlags struct {
	benchmark, data, runDir      string
	model, baseURL, api, profile string
	apiKeyEnv                    string
	turns, samples, maxTokens    int
	temperature, topP            float64
	feedback, extraction         string
	prefill                      bool
	seed                         int64
	limit, concurrency           int
	problemIDs                   []string
	timeout                      time.Duration
	noProgress                   bool
	checkpoint                   string
}

func newEvalCmd() *cobra.Command {
	var f evalFlags
	var sf sandboxFlags
	var nf natsFlags
	cmd := &cobra.Command{
		Use:   "eval --benchmark NAME --model NAME --base-url URL [flags]",
		Short: "Run the RLEF multi-turn protocol against an OpenAI-compatible model",
		Long: `Run RLEF's protocol: for every problem and sample, the model writes code, the
code runs on the public tests, failures come back as feedback, the model revises
(up to --turns), and the final code is judged on the private tests. --turns 1 is
independent sampling.

Everything goes into a run directory (--run; by default runs/ named after the
benchmark, model and settings): store.db (every turn, resumable), turns.jsonl
and summary.json. Re-running the same command resumes: finished episodes are
skipped and model responses already received are replayed from the store
instead of being requested again. API keys come from the environment only
(--api-key-env, default OPENAI_API_KEY).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEval(cmd, &f, &sf, &nf)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.benchmark, "benchmark", "builtin", "benchmark: "+strings.Join(dataset.Names(), ", "))
	fs.StringVar(&f.data, "data", "", "benchmark data file or directory (default: $RLEF_DATA_DIR, then the fetch cache)")
	fs.StringVar(&f.runDir, "run", "", "run directory (default runs/<benchmark>_<model>_<settings>)")
	fs.StringVar(&f.model, "model", "", "model name as the server knows it (required)")
	fs.StringVar(&f.baseURL, "base-url", "", "OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 (required)")
	fs.StringVar(&f.api, "api", "", "chat or completion (default: the profile's)")
	fs.StringVar(&f.profile, "profile", "llama3", "model profile: "+strings.Join(llm.ProfileNames(), ", "))
	fs.StringVar(&f.apiKeyEnv, "api-key-env", "", "environment variable holding the API key (default "+llm.DefaultAPIKeyEnv+", optional)")
	fs.IntVar(&f.turns, "turns", episode.DefaultTurns, "turn limit (1 = independent sampling)")
	fs.IntVar(&f.samples, "samples", 1, "episodes per problem")
	fs.Float64Var(&f.temperature, "temperature", -1, "sampling temperature (default: the profile's; 0.2 for llama3)")
	fs.Float64Var(&f.topP, "top-p", -1, "nucleus sampling (default: the profile's; 0.95 for llama3)")
	fs.IntVar(&f.maxTokens, "max-tokens", 0, "completion length cap (default: the profile's)")
	fs.StringVar(&f.feedback, "feedback", "rlef", "feedback: rlef, none (ablation) or random (ablation)")
	fs.StringVar(&f.extraction, "extraction", "last_fence", "code extraction: last_fence, first_fence, longest_parseable, raw")
	fs.BoolVar(&f.prefill, "prefill", false, "prefill HumanEval-style responses with the prompt (needs a server that continues the final assistant message, e.g. vLLM)")
	fs.Int64Var(&f.seed, "seed", 1, "run seed (each turn's sampling seed derives from it)")
	fs.IntVar(&f.limit, "limit", 0, "only the first N problems")
	fs.StringSliceVar(&f.problemIDs, "problems", nil, "only these problem ids (comma-separated)")
	fs.IntVar(&f.concurrency, "concurrency", eval.DefaultConcurrency, "episodes (and so model requests) in flight")
	fs.DurationVar(&f.timeout, "request-timeout", 10*time.Minute, "timeout of one model request attempt")
	fs.BoolVar(&f.noProgress, "no-progress", false, "no progress bar")
	fs.StringVar(&f.checkpoint, "checkpoint", "", "evaluate a policy checkpoint (from rlef lab or rlef train) in-process instead of --model at --base-url")
	sf.register(fs, 0)
	sf.registerGrading(fs)
	nf.register(fs, false)
	return cmd
}

func runEval(cmd *cobra.Command, f *evalFlags, sf *sandboxFlags, nf *natsFlags) error {
	ctx := cmd.Context()
	plan, err := planEval(ctx, f)
	if err != nil {
		return err
	}
	st, err := store.OpenRun(ctx, plan.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	client, err := evalClient(f, &plan.profile, st)
	if err != nil {
		return err
	}
	jb, err := nf.openJudging(ctx, sf, judge.Options{})
	if err != nil {
		return err
	}
	defer jb.Close()
	runner, err := evalRunner(ctx, f, plan, client, jb)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "rlef eval: %s (%d problems x %d samples, %d turns) with %s at %s -> %s\n",
		plan.set.Name, len(plan.problems), f.samples, f.turns, f.model, f.baseURL, plan.dir)
	opts := eval.Options{Store: st, Info: plan.info, Problems: plan.problems, Runner: runner, Concurrency: f.concurrency}
	if !f.noProgress {
		opts.Progress = cmd.ErrOrStderr()
	}
	stats, runErr := eval.Run(ctx, opts)
	return finishEval(cmd, st, plan.dir, stats, runErr)
}

// evalPlan is what the flags of rlef eval decide before anything runs.
type evalPlan struct {
	set      *dataset.Set
	problems []*dataset.Problem
	profile  llm.Profile
	api      llm.API
	feedback episode.FeedbackMode
	rule     episode.Rule
	info     store.RunInfo // the run's identity, recorded in the store
	dir      string        // the run directory
}

// planEval checks the flags, loads the benchmark and settles the run's
// identity and directory.
func planEval(ctx context.Context, f *evalFlags) (*evalPlan, error) {
	if f.checkpoint != "" {
		if err := useCheckpoint(f); err != nil {
			return nil, err
		}
	}
	if f.model == "" || f.baseURL == "" {
		return nil, errors.New("--model and --base-url are required (or --checkpoint)")
	}
	if f.turns < 1 || f.samples < 1 {
		return nil, errors.New("--turns and --samples must be at least 1")
	}
	fb, err := episode.ParseFeedbackMode(f.feedback)
	if err != nil {
		return nil, err
	}
	rule, err := episode.ParseRule(f.extraction)
	if err != nil {
		return nil, err
	}
	prof, err := llm.LookupProfile(f.profile)
	if err != nil {
		return nil, err
	}
	api := prof.API
	if f.api != "" {
		if api, err = llm.ParseAPI(f.api); err != nil {
			return nil, err
		}
	}
	set, err := dataset.Load(ctx, f.benchmark, dataset.LoadOptions{Path: f.data})
	if err != nil {
		return nil, err
	}
	problems, err := selectProblems(set, f.problemIDs, f.limit)
	if err != nil {
		return nil, err
	}
	plan := &evalPlan{set: set, problems: problems, profile: prof, api: api, feedback: fb, rule: rule}
	plan.info = store.RunInfo{
		Benchmark: set.Name, DataVersion: set.Version, Model: f.model, BaseURL: f.baseURL,
		API: string(api), Profile: prof.Name, MaxTokens: f.maxTokens,
		Turns: f.turns, Samples: f.samples, Feedback: string(fb), Extraction: string(rule),
		Prefill: f.prefill, Seed: f.seed, Language: "python", Version: version,
		Temperature: flagOr(f.temperature, prof.Temperature),
		TopP:        flagOr(f.topP, prof.TopP),
	}
	for _, p := range problems {
		plan.info.Problems = append(plan.info.Problems, p.ID)
	}
	plan.dir = f.runDir
	if plan.dir == "" {
		plan.dir = defaultRunDir(&plan.info)
	}
	return plan, nil
}

// flagOr is a sampling flag's value, or the profile's when the flag is
// negative (unset).
func flagOr(v float64, profile *float64) *float64 {
	if v >= 0 {
		return &v
	}
	return profile
}

// evalClient is the model: a checkpoint in-process, or an OpenAI-compatible
// server whose responses are cached in the run's store.
func evalClient(f *evalFlags, prof *llm.Profile, st *store.Store) (llm.Client, error) {
	if f.checkpoint != "" {
		return checkpointClient(f.checkpoint)
	}
	return llm.New(llm.Config{
		BaseURL: f.baseURL, Model: f.model, Profile: prof, APIKeyEnv: f.apiKeyEnv,
		Timeout: f.timeout, Concurrency: f.concurrency, Cache: st.Cache(),
	})
}

// evalRunner sets up the episode loop the run's settings describe.
func evalRunner(ctx context.Context, f *evalFlags, plan *evalPlan, client llm.Client, jb *judging) (*episode.Runner, error) {
	info, fb := &plan.info, plan.feedback
	j := jb.Judger()
	env := &episode.Env{Set: plan.set, Judge: j, Parser: jb.Parser()}
	if fb == episode.FeedbackRandom {
		env.Random = episode.NewRandomFeedback(plan.set, j)
	}
	req := llm.Request{API: plan.api, Temperature: info.Temperature, TopP: info.TopP, MaxTokens: f.maxTokens}
	if plan.api == llm.APICompletion {
		var err error
		if req.FewShot, err = fewShotFor(ctx, j, plan.set, plan.problems); err != nil {
			return nil, err
		}
	}
	return &episode.Runner{
		Client: client, Env: env, Request: req, Seed: f.seed,
		Config: episode.Config{Turns: f.turns, Feedback: fb, Rule: plan.rule, Prefill: f.prefill},
	}, nil
}

// finishEval exports what the run holds, even after an interruption, and
// reports how it ended.
func finishEval(cmd *cobra.Command, st *store.Store, dir string, stats *eval.Stats, runErr error) error {
	ctx := context.WithoutCancel(cmd.Context())
	if err := eval.ExportTurns(ctx, st, dir); err != nil {
		return errors.Join(runErr, err)
	}
	if err := report.WriteSummary(ctx, st, filepath.Join(dir, eval.SummaryFile)); err != nil {
		return errors.Join(runErr, err)
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) && stats != nil {
			return exitError{code: 130, msg: fmt.Sprintf("interrupted after %d of %d episodes; run the same command again to resume", stats.Done, stats.Expected)}
		}
		return runErr
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "done: %d/%d episodes recorded (%d this time, %d already done), %d passed, %d infrastructure failures; %d model requests (%d from cache)\n",
		stats.Done, stats.Expected, stats.Ran, stats.Skipped, stats.Passed, stats.Infra, stats.Requests, stats.CachedRequests)
	if stats.Infra > 0 {
		fmt.Fprintln(cmd.ErrOrStderr(), "some episodes failed for infrastructure reasons; run the same command again to retry them")
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s\n", dir)
	return nil
}

// selectProblems applies --problems and --limit.
func selectProblems(set *dataset.Set, ids []string, limit int) ([]*dataset.Problem, error) {
	problems := set.Problems
	if len(ids) > 0 {
		problems = nil
		for _, id := range ids {
			p, ok := set.Lookup(id)
			if !ok {
				return nil, fmt.Errorf("problem %q is not in %s", id, set.Name)
			}
			problems = append(problems, p)
		}
	}
	if limit > 0 && limit < len(problems) {
		problems = problems[:limit]
	}
	if len(problems) == 0 {
		return nil, fmt.Errorf("no problems selected from %s", set.Name)
	}
	return problems, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._+-]+`)

// defaultRunDir names a run after what determines it, so the same command
// finds (and resumes) the same directory.
func defaultRunDir(info *store.RunInfo) string {
	model := unsafeName.ReplaceAllString(filepath.Base(info.Model), "-")
	name := fmt.Sprintf("%s_%s_t%d_n%d_%s", info.Benchmark, model, info.Turns, info.Samples, info.Feedback)
	if info.Temperature != nil {
		name += fmt.Sprintf("_T%g", *info.Temperature)
	}
	if len(info.Problems) > 0 {
		name += fmt.Sprintf("_p%d", len(info.Problems))
	}
	return filepath.Join("runs", unsafeName.ReplaceAllString(name, "-"))
}

// fewShotFor builds the base profile's demonstrations from the built-in
// problems, in the evaluated benchmark's template family.
func fewShotFor(ctx context.Context, j episode.Judger, set *dataset.Set, problems []*dataset.Problem) ([][]llm.Message, error) {
	builtin, err := dataset.LoadBuiltin()
	if err != nil {
		return nil, err
	}
	family := episode.FamilyOf(set.Name, problems[0])
	var examples []*dataset.Problem
	for _, p := range builtin.Problems {
		stdio := p.Mode == dataset.ModeStdio
		if stdio == (family == episode.FamilyCodeContests) && len(p.Incorrect) > 0 {
			examples = append(examples, p)
		}
		if len(examples) == 4 {
			break
		}
	}
	shots, err := episode.FewShot(ctx, &episode.Env{Set: builtin, Judge: j}, family, examples)
	if err != nil {
		return nil, fmt.Errorf("few-shot examples: %w", err)
	}
	if len(shots) > 2 {
		shots = shots[:2]
	}
	return shots, nil
}
