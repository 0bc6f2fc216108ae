package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Isolation describes what isolation a host supports (Probe) or a pool
// uses (Pool.Isolation).
type Isolation struct {
	// Mode is "root" (mount, PID, network, IPC and UTS namespaces, started
	// as root; programs run as an unprivileged host uid of their own),
	// "userns" (the same plus a user namespace, for unprivileged users),
	// "none" (--unsafe-no-isolation) or "unavailable".
	Mode string `json:"mode"`
	// Namespaces lists the namespaces each slot gets.
	Namespaces []string `json:"namespaces,omitempty"`
	// Cgroup is "v1", "v2" or "none" (rlimit fallback).
	Cgroup string `json:"cgroup"`
	// Seccomp and NoNewPrivs report the syscall filter and no_new_privs.
	Seccomp    bool `json:"seccomp"`
	NoNewPrivs bool `json:"no_new_privs"`
	// ReadOnlyRoot: programs see a read-only system and empty private /w
	// and /tmp.
	ReadOnlyRoot bool `json:"read_only_root"`
	// Problems explain why full isolation is unavailable.
	Problems []string `json:"problems,omitempty"`
	// Notes are further facts worth knowing (fallbacks in use).
	Notes []string `json:"notes,omitempty"`
}

// Probe inspects the host without starting anything: who we are, whether
// user namespaces may be created, and which cgroup hierarchy is mounted.
func Probe() Isolation {
	iso := Isolation{Mode: "unavailable", Cgroup: "none"}
	if status, err := os.ReadFile("/proc/self/status"); err == nil && bytes.Contains(status, []byte("\nSeccomp:")) {
		iso.Seccomp = true
		iso.NoNewPrivs = true
	} else {
		iso.Problems = append(iso.Problems, "the kernel does not support seccomp")
	}
	switch {
	case os.Geteuid() == 0:
		iso.Mode = string(isoRoot)
	default:
		if why := userNamespaceProblem(); why != "" {
			iso.Problems = append(iso.Problems, why)
		} else {
			iso.Mode = string(isoUserNS)
		}
	}
	if n := readSysctl("user/max_user_namespaces"); n == "0" {
		iso.Mode = "unavailable"
		iso.Problems = append(iso.Problems, "user namespaces are disabled (user.max_user_namespaces = 0)")
	}
	mounts, err := readCgroupMounts()
	switch {
	case err != nil:
		iso.Notes = append(iso.Notes, err.Error())
	case mounts["memory"].dir != "":
		iso.Cgroup = "v1"
	case mounts["unified"].dir != "":
		iso.Cgroup = "v2"
	}
	if iso.Mode != "unavailable" {
		iso.Namespaces = namespacesFor(isoMode(iso.Mode), iso.Cgroup != "none" && os.Geteuid() == 0)
		iso.ReadOnlyRoot = true
	}
	if iso.Cgroup != "none" && os.Geteuid() != 0 {
		iso.Notes = append(iso.Notes, fmt.Sprintf("cgroup %s is mounted, but only root can create the sandbox's cgroups; without root, limits fall back to rlimits", iso.Cgroup))
	}
	return iso
}

// namespacesFor lists the namespaces each slot gets in a mode. As root no
// user namespace is needed: the zygote drops to an unprivileged host uid.
// A cgroup namespace comes with cgroups.
func namespacesFor(m isoMode, cgroups bool) []string {
	ns := []string{"mount", "pid", "net", "ipc", "uts"}
	if cgroups {
		ns = append(ns, "cgroup")
	}
	if m == isoUserNS {
		ns = append([]string{"user"}, ns...)
	}
	return ns
}

// userNamespaceProblem explains why an unprivileged user cannot create
// user namespaces, or returns "".
func userNamespaceProblem() string {
	if v := readSysctl("kernel/unprivileged_userns_clone"); v == "0" {
		return "unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=0)"
	}
	if v := readSysctl("kernel/apparmor_restrict_unprivileged_userns"); v == "1" {
		return "AppArmor restricts unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=1)"
	}
	return ""
}

func readSysctl(name string) string {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// String renders the report for humans.
func (iso Isolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "isolation mode: %s\n", iso.Mode)
	if len(iso.Namespaces) > 0 {
		fmt.Fprintf(&b, "namespaces:     %s\n", strings.Join(iso.Namespaces, ", "))
	}
	fmt.Fprintf(&b, "cgroups:        %s\n", iso.Cgroup)
	fmt.Fprintf(&b, "seccomp:        %s\n", strconv.FormatBool(iso.Seccomp))
	fmt.Fprintf(&b, "no_new_privs:   %s\n", strconv.FormatBool(iso.NoNewPrivs))
	fmt.Fprintf(&b, "read-only root: %s\n", strconv.FormatBool(iso.ReadOnlyRoot))
	for _, p := range iso.Problems {
		fmt.Fprintf(&b, "problem:        %s\n", p)
	}
	for _, n := range iso.Notes {
		fmt.Fprintf(&b, "note:           %s\n", n)
	}
	return b.String()
}
