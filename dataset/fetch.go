package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rlef/rlef/internal/atomicfile"
)

// FetchOptions tunes Fetch.
type FetchOptions struct {
	// Split and Version select the variant, as in LoadOptions.
	Split   string
	Version string
	// BaseURL, when set, replaces the scheme and host of every download
	// URL (keeping the path), for mirrors and tests.
	BaseURL string
	// Client is the HTTP client; nil means a client with a 30-minute
	// overall timeout.
	Client *http.Client
	// Progress receives a progress bar for files over 1 MiB (and for
	// files of unknown size); nil shows nothing.
	Progress io.Writer
	// Force downloads files again even when the cached copy is intact. For
	// files without a pinned digest it also accepts a digest different
	// from the one recorded earlier (the upstream file changed).
	Force bool
}

// progressThreshold is the size from which downloads show progress.
const progressThreshold = 1 << 20

// Fetch downloads a benchmark's public files from their canonical
// locations into cacheDir ("" means DefaultCacheDir()), under the
// benchmark's subdirectory, and returns their paths. Files with a pinned
// sha256 are verified against it; for the others the digest of the first
// download is recorded in manifest.json next to the files and later
// downloads and loads are verified against it. Every file is written to a
// temporary name and renamed into place only when complete and verified, so
// an interrupted fetch leaves nothing half-written behind (and is simply
// started again next time). Files already present and intact are not
// downloaded again.
func Fetch(ctx context.Context, name, cacheDir string, opts FetchOptions) ([]string, error) {
	b, err := lookupBenchmark(name)
	if err != nil {
		return nil, err
	}
	v := Variant{Split: opts.Split, Version: opts.Version}
	if err := b.checkVariant(v); err != nil {
		return nil, err
	}
	if b.remote == nil {
		if b.load == nil {
			return nil, fmt.Errorf("benchmark %s is embedded in the binary; nothing to fetch", b.Name)
		}
		return nil, fmt.Errorf("benchmark %s has no public download; pass --data PATH", b.Name)
	}
	if cacheDir == "" {
		cacheDir = DefaultCacheDir()
	}
	dir := filepath.Join(cacheDir, b.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Minute}
	}
	spec := b.remote(v)
	files := append([]RemoteFile(nil), spec.files...)
	if spec.listing != nil {
		listed, err := listHF(ctx, client, opts.BaseURL, spec.listing)
		if err != nil {
			return nil, err
		}
		files = append(files, listed...)
	}
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, rf := range files {
		p, err := fetchOne(ctx, client, dir, rf, m, opts)
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// fetchOne makes sure one file is present and intact.
func fetchOne(ctx context.Context, client *http.Client, dir string, rf RemoteFile, m *Manifest, opts FetchOptions) (string, error) {
	if rf.Name == "" || rf.Name != filepath.Base(rf.Name) || strings.HasPrefix(rf.Name, ".") {
		return "", fmt.Errorf("refusing to store a download under the name %q", rf.Name)
	}
	dest := filepath.Join(dir, rf.Name)
	pinned := rf.SHA256 != ""
	expected := rf.SHA256
	recorded, hasRecord := m.Files[rf.Name]
	if expected == "" && hasRecord && !opts.Force {
		expected = recorded.SHA256
	}
	if st, err := os.Stat(dest); err == nil && !opts.Force {
		sum, err := fileSHA256(dest)
		if err != nil {
			return "", err
		}
		if expected == "" || sum == expected {
			if !hasRecord || recorded.SHA256 != sum {
				m.Files[rf.Name] = ManifestEntry{URL: rf.URL, SHA256: sum, Size: st.Size(), Pinned: pinned, Fetched: time.Now().UTC()}
				if err := m.write(dir); err != nil {
					return "", err
				}
			}
			slog.Info("already fetched", "file", dest)
			return dest, nil
		}
		slog.Warn("cached file does not match its digest; downloading it again", "file", dest, "sha256", sum, "want", expected)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	u, err := rewriteURL(rf.URL, opts.BaseURL)
	if err != nil {
		return "", err
	}
	sum, size, err := download(ctx, client, u, dest, rf.Name, opts.Progress, func(sum string) error {
		if expected != "" && sum != expected {
			what := "the digest recorded at the first download"
			if pinned {
				what = "the pinned digest"
			}
			return fmt.Errorf("download of %s has sha256 %s, but %s is %s; not saved", u, sum, what, expected)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	m.Files[rf.Name] = ManifestEntry{URL: rf.URL, SHA256: sum, Size: size, Pinned: pinned, Fetched: time.Now().UTC()}
	if err := m.write(dir); err != nil {
		return "", err
	}
	slog.Info("fetched", "file", dest, "sha256", sum, "bytes", size)
	return dest, nil
}

// download streams u into dest, atomically, and lets check veto the
// digest before the file takes its place.
func download(ctx context.Context, client *http.Client, u, dest, label string, progress io.Writer, check func(sum string) error) (string, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("User-Agent", "rlef (+https://github.com/rlef/rlef)")
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("download %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("download %s: HTTP %s", u, resp.Status)
	}
	var sum string
	var size int64
	err = atomicfile.Write(dest, 0o644, func(file io.Writer) error {
		h := sha256.New()
		w := io.MultiWriter(file, h)
		if progress != nil && (resp.ContentLength < 0 || resp.ContentLength > progressThreshold) {
			bar := newDownloadBar(resp.ContentLength, label, progress)
			defer bar.Close()
			w = io.MultiWriter(file, h, bar)
		}
		var err error
		if size, err = io.Copy(w, resp.Body); err != nil {
			return fmt.Errorf("download %s: %w", u, err)
		}
		if resp.ContentLength >= 0 && size != resp.ContentLength {
			return fmt.Errorf("download %s: got %d bytes, want %d", u, size, resp.ContentLength)
		}
		sum = hex.EncodeToString(h.Sum(nil))
		return check(sum)
	})
	if err != nil {
		return "", 0, err
	}
	return sum, size, nil
}

// newDownloadBar shows a download's progress on w.
func newDownloadBar(total int64, label string, w io.Writer) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(10),
		progressbar.OptionThrottle(65*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

// rewriteURL points u at base (scheme, host and path prefix), keeping u's
// path and query.
func rewriteURL(u, base string) (string, error) {
	if base == "" {
		return u, nil
	}
	pu, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	pb, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("base URL %q: %w", base, err)
	}
	if pb.Scheme == "" || pb.Host == "" {
		return "", fmt.Errorf("base URL %q needs a scheme and host", base)
	}
	pu.Scheme, pu.Host = pb.Scheme, pb.Host
	pu.Path = strings.TrimRight(pb.Path, "/") + pu.Path
	return pu.String(), nil
}

// hfTreeEntry is one entry of HuggingFace's tree API.
type hfTreeEntry struct {
	Type string `json:"type"`
	Path string `json:"path"`
	Size int64  `json:"size"`
	LFS  *struct {
		OID  string `json:"oid"`
		Size int64  `json:"size"`
	} `json:"lfs"`
}

// listHF lists the files of a HuggingFace dataset directory that match
// the listing; their LFS object ids are their sha256 digests.
func listHF(ctx context.Context, client *http.Client, base string, l *hfListing) ([]RemoteFile, error) {
	api, err := rewriteURL(fmt.Sprintf("%s/api/datasets/%s/tree/main/%s", hfBase, l.repo, l.dir), base)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", api, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("list %s: HTTP %s", api, resp.Status)
	}
	var entries []hfTreeEntry
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&entries); err != nil {
		return nil, fmt.Errorf("list %s: %w", api, err)
	}
	var out []RemoteFile
	for _, e := range entries {
		name := path.Base(e.Path)
		if e.Type != "file" || !strings.HasPrefix(name, l.prefix) || !strings.HasSuffix(name, l.suffix) {
			continue
		}
		rf := RemoteFile{Name: name, URL: fmt.Sprintf("%s/datasets/%s/resolve/main/%s", hfBase, l.repo, e.Path)}
		if e.LFS != nil && len(e.LFS.OID) == 64 {
			rf.SHA256 = e.LFS.OID
		}
		out = append(out, rf)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("list %s: no files named %s*%s", api, l.prefix, l.suffix)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
