package main

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/rlef/rlef/judge"
)

// registerGrading adds the options that choose how verdicts are graded to
// a command that judges.
func (f *sandboxFlags) registerGrading(fs *pflag.FlagSet) {
	fs.StringVar(&f.evalplusVersion, "evalplus-version", "master",
		"EvalPlus grading to reproduce on HumanEval+/MBPP+: master (today's rules, 4 s minimum time limit), a release ("+
			strings.Join(judge.EvalPlusVersions[1:], ", ")+"; 1 s minimum), where v0.2.2-image is the Docker image that produced the verdict files published in 2024 (see docs/evalplus-grading.md)")
}
