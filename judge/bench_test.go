package judge

import (
	"context"
	"testing"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/shareddata"
)

// BenchmarkHumanEvalPlus judges the 164 HumanEval+ canonical solutions on
// all their base and plus inputs (124k calls); reference outputs are
// computed before the timed batch. Run with -benchtime=1x.
func BenchmarkHumanEvalPlus(b *testing.B) {
	j := testJudge(b)
	path := shareddata.Path(b, "evalplus", "HumanEvalPlus.jsonl.gz")
	set, err := dataset.Load(context.Background(), "humaneval+", dataset.LoadOptions{Path: path})
	if err != nil {
		b.Fatal(err)
	}
	benchTasks(b, j, "humaneval+ references", ReferenceTasks(set))
}

// BenchmarkCodeContests judges a program that echoes its input on every
// public and private test of the 165 CodeContests test problems (rllm's
// copy has no solutions, so this measures the cost of running a test, not
// of solving it). Run with -benchtime=1x.
func BenchmarkCodeContests(b *testing.B) {
	j := testJudge(b)
	path := shareddata.Path(b, "codecontests", "rllm_test_code_contests_165.json")
	set, err := dataset.Load(context.Background(), "codecontests", dataset.LoadOptions{Path: path})
	if err != nil {
		b.Fatal(err)
	}
	benchTasks(b, j, "codecontests echo", ProgramTasks(set, Submission{Code: EchoProgram}))
}

func benchTasks(b *testing.B, j *Judge, name string, tasks []Task) {
	for i := 0; i < b.N; i++ {
		rep, err := j.Bench(context.Background(), name, tasks)
		if err != nil {
			b.Fatal(err)
		}
		b.Log(rep.String())
		b.ReportMetric(rep.Wall.Seconds(), "wall-s")
		b.ReportMetric(rep.RunCPU.Seconds(), "cpu-s")
		b.ReportMetric(rep.Ratio(), "wall/cpu")
		b.ReportMetric(rep.SlotRatio(), "wall*slots/cpu")
	}
}
