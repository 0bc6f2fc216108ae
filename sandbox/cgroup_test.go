package sandbox

import "testing"

func TestParseCgroupMounts(t *testing.T) {
	v1 := `35 27 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory
36 27 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,pids
37 27 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,cpu,cpuacct
30 27 0:26 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate`
	m := parseCgroupMounts(v1)
	if m["memory"].dir != "/sys/fs/cgroup/memory" || m["cpu"].dir != "/sys/fs/cgroup/cpu,cpuacct" || m["cpuacct"].dir != m["cpu"].dir {
		t.Errorf("v1: %+v", m)
	}
	if m["unified"].dir != "/sys/fs/cgroup/unified" {
		t.Errorf("hybrid unified: %+v", m["unified"])
	}
	v2 := `29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
45 29 0:40 /kubepods/pod1 /sys/fs/cgroup\040x rw - cgroup2 cgroup2 rw`
	m = parseCgroupMounts(v2)
	if _, ok := m["memory"]; ok || m["unified"].dir != "/sys/fs/cgroup" {
		t.Errorf("v2: %+v", m)
	}
	if got := unescapeMount(`/sys/fs/cgroup\040x`); got != "/sys/fs/cgroup x" {
		t.Errorf("unescape %q", got)
	}
}

func TestParseOwnCgroups(t *testing.T) {
	got := parseOwnCgroups("9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/user.slice/session-1.scope\n")
	if got["memory"] != "/process_api/abc" || got["cpu"] != "/x" || got["cpuacct"] != "/x" || got["unified"] != "/user.slice/session-1.scope" {
		t.Errorf("%v", got)
	}
}

func FuzzParseCgroupFiles(f *testing.F) {
	f.Add("35 27 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", "4:memory:/a")
	f.Fuzz(func(t *testing.T, mountinfo, own string) {
		parseCgroupMounts(mountinfo)
		parseOwnCgroups(own)
		unescapeMount(mountinfo)
	})
}
