// Package metrics computes the evaluation statistics of the RLEF protocol
// (Gehring et al., ICML 2025) from finished rollouts. It is pure and
// deterministic: no I/O, no global state, every random draw comes from a
// PCG source seeded by the caller.
//
// # Inputs
//
// A [Rollout] is one episode of one problem: one [Turn] per model response,
// in order, plus whether the final code passed the final (private) tests.
// A turn's public-test outcome is its verdict from package
// github.com/rlef/rlef/verdict; "accepted" means the public tests passed.
// Rollouts flagged Infra (an infrastructure fault) are excluded from every
// metric and only counted; a problem whose rollouts are all Infra is left
// out of every mean and listed separately.
//
// # Units and budgets
//
// n@k follows AlphaCode (Li et al. 2022, App. A.3) as RLEF uses it: each
// model response ("turn") counts as one sample. A [Spec] names n, the budget
// k in responses and the turn limit T. The unit drawn by the estimator is a
// rollout, and a budget of k responses buys floor(k/T) rollouts: 1@3 with
// T=3 is one rollout, 10@100 with T=3 is 33 rollouts. With early stopping a
// rollout often uses fewer than T responses, so the budget is under-used, as
// in the paper. T=1 gives the usual n@k over independent single-turn samples.
//
// A unit passes the public tests when its final turn's verdict is accepted
// and is correct when its final code passed the final tests (FinalPassed).
// n@k is computed exactly (see [NAtK]), not by simulation.
//
// # Submission policy
//
// AlphaCode's Algorithm 1 submits only units that pass the public tests
// ([FilterOnly]). RLEF's 1@T submits a rollout's final code even when it
// fails the public tests at the turn limit. The default, [FilterThenFill],
// therefore submits public-passing units first and fills any remaining of
// the n slots with drawn units that fail the public tests. When every
// correct unit also passes the public tests (the usual case: a correct
// program passes the statement's examples) the two policies agree.
//
// # Uncertainty
//
// Two percentile bootstraps are available ([CIMethod]); both take the 2.5
// and 97.5 percentiles of 200 replicates by default (linear interpolation
// between order statistics, numpy's default).
//
//   - [CIWithin], the paper's (App. B.1): resample each problem's N
//     rollouts with replacement, keeping the problem set fixed. It
//     measures the rollouts' sampling noise only, and a problem with a
//     single rollout contributes no width: with one rollout per problem
//     the interval collapses to a point.
//   - [CITwoLevel]: draw as many problems as there are, with replacement,
//     then resample each drawn problem's rollouts. It also covers the
//     choice of problems; with one rollout per problem it is the plain
//     bootstrap over problems.
//
// The default, [CIAuto], uses the two-level bootstrap when any problem
// has a single usable rollout and the paper's otherwise, so runs with
// many rollouts per problem stay comparable with the paper's intervals.
// Every result that carries intervals records the choice and its reason
// ([CIChoice]). Because every estimator depends only on how many of a
// problem's rollouts have each outcome, a resample draws those counts
// directly from the multinomial distribution (a chain of exact binomial
// draws), which is equivalent in distribution to redrawing the rollouts
// one by one. Paired comparisons of two runs additionally resample
// problems, with the two runs' values kept together, and report a
// sign-flip permutation p-value; their two-level problem draws are the
// same draws as the paired difference's, so the two agree on one seed.
//
// # Main entry points
//
//   - [PassAtK], [MeanPassAtK], [FinalPassCounts]: pass@k (Chen et al.).
//   - [NAtK]: exact n@k for one problem's counts; [SolveRate],
//     [SolveRates] and [SolveRateCI] over rollouts for a [Spec].
//   - [CompareSTMT]: single-turn against multi-turn at an equal budget.
//   - [ComparePaired], [PairedTest]: two runs on the same problems.
//   - [SolveRateCurve]: n@k against the sample budget.
//   - [AnalyzeBehaviour], [CodeChange], [ChrF], [ComputeRates]: behaviour
//     and operational statistics.
//   - [Summarize]: the headline numbers of one run ([Summary]).
package metrics
