package report

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/internal/testenv"
)

// chromiumPath finds Debian's chromium; tests skip without it (and fail
// under CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Missing(t, "chromium not installed (Debian: apt-get install -y chromium): the headless rendering test needs it")
	return ""
}

// runChromium runs headless chromium on a file with extra arguments and
// returns its stdout.
func runChromium(t *testing.T, bin, file string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+file)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// layoutFacts is what the page's script records in body[data-layout].
type layoutFacts struct {
	Charts []struct {
		ID    string `json:"id"`
		W     int    `json:"w"`
		H     int    `json:"h"`
		Marks int    `json:"marks"`
	} `json:"charts"`
	Episodes     int `json:"episodes"`
	FirstEpisode *struct {
		W     int `json:"w"`
		H     int `json:"h"`
		Turns int `json:"turns"`
		Diffs int `json:"diffs"`
	} `json:"firstEpisode"`
}

var layoutAttr = regexp.MustCompile(`<body[^>]*\sdata-layout="([^"]*)"`)

// TestHTMLRendersInChromium renders the report in headless chromium and
// checks from the DOM after layout that every chart has a size and marks
// and that episodes open with their turns and diffs; a screenshot must
// show more than a blank page.
func TestHTMLRendersInChromium(t *testing.T) {
	bin := chromiumPath(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := WriteHTML(&b, AnalyzeAll(syntheticRuns(), quickOpts)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := runChromium(t, bin, file, "--dump-dom")
	m := layoutAttr.FindSubmatch(dom)
	if m == nil {
		t.Fatalf("no layout facts in the dumped DOM (did the page script run?):\n%.2000s", dom)
	}
	var facts layoutFacts
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &facts); err != nil {
		t.Fatalf("layout facts: %v: %s", err, m[1])
	}
	wantCharts := strings.Count(b.String(), `<svg class="chart"`)
	if len(facts.Charts) != wantCharts || wantCharts < 10 {
		t.Errorf("%d charts laid out, %d in the page", len(facts.Charts), wantCharts)
	}
	for _, c := range facts.Charts {
		if c.W < 200 || c.H < 100 || c.Marks < 3 {
			t.Errorf("chart %s rendered %dx%d with %d marks", c.ID, c.W, c.H, c.Marks)
		}
	}
	if facts.Episodes != 60 {
		t.Errorf("%d episodes in the DOM, want 60", facts.Episodes)
	}
	if fe := facts.FirstEpisode; fe == nil || fe.H < 100 || fe.W < 300 || fe.Turns < 1 {
		t.Errorf("first episode did not render when opened: %+v", fe)
	}
	// The filter form is shown by the script.
	if bytes.Contains(dom, []byte(`<form class="filters" hidden`)) {
		t.Errorf("filters still hidden after the script ran")
	}

	if testing.Short() {
		return // the screenshot check costs another browser start
	}
	shot := filepath.Join(dir, "shot.png")
	runChromium(t, bin, file, "--screenshot="+shot, "--window-size=1280,2000")
	if keep := os.Getenv("RLEF_REPORT_SCREENSHOT"); keep != "" {
		if data, err := os.ReadFile(shot); err == nil {
			os.WriteFile(keep, data, 0o644)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if n := colours(img); n < 20 {
		t.Errorf("screenshot has %d distinct colours; the page looks blank", n)
	}
}

// colours counts distinct colours on a coarse grid of the image.
func colours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 4 {
		for x := r.Min.X; x < r.Max.X; x += 4 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[[3]uint32{cr >> 10, cg >> 10, cb >> 10}] = true
		}
	}
	return len(seen)
}
