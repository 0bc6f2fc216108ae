package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/rlef/rlef/internal/atomicfile"
	"github.com/rlef/rlef/verdict"
)

// diskCache keeps compile results on disk, bounded in size: a result
// (.json, with the binary's checksum) and the binary (.bin) per key, the
// least recently used evicted first (use refreshes the files' times).
// Several processes may share one; each keeps the total under its bound
// by rescanning when its own count says the bound was passed.
type diskCache struct {
	dir      string
	maxBytes int64

	mu    sync.Mutex
	bytes int64
}

type diskResult struct {
	Status   verdict.Verdict `json:"status"`
	ExitCode int             `json:"exit_code"`
	Stderr   string          `json:"stderr"`
	Stdout   string          `json:"stdout"`
	Message  string          `json:"message"`
	Limit    verdict.Verdict `json:"limit,omitempty"`
	CPUMs    int64           `json:"cpu_ms"`
	WallMs   int64           `json:"wall_ms"`
	Memory   int64           `json:"memory"`
	// SHA256 is the binary's checksum; a binary that does not match is
	// not used.
	SHA256 string `json:"sha256,omitempty"`
}

func openDiskCache(dir string, maxBytes int64) (*diskCache, error) {
	d := &diskCache{dir: dir, maxBytes: maxBytes}
	files, err := d.scan()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		d.bytes += f.size
	}
	return d, nil
}

func (d *diskCache) path(key, ext string) string {
	return filepath.Join(d.dir, key[:2], key+ext)
}

// load returns the cached result and binary (nil for a failed
// compilation) of key.
func (d *diskCache) load(key string) (*Result, []byte, error) {
	meta, err := os.ReadFile(d.path(key, ".json"))
	if err != nil {
		return nil, nil, err
	}
	var dr diskResult
	if err := json.Unmarshal(meta, &dr); err != nil {
		return nil, nil, err
	}
	res := &Result{Status: dr.Status, ExitCode: dr.ExitCode, Stdout: []byte(dr.Stdout), Stderr: []byte(dr.Stderr),
		Message: dr.Message, CompileLimit: dr.Limit, CPUTime: time.Duration(dr.CPUMs) * time.Millisecond,
		WallTime: time.Duration(dr.WallMs) * time.Millisecond, Memory: dr.Memory}
	now := time.Now()
	_ = os.Chtimes(d.path(key, ".json"), now, now)
	if dr.Status != verdict.OK {
		return res, nil, nil
	}
	bin, err := os.ReadFile(d.path(key, ".bin"))
	if err != nil {
		return nil, nil, err
	}
	if sum := sha256.Sum256(bin); hex.EncodeToString(sum[:]) != dr.SHA256 {
		return nil, nil, fmt.Errorf("cached binary %s does not match its checksum", key)
	}
	_ = os.Chtimes(d.path(key, ".bin"), now, now)
	return res, bin, nil
}

// save writes an entry atomically (binary first, then the result that
// makes it visible) and evicts old entries beyond the bound. Failures
// only cost a later recompilation.
func (d *diskCache) save(key string, r *Result, bin []byte) {
	if err := os.MkdirAll(filepath.Dir(d.path(key, "")), 0o755); err != nil {
		return
	}
	dr := diskResult{Status: r.Status, ExitCode: r.ExitCode, Stderr: string(r.Stderr),
		Stdout: string(r.Stdout), Message: r.Message, Limit: r.CompileLimit, CPUMs: r.CPUTime.Milliseconds(),
		WallMs: r.WallTime.Milliseconds(), Memory: r.Memory}
	if bin != nil {
		sum := sha256.Sum256(bin)
		dr.SHA256 = hex.EncodeToString(sum[:])
		if atomicfile.WriteFile(d.path(key, ".bin"), bin, 0o600) != nil {
			return
		}
	}
	meta, err := json.Marshal(dr)
	if err != nil || atomicfile.WriteFile(d.path(key, ".json"), meta, 0o600) != nil {
		return
	}
	d.mu.Lock()
	d.bytes += int64(len(meta) + len(bin))
	over := d.bytes > d.maxBytes
	d.mu.Unlock()
	if over {
		d.evict()
	}
}

type cacheFile struct {
	path  string
	size  int64
	mtime time.Time
}

func (d *diskCache) scan() ([]cacheFile, error) {
	var files []cacheFile
	err := filepath.WalkDir(d.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return nil
		}
		files = append(files, cacheFile{path: p, size: info.Size(), mtime: info.ModTime()})
		return nil
	})
	return files, err
}

// evict removes the least recently used files until the cache is at most
// three quarters full.
func (d *diskCache) evict() {
	d.mu.Lock()
	defer d.mu.Unlock()
	files, err := d.scan()
	if err != nil {
		return
	}
	var total int64
	for _, f := range files {
		total += f.size
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mtime.Before(files[j].mtime) })
	for _, f := range files {
		if total <= d.maxBytes*3/4 {
			break
		}
		if os.Remove(f.path) == nil {
			total -= f.size
		}
	}
	d.bytes = total
}

// size returns what the cache holds by this process's count.
func (d *diskCache) size() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.bytes
}
