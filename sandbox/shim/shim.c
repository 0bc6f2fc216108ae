/*
 * rlef exec shim: the last step before a native program (a compiled C++
 * solution, the compiler itself) starts in a sandbox slot.
 *
 * The zygote starts it with posix_spawn (vfork: no copy of the zygote's
 * memory) already unprivileged, under no_new_privs and the seccomp filter,
 * in a new session, with the run's stdin/stdout/stderr on 0/1/2. The shim
 * joins the run's cgroups, sets the run's limits as hard limits, marks
 * every other descriptor close-on-exec and executes the program. It uses raw
 * system calls and no C library, so starting it costs almost nothing.
 *
 *   shim CG1 CG2 EXEFD STATUSFD CPU FSIZE STACK NOFILE AS NPROC PATH ARGV0 ARGS...
 *
 * CG1, CG2 (cgroup.procs files of the run's cgroups), EXEFD and STATUSFD
 * are descriptors or -1. The program is EXEFD when given (a sealed memfd
 * holding a compiled binary), else PATH. AS and NPROC are -1 unless the
 * sandbox has no cgroups. If anything fails before the program starts, the
 * shim writes "exec_error <what> <errno>" to STATUSFD, which is
 * close-on-exec (no program can write it), and exits with 127.
 */

typedef unsigned long u64;
typedef long s64;

#define SYS_write 1
#define SYS_close 3
#define SYS_exit_group 231
#define SYS_execve 59
#define SYS_execveat 322
#define SYS_prlimit64 302
#define SYS_close_range 436

#define AT_EMPTY_PATH 0x1000
#define CLOSE_RANGE_CLOEXEC 4

#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_MSGQUEUE 12

static s64 sys6(s64 n, s64 a, s64 b, s64 c, s64 d, s64 e, s64 f) {
	register s64 r10 __asm__("r10") = d;
	register s64 r8 __asm__("r8") = e;
	register s64 r9 __asm__("r9") = f;
	s64 ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static s64 sys3(s64 n, s64 a, s64 b, s64 c) { return sys6(n, a, b, c, 0, 0, 0); }

static void die(s64 status_fd, const char *msg, s64 err) {
	if (status_fd >= 0) {
		char buf[96];
		int n = 0;
		for (const char *p = msg; *p && n < 60; p++)
			buf[n++] = *p;
		buf[n++] = ' ';
		char digits[24];
		int d = 0;
		u64 v = err < 0 ? (u64)-err : (u64)err;
		do {
			digits[d++] = '0' + v % 10;
			v /= 10;
		} while (v && d < 20);
		while (d)
			buf[n++] = digits[--d];
		buf[n++] = '\n';
		sys3(SYS_write, status_fd, (s64)buf, n);
	}
	sys3(SYS_exit_group, 127, 0, 0);
	for (;;)
		;
}

static s64 parse(const char *s) {
	s64 v = 0, neg = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return neg ? -v : v;
}

static void limit(int res, s64 v, s64 status_fd) {
	if (v < 0)
		return;
	u64 lim[2] = {(u64)v, (u64)v};
	s64 r = sys6(SYS_prlimit64, 0, res, (s64)lim, 0, 0, 0);
	if (r < 0)
		die(status_fd, "exec_error setrlimit", r);
}

__attribute__((used)) static void shim_main(s64 *sp) {
	s64 argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	if (argc < 13)
		die(-1, "exec_error usage", 22);
	s64 exe = parse(argv[3]), status = parse(argv[4]);
	for (int i = 1; i <= 2; i++) {
		s64 cg = parse(argv[i]);
		if (cg < 0)
			continue;
		s64 r = sys3(SYS_write, cg, (s64) "0", 1); /* join a run cgroup */
		if (r < 0)
			die(status, "exec_error cgroup", r);
		sys3(SYS_close, cg, 0, 0);
	}
	s64 cpu = parse(argv[5]);
	if (cpu >= 0) {
		u64 lim[2] = {(u64)cpu, (u64)cpu + 1}; /* SIGXCPU, then SIGKILL */
		s64 r = sys6(SYS_prlimit64, 0, RLIMIT_CPU, (s64)lim, 0, 0, 0);
		if (r < 0)
			die(status, "exec_error setrlimit", r);
	}
	limit(RLIMIT_FSIZE, parse(argv[6]), status);
	limit(RLIMIT_STACK, parse(argv[7]), status);
	limit(RLIMIT_NOFILE, parse(argv[8]), status);
	limit(RLIMIT_AS, parse(argv[9]), status);
	limit(RLIMIT_NPROC, parse(argv[10]), status);
	limit(RLIMIT_CORE, 0, status);
	limit(RLIMIT_MEMLOCK, 0, status);
	limit(RLIMIT_MSGQUEUE, 0, status);
	/* Nothing but stdin, stdout and stderr survives the exec. */
	sys3(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	s64 r;
	if (exe >= 0)
		r = sys6(SYS_execveat, exe, (s64) "", (s64)(argv + 12), (s64)envp, AT_EMPTY_PATH, 0);
	else
		r = sys3(SYS_execve, (s64)argv[11], (s64)(argv + 12), (s64)envp);
	die(status, "exec_error", r);
}

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"  xor %rbp, %rbp\n"
	"  mov %rsp, %rdi\n"
	"  and $-16, %rsp\n"
	"  call shim_main\n"
	"  hlt\n");
