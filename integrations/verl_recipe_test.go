package integrations_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rlef/rlef/internal/testenv"
)

// The verl recipe's Python tests: the advantage glue against golden
// vectors written by the Go trainer (go test ./train -run
// TestVerlGoldenVectors -update), and the verl adapter on a stand-in
// batch. They need Debian's python3 with numpy (and torch for the
// adapter); under CI a missing interpreter or numpy fails the test.
func TestVerlRecipe(t *testing.T) {
	if err := exec.Command(python, "-c", "import numpy").Run(); err != nil {
		testenv.Missing(t, "%s with numpy is needed for the verl recipe's tests: %v (scripts/setup.sh installs python3-numpy)", python, err)
	}
	cmd := exec.Command(python, "-m", "unittest", "discover", "-v", "-s", "verl/recipe", "-p", "test_*.py")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("recipe tests failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "OK") {
		t.Fatalf("unexpected unittest output:\n%s", out)
	}
	t.Logf("%s", out)
}
