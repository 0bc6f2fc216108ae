package main

import (
	"errors"
	"testing"

	"github.com/rlef/rlef/metrics"
)

// --ci names the bootstrap of rlef report and rlef compare.
func TestReportFlagsCI(t *testing.T) {
	for _, tc := range []struct {
		ci   string
		want metrics.CIMethod
	}{{"auto", metrics.CIAuto}, {"within", metrics.CIWithin}, {"two-level", metrics.CITwoLevel}} {
		f := reportFlags{resamples: 200, ci: tc.ci}
		o, err := f.options()
		if err != nil || o.Bootstrap.Method != tc.want {
			t.Errorf("--ci %s: %v, method %q", tc.ci, err, o.Bootstrap.Method)
		}
	}
	f := reportFlags{resamples: 200, ci: "nested"}
	if _, err := f.options(); !errors.Is(err, metrics.ErrUnknownCIMethod) {
		t.Errorf("--ci nested: error %v", err)
	}
	for _, cmd := range []string{"report", "compare"} {
		c := newReportCmd()
		if cmd == "compare" {
			c = newCompareCmd()
		}
		fl := c.Flags().Lookup("ci")
		if fl == nil || fl.DefValue != "auto" {
			t.Errorf("rlef %s: --ci flag %+v, want default auto", cmd, fl)
		}
	}
}
