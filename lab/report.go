package lab

import (
	"context"
	"fmt"
	"io"

	"github.com/rlef/rlef/internal/atomicfile"
	"github.com/rlef/rlef/report"
)

// writeReport writes report.html: findings, the before/after comparison,
// training curves, and every evaluation run with its episodes.
func (l *lab) writeReport(ctx context.Context) error {
	s := l.summary
	page := report.LabPage{
		Title: fmt.Sprintf("rlef lab: preset %s, seed %d", s.Preset, s.Seed),
		Notes: []string{
			"Task family: generated stdin/stdout problems whose statement hides a digit or an input separator; the public test's feedback reveals it (the expected output, or the input in a traceback), and private tests on other inputs reject printing the expected output.",
			"The starting policy is a tiny transformer pretrained on dialogues whose later turns mostly repeat the previous reply or try afresh, as instruct models do; RLEF then trains it with the paper's objective against the real sandbox.",
			"Single-turn 1@3 uses the first response of each multi-turn rollout, as the paper does; p-values are paired sign-flip tests over problems.",
		},
		Tables: []report.Table{l.findingsTable(), l.evaluationTable()},
	}
	var groups []string
	var vals [][]report.Bar
	for _, e := range s.Evaluations {
		groups = append(groups, e.Tag+" RL")
		vals = append(vals, []report.Bar{{V: e.MT.Value, Lo: e.MT.Lo, Hi: e.MT.Hi}, {V: e.ST.Value, Lo: e.ST.Lo, Hi: e.ST.Hi},
			{V: e.Random.Value, Lo: e.Random.Lo, Hi: e.Random.Hi}, {V: e.None.Value, Lo: e.None.Lo, Hi: e.None.Hi}})
	}
	page.Bars = []report.BarChart{{ID: "solve-rates", Title: "Held-out 1@3 before and after RLEF (95% CI)", YLabel: "solve rate",
		Groups: groups, Series: []string{"multi-turn", "single-turn", "random feedback", "no feedback"}, Values: vals}}
	page.Curves = trainingCurves(s)
	for _, e := range s.Evaluations {
		for _, dir := range e.Dirs {
			run, err := report.Load(ctx, dir)
			if err != nil {
				return err
			}
			a := report.Analyze(run, report.Options{MaxEpisodes: 24})
			a.Label = fmt.Sprintf("%s RL, feedback %s", e.Tag, run.Info.Feedback)
			page.Runs = append(page.Runs, a)
		}
	}
	return atomicfile.Write(l.path(fileReport), 0o644, func(w io.Writer) error { return report.WriteLabHTML(w, page) })
}

func trainingCurves(s *Summary) []report.Curve {
	var it []float64
	series := map[string][]float64{}
	for _, st := range s.Training {
		it = append(it, float64(st.Iteration))
		for k, v := range map[string]float64{
			"return": st.Return, "solved": st.Solved, "fixed": st.FixRate, "kl": st.KL, "value loss": st.ValueLoss,
			"explained variance": st.ExplainedVariance, "entropy": st.Entropy, "invalid": st.InvalidRate,
			"train": st.TrainTokensPerSec, "sample": st.SampleTokensPerSec,
		} {
			series[k] = append(series[k], v)
		}
	}
	line := func(names ...string) []report.CurveSeries {
		var out []report.CurveSeries
		for _, n := range names {
			out = append(out, report.CurveSeries{Name: n, X: it, Y: series[n]})
		}
		return out
	}
	curves := []report.Curve{
		{ID: "return", Title: "Training episodes: mean return", XLabel: "iteration", YLabel: "return", Series: line("return")},
		{ID: "solved", Title: "Training episodes: solved, and fixed after a failed first turn", XLabel: "iteration", YLabel: "fraction", Series: line("solved", "fixed")},
		{ID: "kl", Title: "Per-turn KL against the initial policy", XLabel: "iteration", YLabel: "nats per token", Series: line("kl")},
		{ID: "value", Title: "Value network: loss and explained variance", XLabel: "iteration", YLabel: "", Series: line("value loss", "explained variance")},
		{ID: "entropy", Title: "Policy entropy on its replies", XLabel: "iteration", YLabel: "nats per token", Series: line("entropy")},
		{ID: "invalid", Title: "Turns without code", XLabel: "iteration", YLabel: "fraction", Series: line("invalid")},
		{ID: "throughput", Title: "Throughput", XLabel: "iteration", YLabel: "tokens/s", Series: line("train", "sample")},
	}
	var steps, loss []float64
	for _, p := range s.Pretrain {
		steps, loss = append(steps, float64(p.Step)), append(loss, p.Loss)
	}
	if len(steps) > 0 {
		curves = append(curves, report.Curve{ID: "pretrain", Title: "Supervised pretraining loss", XLabel: "step", YLabel: "nats per token",
			Series: []report.CurveSeries{{Name: "loss", X: steps, Y: loss}}})
	}
	return curves
}

func (l *lab) findingsTable() report.Table {
	f := l.summary.Findings
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	return report.Table{ID: "findings", Title: "The paper's findings on this run", Header: []string{"finding", "measured", "holds"},
		Rows: [][]string{
			{"before RL, multi-turn ≈ single-turn (no significant difference)", fmt.Sprintf("%+.1f points, p = %.2g", 100*f.BeforeMTMinusST, f.BeforeP), yes(f.BeforeSimilar)},
			{"after RL, multi-turn 1@3 > single-turn 1@3 (paired p < 0.05)", fmt.Sprintf("%+.1f points, p = %.2g", 100*f.AfterMTMinusST, f.AfterP), yes(f.MTAfterGreater)},
			{"true feedback > random feedback after RL", fmt.Sprintf("%+.1f points, p = %.2g", 100*f.AfterTrueMinusRandom, f.AfterTrueVsRandomP), yes(f.TrueGreater)},
			{"the training return rises", fmt.Sprintf("%.3f → %.3f", f.ReturnFirst, f.ReturnLast), yes(f.ReturnRises)},
		}}
}

func (l *lab) evaluationTable() report.Table {
	t := report.Table{ID: "evaluation", Title: "Held-out problems, 1@3 (95% CI)",
		Header: []string{"policy", "multi-turn", "single-turn", "MT − ST", "p", "random feedback", "no feedback", "fixed at turn 2", "fixed at turn 3"}}
	for _, e := range l.summary.Evaluations {
		fix := e.FixRates["rlef"]
		f2, f3 := "–", "–"
		if len(fix) > 0 {
			f2 = fmt.Sprintf("%.0f%%", 100*fix[0])
		}
		if len(fix) > 1 {
			f3 = fmt.Sprintf("%.0f%%", 100*fix[1])
		}
		t.Rows = append(t.Rows, []string{e.Tag + " RL", pct(e.MT.Value, e.MT.Lo, e.MT.Hi), pct(e.ST.Value, e.ST.Lo, e.ST.Hi),
			fmt.Sprintf("%+.1f", 100*(e.MT.Value-e.ST.Value)), fmt.Sprintf("%.2g", e.MTvsST.PValue),
			pct(e.Random.Value, e.Random.Lo, e.Random.Hi), pct(e.None.Value, e.None.Lo, e.None.Hi), f2, f3})
	}
	return t
}
