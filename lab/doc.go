// Package lab reproduces RLEF's findings at laptop scale: a generated task
// family where execution feedback carries information the statement
// hides, a tiny transformer pretrained to act like an instruct model that
// rarely repairs from feedback, RLEF training against the real sandbox,
// and an evaluation before and after that mirrors the paper's (multi-turn
// 1@3 against single-turn 1@3 at an equal budget, random and no feedback,
// fix rates per turn, bootstrap intervals and paired tests).
//
// The tasks are stdin/stdout problems of two kinds. A hole problem asks to
// print an expression of x with one hidden digit; its public test is
// x = 0, so the feedback's expected output is the digit. A separator
// problem reads two integers separated by a hidden character; a wrong
// guess raises a ValueError whose traceback, like the test's input, shows
// it. Private tests use other inputs, so printing the expected output
// fails. Three independent guesses find the hidden part about a quarter
// of the time; reading the feedback finds it always.
//
// Run runs the pipeline in a run directory and resumes it after an
// interruption; each evaluation is an ordinary rlef run directory.
package lab
