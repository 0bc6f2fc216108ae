// Package judge runs programs against a problem's test suites in the
// sandbox and reports a verdict per test and per suite, with everything
// RLEF's execution feedback needs: the failing test's input, the expected
// and the actual output, the stack trace, and whether the program ran out
// of time or memory.
//
// How a problem is judged depends on its mode (dataset.Mode):
//
//   - stdio: the program reads a test's input on stdin; its stdout is
//     compared by the problem's checker: "tokens" (DeepMind code_contests
//     rules, the default), "lines" (LiveCodeBench) or "exact" (verl).
//     C++ programs are compiled once and run in one sandbox run per test,
//     tests in parallel over the pool's slots. Python programs run many
//     tests per sandbox run: a harness inside the sandbox forks a child per
//     test, set up as `python3 main.py` would be, with the test's own CPU,
//     address-space and file-size limits (Options.RunPerTest turns this
//     off). No expected output enters the sandbox; suites that stop at the
//     first failure run in growing chunks (1, 4, 16, ... tests). Where the
//     dataset says its own harness wraps stdin programs in a function
//     (APPS, TACO, LiveCodeBench), Python programs run the way that harness
//     runs them, which some programs depend on.
//   - function and class_method: one sandboxed Python process per sample
//     runs every test through an embedded harness (harness.py) that calls
//     the entry point, enforces a per-test time limit, and compares return
//     values by the rules of the benchmark's own evaluator (EvalPlus,
//     LiveCodeBench or APPS). Expected values that come from a reference
//     solution are computed once per problem, in the same harness, and
//     cached on disk together with the reference's running time, which
//     sets the time limits the EvalPlus way: max(4 s, 4 × the reference's
//     time), at most 60 s per suite.
//   - assert: one process per sample runs each test's code after the
//     solution and reports the first failing assertion with its values.
//
// Time limits are on CPU time, so that a loaded machine does not turn a
// passing program into a time-out; a wall-clock backstop (WallFactor × the
// limit + 1 s) stops programs that sleep or block, and is extended while
// a program keeps computing.
//
// Verdicts use package verdict's vocabulary. A sandbox failure is reported
// as verdict.SandboxError and is never a verdict about the program.
//
// In the harness modes the solution shares a process with the code that
// checks it, as in EvalPlus and LiveCodeBench: the harness hides its
// result channel, files and expected values from casual access, but a
// program that inspects its own interpreter could reach them. Untrusted
// programs cannot escape the sandbox either way.
package judge
