package eval

import (
	"context"
	"testing"
	"time"

	"github.com/rlef/rlef/llm/llmtest"
)

// BenchmarkTurnOverhead measures rlef's own cost per turn: model client,
// protocol (prompts, extraction, feedback), store (SQLite writes and the
// response cache) and scheduling. The model answers at once and the judge
// returns at once, so nothing else is timed; every episode takes three
// turns. Reported: ms/turn sequentially (clients=1) and with 8 episodes in
// flight.
func BenchmarkTurnOverhead(b *testing.B) {
	// Wrong until the third turn: three requests and three judgements per
	// episode.
	threeTurns := func(r *llmtest.Request) llmtest.Reply {
		if len(r.Messages) < 5 {
			return llmtest.Text("```python\nprint('wrong')\n```")
		}
		return llmtest.Text("```python\nprint('right')\n```")
	}
	for _, conc := range []int{1, 8} {
		b.Run(map[int]string{1: "clients=1", 8: "clients=8"}[conc], func(b *testing.B) {
			const problems = 20
			var turns int
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f := newFixture(b, problems, threeTurns)
				st, _ := openStore(b, f)
				info, runner := f.setup(st, 1, 3)
				b.StartTimer()
				start := time.Now()
				stats, err := Run(context.Background(), Options{Store: st, Info: info, Problems: f.set.Problems, Runner: runner, Concurrency: conc})
				elapsed += time.Since(start)
				b.StopTimer()
				if err != nil || stats.Passed != problems {
					b.Fatalf("%v %+v", err, stats)
				}
				turns += stats.Requests
				st.Close()
			}
			b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(turns), "ms/turn")
			b.ReportMetric(float64(turns)/elapsed.Seconds(), "turns/s")
		})
	}
}
