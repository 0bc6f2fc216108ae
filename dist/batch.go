package dist

import (
	"context"
	"sync"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/judge"
)

// batch judges tasks with at most workers in flight and calls done, from
// one goroutine at a time, as each finishes (judge.Judge.Batch's
// contract).
func batch(ctx context.Context, tasks []judge.Task, workers int,
	judgeOne func(context.Context, *dataset.Problem, judge.Submission, ...judge.Suite) (*judge.Result, error),
	done func(i int, r *judge.Result, err error) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		i   int
		r   *judge.Result
		err error
	}
	results := make(chan outcome)
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	go func() {
		defer func() { wg.Wait(); close(results) }()
		for i := range tasks {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				t := tasks[i]
				r, err := judgeOne(ctx, t.Problem, t.Submission, t.Suites...)
				select {
				case results <- outcome{i, r, err}:
				case <-ctx.Done():
				}
			}()
		}
	}()
	var firstErr error
	for o := range results {
		if firstErr != nil {
			continue
		}
		if ctx.Err() != nil {
			firstErr = ctx.Err()
			cancel()
			continue
		}
		if err := done(o.i, o.r, o.err); err != nil {
			firstErr = err
			cancel()
		}
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}
