// Package hostile is a corpus of programs written the way a policy under
// RL would write them to earn a reward without solving the problem, to
// leave state behind for the next sample, or to harm the host: several
// cases for every class of attack in the project's trust notes
// (../shared/research/trust.md), the problems they target, each problem's
// honest solution, and what each case must get.
//
// The corpus is data; the tests that run it through the three entry
// points a trainer uses (`rlef judge`, POST /get_reward and POST
// /run_code) live beside those entry points (cmd/rlef/hostile_test.go,
// server/hostile_test.go). They share the checks here: Case.Check judges
// an attack's outcome (the cheat earns nothing, and a failure the program
// causes is a verdict about the program, never a sandbox error),
// CheckControl an honest program's, and the Host* helpers the state of the
// host afterwards (no process left outside the slots, host files and
// cgroups as they were, no host path in anything a program could read).
package hostile
