// Package report turns RLEF run directories into the paper's kind of
// tables and figures (Gehring et al., ICML 2025, §3–§4): solve rates with
// bootstrap confidence intervals, single-turn against multi-turn at an
// equal budget (Table 2), solve rate against the sample budget (Fig. 4),
// per-turn error categories and the errors fixed at later turns (Fig. 3),
// and the code change between turns as 1 − chrF.
//
// It reads runs through package store, converts stored episodes to
// [metrics.Rollout]s ([Rollouts]) and renders
//
//   - Markdown for the terminal ([WriteMarkdown], [Comparison.WriteMarkdown]);
//   - one self-contained HTML page with inline CSS, inline SVG charts drawn
//     here and a drill-down into every episode ([WriteHTML],
//     [Comparison.WriteHTML]); the page fetches nothing and its tables and
//     charts work without JavaScript.
//
// [Summary] computes a run's summary.json content; the evaluation loop
// calls it (or [WriteSummary]) when a run ends. [Compare] sets runs side by
// side and computes paired differences, refusing runs that are not
// comparable ([CheckComparable]) with a message naming every difference.
//
// The package imports store, episode, judge and metrics, never eval.
package report
