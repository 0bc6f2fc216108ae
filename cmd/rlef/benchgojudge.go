package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/rlef/rlef/internal/gojudge"
)

// goJudgeTargets drives a running go-judge with the benchmark's programs:
// Python from source on every run, C++ compiled once and cached there.
// release deletes the cached binary.
func goJudgeTargets(ctx context.Context, url string) ([]benchTarget, func(), error) {
	c := gojudge.New(url, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}})
	prog, err := c.CompileCPP(ctx, benchCPP)
	if err != nil {
		return nil, func() {}, fmt.Errorf("--compare-go-judge: %w", err)
	}
	release := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		prog.Delete(dctx)
	}
	check := func(out gojudge.Output, err error) error {
		if err != nil {
			return fmt.Errorf("go-judge: %w", err)
		}
		if out.Stdout != benchInput {
			return fmt.Errorf("go-judge: stdout %q", out.Stdout)
		}
		return nil
	}
	python := func(ctx context.Context) error { return check(c.RunPython(ctx, benchPython, benchInput)) }
	cpp := func(ctx context.Context) error { return check(prog.Run(ctx, benchInput)) }
	return []benchTarget{
		{"python", pathGoJudge, shared(python)},
		{"cpp", pathGoJudge, shared(cpp)},
	}, release, nil
}
