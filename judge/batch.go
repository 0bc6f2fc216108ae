package judge

import (
	"context"
	"sync"

	"github.com/rlef/rlef/dataset"
)

// Task is one submission to judge in a batch.
type Task struct {
	Problem    *dataset.Problem
	Submission Submission
	// Suites as for Judge.Judge; nil means the default suites.
	Suites []Suite
}

// Batch judges tasks concurrently and calls done, from one goroutine at a
// time, for each task as it finishes (in completion order, with the task's
// position). workers bounds the samples in flight; 0 means twice the
// pool's slots, which keeps the slots busy while results are assembled.
// A non-nil error from done stops the batch and is returned; so is the
// context's error.
func (j *Judge) Batch(ctx context.Context, tasks []Task, workers int, done func(i int, r *Result, err error) error) error {
	if workers <= 0 {
		workers = 2 * j.sb.Slots()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		i   int
		r   *Result
		err error
	}
	next := make(chan int)
	results := make(chan outcome)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(tasks)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t := tasks[i]
				r, err := j.Judge(ctx, t.Problem, t.Submission, t.Suites...)
				select {
				case results <- outcome{i, r, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range tasks {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
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
