package server

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/rlef/rlef/sandbox"
)

// FileRoots are the directories where a /run_code request's files and
// fetch_files may live inside the sandbox: the working directory /w
// (where every program runs and where relative names go), /tmp, and /mnt
// (SandboxFusion's own tests write /mnt/b). A name anywhere else is
// refused, for that file only.
var FileRoots = []string{"/w", "/tmp", "/mnt"}

// maxFileName bounds a file name, in bytes.
const maxFileName = 1024

// RefusedPathError is a file name rlef will not place or fetch.
type RefusedPathError struct {
	Name string
	// Reason says why, in one sentence.
	Reason string
}

func (e *RefusedPathError) Error() string {
	return fmt.Sprintf("file %q refused: %s", e.Name, e.Reason)
}

// SandboxPath maps a request's file name to its path inside the sandbox:
// a relative name lives in the working directory /w; an absolute one must
// lie strictly below one of FileRoots. The error is a *RefusedPathError.
func SandboxPath(name string) (string, error) {
	refuse := func(why string) (string, error) {
		return "", &RefusedPathError{Name: name, Reason: why}
	}
	switch {
	case name == "":
		return refuse("empty file name")
	case strings.ContainsRune(name, 0):
		return refuse("file name contains a NUL byte")
	case len(name) > maxFileName:
		return refuse(fmt.Sprintf("file name longer than %d bytes", maxFileName))
	}
	clean := path.Clean(name)
	if !path.IsAbs(clean) {
		if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
			return refuse("the name leaves the working directory /w")
		}
		clean = path.Join(FileRoots[0], clean)
	}
	inside := false
	for _, root := range FileRoots {
		if strings.HasPrefix(clean, root+"/") {
			inside = true
			break
		}
	}
	if !inside {
		return refuse("rlef places files only below " + strings.Join(FileRoots, ", ") + " (relative names go to /w, the working directory)")
	}
	if clean == path.Join(FileRoots[0], "main.py") {
		return refuse("/w/main.py holds the program itself")
	}
	return clean, nil
}

// requestFiles is a request's files mapped into the sandbox.
type requestFiles struct {
	// write holds the files to create, by sandbox path.
	write map[string][]byte
	// collect lists the sandbox paths to fetch after the run.
	collect []string
	// fetch maps a sandbox path to the names the request used for it.
	fetch map[string][]string
	// errors says, by name as given, why a file was not written or will
	// not be fetched.
	errors map[string]string
}

// placeFiles maps files and fetch_files into the sandbox. As in
// SandboxFusion, a null content or a name containing IGNORE_THIS_FILE is
// skipped. A name rlef refuses, content that is not base64, or a second
// name for a path already written fails that file only.
func placeFiles(files map[string]*string, fetch []string) *requestFiles {
	rf := &requestFiles{fetch: map[string][]string{}}
	fail := func(name, why string) {
		if rf.errors == nil {
			rf.errors = map[string]string{}
		}
		rf.errors[name] = why
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names) // a deterministic winner when two names meet
	writtenAs := map[string]string{}
	for _, name := range names {
		content := files[name]
		if content == nil || strings.Contains(name, "IGNORE_THIS_FILE") {
			continue
		}
		p, err := SandboxPath(name)
		if err != nil {
			fail(name, fmt.Sprintf("file %q not written: %s", name, reason(err)))
			continue
		}
		if other, dup := writtenAs[p]; dup {
			fail(name, fmt.Sprintf("file %q not written: it names the same file as %q", name, other))
			continue
		}
		data, err := decodeBase64(*content)
		if err != nil {
			fail(name, fmt.Sprintf("file %q not written: content is not base64 (%v)", name, err))
			continue
		}
		if rf.write == nil {
			rf.write = map[string][]byte{}
		}
		rf.write[p], writtenAs[p] = data, name
	}
	for _, name := range fetch {
		p, err := SandboxPath(name)
		if err != nil {
			fail(name, fmt.Sprintf("file %q not fetched: %s", name, reason(err)))
			continue
		}
		if _, seen := rf.fetch[p]; !seen {
			if len(rf.collect) == sandbox.MaxCollect {
				fail(name, fmt.Sprintf("file %q not fetched: a run returns at most %d files", name, sandbox.MaxCollect))
				continue
			}
			rf.collect = append(rf.collect, p)
		}
		rf.fetch[p] = append(rf.fetch[p], name)
	}
	return rf
}

// reason is why a path was refused.
func reason(err error) string {
	var re *RefusedPathError
	if errors.As(err, &re) {
		return re.Reason
	}
	return err.Error()
}

// message joins the per-file errors, in name order, into one line.
func (rf *requestFiles) message() string {
	names := make([]string, 0, len(rf.errors))
	for name := range rf.errors {
		names = append(names, name)
	}
	sort.Strings(names)
	msgs := make([]string, len(names))
	for i, name := range names {
		msgs[i] = rf.errors[name]
	}
	return strings.Join(msgs, "; ")
}
