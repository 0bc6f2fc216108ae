// Package judge runs programs against a problem's test suites in the
// sandbox and reports a verdict per test and per suite, with everything
// RLEF's execution feedback needs: the failing test's input, the expected
// and the actual output, the stack trace, and whether the program ran out
// of time or memory.
//
// The trust boundary. The process that runs the candidate never holds an
// expected value, a checker, a verdict or a timer, and every comparison
// happens here, in the supervisor, on data:
//
//   - stdio: the program runs as a fresh process per test (a sandbox batch
//     run) and its stdout is compared here by the problem's checker:
//     "tokens" (DeepMind code_contests rules, integers compared exactly),
//     "lines" (LiveCodeBench) or "exact" (verl). Where the problem's
//     grader wraps stdio programs in a function (APPS, TACO,
//     LiveCodeBench), Python programs run the way that grader runs them
//     (runner.py), in a session, and send back what they printed.
//   - function and class_method: the solution is loaded once in a sandbox
//     session (runner.py); each test sends its arguments and gets back the
//     return value as marshal bytes of exact builtin types, decoded here
//     (package pyvalue) and compared by the rules of the problem's grader
//     (package compare: EvalPlus, LiveCodeBench, APPS). A return value
//     that is not plain data (an object with its own __eq__, a subclass
//     that overrides comparison) is a wrong answer that says why.
//     Expected values that come from a reference solution are computed
//     once per problem the same way, and cached on disk with a checksum
//     together with the reference's CPU time, which sets the time limits
//     the EvalPlus way: max(4 s, 4 × the reference's time), at most 60 s
//     per suite.
//   - assert: the tests (HumanEval's check, MBPP's asserts) run in a
//     tester process of their own (tester.py) beside the solution's; the
//     solution's functions are stand-ins there whose calls cross to the
//     solution's process through the judge, and whose return values cross
//     back as plain data only.
//
// Time limits are on CPU time, enforced from outside over the candidate's
// whole process tree, per test: a loaded machine does not turn a passing
// program into a time-out, and a wall-clock backstop (WallFactor × the
// limit + 1 s) stops programs that sleep or block, extended while a
// program keeps computing.
//
// Verdicts use package verdict's vocabulary. Anything the program can
// cause is a verdict about the program; a sandbox failure (the sandbox's
// own code failing before a program ran) is reported as
// verdict.SandboxError and is never a verdict about the program.
//
// The judge reaches the sandbox through the Sandbox interface; a
// *sandbox.Pool is one (PoolSandbox).
package judge
