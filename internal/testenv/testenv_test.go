package testenv

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestCI(t *testing.T) {
	for v, want := range map[string]bool{"": false, "true": true, "1": true, "TRUE": true, "false": false, "0": false, "yes": false} {
		t.Setenv("CI", v)
		if got := CI(); got != want {
			t.Errorf("CI=%q: CI() = %v, want %v", v, got, want)
		}
	}
}

// Missing skips outside CI and fails under it; the verdicts are those of
// a child test process.
func TestMissing(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") == "1" {
		Missing(t, "no %s here", "widget")
		t.Fatal("Missing returned")
	}
	for _, tc := range []struct {
		ci       string
		wantFail bool
		wantText string
	}{
		{"", false, "SKIP: TestMissing"},
		{"true", true, "no widget here"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", "CI="+tc.ci)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != tc.wantFail || !strings.Contains(string(out), tc.wantText) {
			t.Errorf("CI=%q: failed %v (want %v), output:\n%s", tc.ci, failed, tc.wantFail, out)
		}
	}
}

func TestScaledAndSeeded(t *testing.T) {
	t.Setenv("RLEF_DIFF_SCALE", "3")
	t.Setenv("RLEF_DIFF_SEED", "7")
	want := 30
	if testing.Short() {
		want = 6
	}
	if got := Scaled(10); got != want {
		t.Errorf("Scaled(10) = %d, want %d", got, want)
	}
	if got := Seeded(1); got != 8 {
		t.Errorf("Seeded(1) = %d, want 8", got)
	}
	t.Setenv("RLEF_DIFF_SCALE", "")
	if got := Scaled(1); got != 1 {
		t.Errorf("Scaled(1) = %d, want 1 (never none)", got)
	}
}

func TestShortSample(t *testing.T) {
	xs := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	got := ShortSample(xs, 4)
	if !testing.Short() {
		if len(got) != len(xs) {
			t.Fatalf("without -short: %v, want all of %v", got, xs)
		}
		return
	}
	if want := []int{0, 2, 5, 7}; !slices.Equal(got, want) {
		t.Errorf("ShortSample(0..9, 4) = %v, want %v", got, want)
	}
	if got := ShortSample(xs[:3], 4); len(got) != 3 {
		t.Errorf("a short list is kept whole: %v", got)
	}
}
