package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/rlef/rlef/internal/atomicfile"
)

// manifestName is the file, next to downloaded data, that records where
// each file came from and its sha256.
const manifestName = "manifest.json"

// Manifest records downloaded files of one cache directory.
type Manifest struct {
	Files map[string]ManifestEntry `json:"files"`
}

// ManifestEntry describes one downloaded file.
type ManifestEntry struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Pinned is true when SHA256 is the digest rlef ships for this file,
	// false when it was recorded at the first download.
	Pinned  bool      `json:"pinned"`
	Fetched time.Time `json:"fetched"`
}

// readManifest reads dir's manifest; a missing one is empty.
func readManifest(dir string) (*Manifest, error) {
	m := &Manifest{Files: map[string]ManifestEntry{}}
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, manifestName), err)
	}
	if m.Files == nil {
		m.Files = map[string]ManifestEntry{}
	}
	return m, nil
}

// write stores the manifest atomically.
func (m *Manifest) write(dir string) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, manifestName), append(data, '\n'), 0o644)
}

// verifyAgainstManifest checks path against the sha256 recorded for it in
// a manifest next to it, if there is one.
func verifyAgainstManifest(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return nil
	}
	m, err := readManifest(filepath.Dir(path))
	if err != nil {
		return err
	}
	entry, ok := m.Files[filepath.Base(path)]
	if !ok || entry.SHA256 == "" {
		return nil
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return err
	}
	if sum != entry.SHA256 {
		return fmt.Errorf("%s: sha256 %s does not match %s recorded in %s; the file changed after download (delete it and run rlef data fetch again)",
			path, sum, entry.SHA256, filepath.Join(filepath.Dir(path), manifestName))
	}
	return nil
}
