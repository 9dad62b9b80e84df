/* spawn.c: process setup and exec, shared by pre-forked workers and by
 * the vfork-class children spawned right after accept.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "log.h"
#include "spawn.h"

#define SPAWN_STACK	(64 * 1024)

enum stage {
	STAGE_NONE, STAGE_SIGNALS, STAGE_SETSID, STAGE_DUP, STAGE_CLOSE, STAGE_RLIMIT,
	STAGE_NICE, STAGE_CHROOT, STAGE_CHDIR, STAGE_GROUPS, STAGE_GID,
	STAGE_UID, STAGE_CREDCHECK, STAGE_MASK, STAGE_EXEC
};

static const char *stage_names[] = {
	"none", "signal reset", "setsid", "dup2", "close_range", "setrlimit", "nice",
	"chroot", "chdir", "setgroups", "setgid", "setuid", "credential check",
	"sigprocmask", "exec"
};

static const int rlim_resource[RL_N] = {
	RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_AS, RLIMIT_CPU, RLIMIT_CORE
};

static char	*stack;		/* the clone child's; the parent waits */
static int	 devnull = -1;
static int	 switch_creds;	/* only root can change them */

/* The kernel's struct sigaction: the raw syscall avoids libc's wrapper,
 * which sanitizer runtimes intercept. */
struct ksigaction {
	void		*handler;
	unsigned long	 flags;
	void		*restorer;
	unsigned long	 mask;
};

int
spawn_init(void)
{
	char *p;

	/* One stack, reused: CLONE_VFORK suspends the master until the child
	 * has exec'd or exited, so two children never share it. The lowest
	 * page is a guard. */
	p = mmap(NULL, SPAWN_STACK + 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	if (mprotect(p, 4096, PROT_NONE) != 0)
		return -1;
	stack = p + 4096;
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	switch_creds = (geteuid() == 0);
	return 0;
}

int
spawn_devnull(void)
{
	return devnull;
}

const char *
spawn_stage_name(int stage)
{
	if (stage < 0 || stage > STAGE_EXEC)
		return "unknown step";
	return stage_names[stage];
}

static size_t
env_add(char *buf, size_t off, const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value);

	/* on the accept path: copies, not printf */
	if (off + nlen + vlen + 2 > SPAWN_CONNENV)
		return off;
	memcpy(buf + off, name, nlen);
	buf[off + nlen] = '=';
	memcpy(buf + off + nlen + 1, value, vlen + 1);
	return off + nlen + vlen + 2;
}

/* A port in decimal, into num (at least 6 bytes). */
static const char *
port_str(char *num, uint16_t port)
{
	char *p = num + 5;

	*p = '\0';
	do
		*--p = (char)('0' + port % 10);
	while ((port /= 10) != 0);
	return p;
}

static const char *
proto_name(const struct service *svc, int family)
{
	switch (svc->protocol) {
	case PROTO_UDP:
		return family == AF_INET6 ? "UDP6" : "UDP";
	case PROTO_UNIX:
	case PROTO_UNIX_DGRAM:
		return "UNIX";
	default:
		return family == AF_INET6 ? "TCP6" : "TCP";
	}
}

size_t
spawn_listener_env(const struct service *svc, const struct spawn_local *l,
    char *buf)
{
	char	num[8];
	size_t	off;

	off = env_add(buf, 0, "PROTO", proto_name(svc, l->family));
	if (l->family == AF_UNIX)
		return off;
	off = env_add(buf, off, "TCPLOCALIP", l->ip);
	snprintf(num, sizeof(num), "%u", l->port);
	return env_add(buf, off, "TCPLOCALPORT", num);
}

static size_t	unix_creds_env(int, char *, size_t, char *, size_t);

/* A unix stream peer: its credentials, from the kernel. */
static size_t
spawn_unix_env(int fd, char *buf, char *peer, size_t peerlen)
{
	return unix_creds_env(fd, buf, env_add(buf, 0, "PROTO", "UNIX"),
	    peer, peerlen);
}

static size_t
unix_creds_env(int fd, char *buf, size_t off, char *peer, size_t peerlen)
{
	struct ucred	cred;
	socklen_t	len = sizeof(cred);
	char		num[16];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		snprintf(peer, peerlen, "unix");
		return off;
	}
	snprintf(num, sizeof(num), "%u", (unsigned)cred.uid);
	off = env_add(buf, off, "UNIXREMOTEEUID", num);
	snprintf(num, sizeof(num), "%u", (unsigned)cred.gid);
	off = env_add(buf, off, "UNIXREMOTEEGID", num);
	snprintf(num, sizeof(num), "%ld", (long)cred.pid);
	off = env_add(buf, off, "UNIXREMOTEPID", num);
	snprintf(peer, peerlen, "unix pid %ld uid %u", (long)cred.pid,
	    (unsigned)cred.uid);
	return off;
}

/* The TCP family's variables, and the peer as the log shows it. */
static size_t
tcp_vars(char *buf, size_t off, int fam, const char *rip, uint16_t rport,
    const char *lip, uint16_t lport, char *peer, size_t peerlen)
{
	char		 num[8], lnum[8];
	const char	*rp = port_str(num, rport);

	off = env_add(buf, off, "PROTO", fam == AF_INET6 ? "TCP6" : "TCP");
	off = env_add(buf, off, "TCPREMOTEIP", rip);
	off = env_add(buf, off, "TCPREMOTEPORT", rp);
	off = env_add(buf, off, "TCPLOCALIP", lip);
	off = env_add(buf, off, "TCPLOCALPORT", port_str(lnum, lport));
	if (fam == AF_INET6)
		snprintf(peer, peerlen, "[%s]:%s", rip, rp);
	else
		snprintf(peer, peerlen, "%s:%s", rip, rp);
	return off;
}

size_t
spawn_conn_env(const struct service *svc, const struct spawn_local *l,
    int fd, const struct sockaddr *sa, char *buf, char *peer, size_t peerlen)
{
	struct sockaddr_storage	 local;
	socklen_t		 len = sizeof(local);
	char			 rip[ADDR_STRLEN], lip[ADDR_STRLEN];
	const char		*lipp = l->ip;
	uint16_t		 rport = 0, lport = l->port;
	int			 fam;

	(void)svc;
	if (l->family == AF_UNIX)
		return spawn_unix_env(fd, buf, peer, peerlen);
	fam = addr_format(sa, rip, sizeof(rip), &rport);
	if (fam < 0)
		snprintf(rip, sizeof(rip), "unknown");
	/* A wildcard listener learns which address the client reached. */
	if (l->wildcard && getsockname(fd, (struct sockaddr *)&local,
	    &len) == 0 && addr_format((struct sockaddr *)&local, lip,
	    sizeof(lip), &lport) >= 0)
		lipp = lip;
	return tcp_vars(buf, 0, fam, rip, rport, lipp, lport, peer, peerlen);
}

/* REMOTE and LOCAL variables of the TCP family for src and dst. */
static size_t
tcp_pair_env(char *buf, size_t off, const struct sockaddr *src,
    const struct sockaddr *dst, char *peer, size_t peerlen)
{
	char		rip[ADDR_STRLEN], lip[ADDR_STRLEN];
	uint16_t	rport = 0, lport = 0;
	int		fam;

	if ((fam = addr_format(src, rip, sizeof(rip), &rport)) < 0)
		snprintf(rip, sizeof(rip), "unknown");
	if (addr_format(dst, lip, sizeof(lip), &lport) < 0)
		snprintf(lip, sizeof(lip), "unknown");
	return tcp_vars(buf, off, fam, rip, rport, lip, lport, peer, peerlen);
}

size_t
spawn_proxy_env(const struct service *svc, const struct spawn_local *l,
    int fd, const struct sockaddr *src, const struct sockaddr *dst,
    const struct sockaddr *real, char *buf, char *peer, size_t peerlen)
{
	char		bip[ADDR_STRLEN], num[8], via[ADDR_STRLEN + 16];
	uint16_t	bport = 0;
	size_t		off, n;

	if (src == NULL)
		return spawn_conn_env(svc, l, fd, real, buf, peer, peerlen);
	off = tcp_pair_env(buf, 0, src, dst, peer, peerlen);
	if (l->family == AF_UNIX)
		/* the balancer is a local process: who it is */
		off = unix_creds_env(fd, buf, off, via, sizeof(via));
	else if (addr_format(real, bip, sizeof(bip), &bport) >= 0) {
		off = env_add(buf, off, "PROXYREMOTEIP", bip);
		off = env_add(buf, off, "PROXYREMOTEPORT",
		    port_str(num, bport));
		(void)addr_format_peer(real, via, sizeof(via));
	} else
		return off;
	n = strlen(peer);
	snprintf(peer + n, peerlen - n, " via %s", via);
	return off;
}

/* The slots in use are the last ones, and the environment starts at the
 * first of them: a connection with fewer variables than slots (most
 * have 5 of 16) leaves no filler in the handler's environment. */
static int	env_skip;

void
spawn_set_env(const struct service *svc, const char *buf, size_t len)
{
	const char	*p, *end = buf + len;
	int		 i, n = 0;

	for (p = buf; p < end && n < CONN_ENV_SLOTS; p += strlen(p) + 1)
		n++;
	env_skip = CONN_ENV_SLOTS - n;
	for (i = 0; i < env_skip; i++)
		svc->envp[i] = (char *)"_=";
	for (p = buf; i < CONN_ENV_SLOTS; p += strlen(p) + 1)
		svc->envp[i++] = (char *)p;
}

char *const *
spawn_envp(const struct service *svc)
{
	return svc->envp + env_skip;
}

int
spawn_stderr_pipe(const struct service *svc, int p[2])
{
	p[0] = p[1] = -1;
	if (svc->stderr_mode != STDERR_LOG)
		return 0;
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	/* only the master's end: a handler's stderr must block as usual */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) != 0) {
		close(p[0]);
		close(p[1]);
		p[0] = p[1] = -1;
		return -1;
	}
	return 0;
}

int
spawn_errout(const struct service *svc, int client, int pipe_w)
{
	switch (svc->stderr_mode) {
	case STDERR_LOG:
		return pipe_w;
	case STDERR_CLIENT:
		return client;
	default:
		return devnull;
	}
}

/* Closes [lo, hi]; hi ~0U is "to the end". */
__attribute__((no_sanitize_address, no_sanitize_undefined))
static int
close_span(unsigned lo, unsigned hi)
{
#ifdef HAVE_CLOSE_RANGE
	if (close_range(lo, hi, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
#endif
	/* A kernel before 5.9. libbsd's closefrom may read /proc there,
	 * which is not safe between clone and exec, but there is no other
	 * way to close an unknown set of fds. */
	if (hi == ~0U) {
		closefrom((int)lo);
		return 0;
	}
	for (; lo <= hi; lo++)
		(void)close((int)lo);
	return 0;
}

__attribute__((no_sanitize_address, no_sanitize_undefined))
int
spawn_closefds(const int *keep, int n)
{
	int		 k[4], i, j, t;
	unsigned	 from = 3;

	if (n > 4)
		n = 4;
	for (i = 0; i < n; i++) {	/* sorted, without libc */
		for (j = i, t = keep[i]; j > 0 && k[j - 1] > t; j--)
			k[j] = k[j - 1];
		k[j] = t;
	}
	for (i = 0; i < n; i++) {
		if (k[i] < 3 || (unsigned)k[i] < from)
			continue;
		if ((unsigned)k[i] > from &&
		    close_span(from, (unsigned)k[i] - 1) != 0)
			return -1;
		from = (unsigned)k[i] + 1;
	}
	return close_span(from, ~0U);
}

/*
 * The one child setup function. It runs in a vfork-class child that shares
 * the master's memory (and in forked workers), so between clone and exec
 * it makes only raw system calls: no malloc, no stdio, no NSS, no locks,
 * nothing that touches libc state the suspended master may hold. Users,
 * groups, argv and envp were all resolved by the master beforehand.
 * The sanitizers are kept out: their runtime is not safe here either.
 */
__attribute__((no_sanitize_address, no_sanitize_undefined, noreturn))
void
spawn_exec(struct spawn_args *a)
{
	const struct service	*svc = a->svc;
	struct ksigaction	 dfl = { 0 };	/* SIG_DFL, no flags */
	unsigned long		 empty = 0;
	struct spawn_report	 rep;
	int			 stage, i;

	/* The master ignores SIGPIPE; a handler must get the default back
	 * (ignored dispositions survive exec). Our own table: no CLONE_SIGHAND. */
	stage = STAGE_SIGNALS;
	if (syscall(SYS_rt_sigaction, SIGPIPE, &dfl, NULL, sizeof(empty)) != 0)
		goto fail;
	/* A session and process group of its own, so that the timeout and
	 * the stop reach whatever the handler forks. A worker made its own
	 * when it was forked: it leads its session already. */
	stage = STAGE_SETSID;
	if (syscall(SYS_setsid) < 0 &&
	    syscall(SYS_getsid, 0) != syscall(SYS_getpid))
		goto fail;
	/* The socket on 0 and 1, stderr as configured. The master keeps
	 * 0, 1 and 2 open, so the fds we dup from are all above 2. */
	stage = STAGE_DUP;
	if (dup2(a->client, 0) < 0 || dup2(a->client, 1) < 0 ||
	    dup2(a->errout, 2) < 0)
		goto fail;
	/* Everything is close-on-exec already; this is the belt to those
	 * braces, and it leaves only the failure channel open until exec. */
	stage = STAGE_CLOSE;
	if (spawn_closefds(&a->report, 1) != 0)
		goto fail;
	/* Limits while still privileged (raising one needs root); the
	 * kernel's prlimit64 takes a plain pair of 64-bit values. */
	stage = STAGE_RLIMIT;
	for (i = 0; i < RL_N; i++) {
		uint64_t lim[2];

		if (svc->rlim[i] < 0)
			continue;
		lim[0] = lim[1] = (uint64_t)svc->rlim[i];
		if (syscall(SYS_prlimit64, 0, rlim_resource[i], lim, NULL) != 0)
			goto fail;
	}
	stage = STAGE_NICE;
	if (svc->nice != 0 &&
	    syscall(SYS_setpriority, PRIO_PROCESS, 0, svc->nice) != 0)
		goto fail;
	if (svc->umask >= 0)
		(void)syscall(SYS_umask, svc->umask);
	/* chroot needs root too; the handler path is then looked up inside
	 * it, and the working directory is its root unless chdir says. */
	stage = STAGE_CHROOT;
	if (svc->chroot && (syscall(SYS_chroot, svc->chroot) != 0 ||
	    syscall(SYS_chdir, "/") != 0))
		goto fail;
	stage = STAGE_CHDIR;
	if (svc->chdir && syscall(SYS_chdir, svc->chdir) != 0)
		goto fail;
	/* Credentials in the only safe order: groups, gid, then uid. The raw
	 * syscalls act on this process alone (glibc's wrappers would try to
	 * signal other threads). Then check that root cannot be regained. */
	if (switch_creds) {
		stage = STAGE_GROUPS;
		if (syscall(SYS_setgroups, svc->ngroups, svc->groups) != 0)
			goto fail;
		stage = STAGE_GID;
		if (syscall(SYS_setresgid, svc->gid, svc->gid, svc->gid) != 0)
			goto fail;
		stage = STAGE_UID;
		if (syscall(SYS_setresuid, svc->uid, svc->uid, svc->uid) != 0)
			goto fail;
		stage = STAGE_CREDCHECK;
		if (svc->uid != 0 && syscall(SYS_setresuid, 0, -1, -1) == 0) {
			errno = EPERM;
			goto fail;
		}
	}
	/* Last: an empty signal mask (a blocked mask survives exec). */
	stage = STAGE_MASK;
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL,
	    sizeof(empty)) != 0)
		goto fail;
	stage = STAGE_EXEC;
	execve(svc->path, svc->argv, a->envp);
fail:
	a->err = errno;
	a->stage = stage;
	if (a->report >= 0) {
		rep.err = errno;
		rep.stage = stage;
		(void)write(a->report, &rep, sizeof(rep));
	}
	_exit(111);
}

__attribute__((no_sanitize_address, no_sanitize_undefined))
static int
spawn_child_main(void *arg)
{
	spawn_exec(arg);
}

pid_t
spawn_handler(const struct service *svc, int fd, int *stderr_fd, int *err,
    int *stage)
{
	struct spawn_args	a;
	int			p[2];
	pid_t			pid;

	*stderr_fd = -1;
	if (spawn_stderr_pipe(svc, p) != 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.svc = svc;
	a.client = fd;
	a.errout = spawn_errout(svc, fd, p[1]);
	a.report = -1;
	a.envp = spawn_envp(svc);
	/* The child borrows our memory and our stack-less mm until exec:
	 * this is what posix_spawn does, minus what it cannot set up. */
	pid = clone(spawn_child_main, stack + SPAWN_STACK,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	if (p[1] >= 0)
		close(p[1]);
	if (pid < 0) {
		if (p[0] >= 0)
			close(p[0]);
		return -1;
	}
	*err = a.err;
	*stage = a.stage;
	*stderr_fd = p[0];
	return pid;
}
