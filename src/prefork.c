/* prefork.c: pools of pre-forked workers. A worker waits on a socketpair
 * channel for a client fd (SCM_RIGHTS) and its environment strings, then
 * runs the same setup as a spawned child and execs the handler.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "prefork.h"
#include "proctitle.h"
#include "reaper.h"
#include "runtime.h"
#include "spawn.h"

#define BACKOFF_MIN_MS	100
/* Refill only after this long without a hand-off: forking a worker costs
 * the master far more than a vfork-class spawn, so while connections keep
 * coming the pool drains and spawning takes over; it refills in the next
 * lull, ready for the low-latency case it exists for. */
#define REFILL_QUIET_MS	20
#define BACKOFF_MAX_MS	30000

struct pool {
	struct service	*svc;		/* a reference */
	struct runtime	*rt;		/* a reference */
	struct childlist idle;
	struct childlist lost;		/* hand-off failed: died idle */
	unsigned	 nidle;
	unsigned	 backoff;	/* ms; 0 when workers behave */
	int		 waiting;	/* backoff timer armed */
	struct timer	 retry;
	LIST_ENTRY(pool) entry;
};

static LIST_HEAD(, pool) pools = LIST_HEAD_INITIALIZER(pools);
static uint64_t		 last_handoff;
static struct timer	 quiet = { .cb = NULL };

unsigned
prefork_idle(const struct runtime *rt)
{
	const struct pool *p = rt->pool;

	return p ? p->nidle : 0;
}

static void
pool_retry(struct timer *t)
{
	struct pool *p = (struct pool *)((char *)t -
	    offsetof(struct pool, retry));

	p->waiting = 0;
	loop_want_idle();
}

static void
pool_backoff(struct pool *p)
{
	backoff_next(&p->backoff, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
	p->waiting = 1;
	loop_timer_arm(&p->retry, p->backoff);
}

int
prefork_start(struct config *conf)
{
	struct pool	*p;
	struct runtime	*rt;
	size_t		 i;

	for (i = 0; i < conf->nservices; i++) {
		struct service *svc = conf->services[i];

		/* workers take accepted clients: nowait, exec'd handlers */
		if (!svc->enabled || svc->prefork == 0 ||
		    svc->mode != MODE_NOWAIT || svc->builtin ||
		    (rt = runtime_find(svc->name)) == NULL)
			continue;
		if ((p = calloc(1, sizeof(*p))) == NULL)
			return -1;
		p->svc = service_ref(svc);
		p->rt = runtime_ref(rt);
		LIST_INIT(&p->idle);
		LIST_INIT(&p->lost);
		p->retry.cb = pool_retry;
		LIST_INSERT_HEAD(&pools, p, entry);
		rt->pool = p;
	}
	if (!LIST_EMPTY(&pools))
		loop_want_idle();
	return 0;
}

/* The worker: holds nothing of the master's but its channel, waits for a
 * client, then becomes the handler. */
static void __attribute__((noreturn))
worker_main(struct service *svc, int chan, int pipe_w)
{
	char			 env[SPAWN_CONNENV];
	char			 cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec		 iov = { env, sizeof(env) };
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	struct spawn_args	 a;
	sigset_t		 none;
	int			 keep[3] = { chan, pipe_w, spawn_devnull() };
	int			 client = -1;
	ssize_t			 n;

	proctitle_set("%s worker", svc->name);
	(void)setsid();		/* its handler's process group, see spawn.c */
	/* An idle worker holds no listener: a closed port stays closed. */
	(void)spawn_closefds(keep, 3);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	do {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		n = recvmsg(chan, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		_exit(n == 0 ? 0 : 111);	/* the master let us go */
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&client, CMSG_DATA(cm), sizeof(int));
	if (client < 0)
		_exit(111);
	spawn_set_env(svc, env, (size_t)n);
	memset(&a, 0, sizeof(a));
	a.svc = svc;
	a.client = client;
	a.errout = spawn_errout(svc, client, pipe_w);
	a.report = chan;
	a.envp = spawn_envp(svc);
	spawn_exec(&a);
}

static void	worker_exited(struct child *, int, uint64_t);

static int
worker_fork(struct pool *p)
{
	static struct ratelimit	 rl;
	struct service		*svc = p->svc;
	struct child		*c;
	int			 sv[2], pe[2];
	pid_t			 pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		goto fail;
	if (spawn_stderr_pipe(svc, pe) != 0) {
		close(sv[0]);
		close(sv[1]);
		goto fail;
	}
	if ((pid = fork()) == 0) {
		log_forked();
		worker_main(svc, sv[1], pe[1]);
	}
	close(sv[1]);
	if (pe[1] >= 0)
		close(pe[1]);
	if (pid < 0 || (c = child_new(pid, svc, p->rt, worker_exited,
	    p)) == NULL) {
		close(sv[0]);
		if (pe[0] >= 0)
			close(pe[0]);
		if (pid > 0)
			kill(pid, SIGKILL);	/* reaped as not ours */
		goto fail;
	}
	c->chan = sv[0];
	if (pe[0] >= 0)
		child_watch_stderr(c, pe[0]);
	LIST_INSERT_HEAD(&p->idle, c, link);
	p->nidle++;
	log_debug("%s: worker pid %ld ready (%u idle)", svc->name, (long)pid,
	    p->nidle);
	return 0;
fail:
	log_warn_rl(&rl, "%s: cannot fork a worker", svc->name);
	pool_backoff(p);
	return -1;
}

static void
quiet_over(struct timer *t)
{
	(void)t;
	loop_want_idle();
}

int
prefork_refill(void)
{
	struct pool	*p;
	uint64_t	 since = loop_now() - last_handoff;

	if (since < REFILL_QUIET_MS) {
		quiet.cb = quiet_over;
		if (!quiet.armed)
			loop_timer_arm(&quiet, REFILL_QUIET_MS - since);
		return 0;
	}
	LIST_FOREACH(p, &pools, entry)
		if (!p->waiting && p->nidle < (unsigned)p->svc->prefork) {
			(void)worker_fork(p);
			return 1;	/* one at a time: accepts come first */
		}
	return 0;
}

struct child *
prefork_handoff(struct runtime *rt, int fd, const char *env, size_t envlen)
{
	struct pool	*p = rt->pool;
	struct child	*c;
	char		 cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec	 iov = { (void *)env, envlen };
	struct msghdr	 msg;
	struct cmsghdr	*cm;

	if (p == NULL || (c = LIST_FIRST(&p->idle)) == NULL)
		return NULL;
	LIST_REMOVE(c, link);
	p->nidle--;
	memset(&msg, 0, sizeof(msg));
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(c->chan, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* it died idle: the reaper will say so; spawn this one */
		log_warn("%s: worker pid %ld", p->svc->name, (long)c->pid);
		LIST_INSERT_HEAD(&p->lost, c, link);
		loop_want_idle();
		return NULL;
	}
	c->owner = NULL;
	c->exited = NULL;	/* the new owner's to set */
	p->backoff = 0;
	last_handoff = loop_now();
	loop_want_idle();
	return c;
}

/* A worker ended before it was given a client: it is never meant to while
 * the master runs. */
static void
worker_exited(struct child *c, int status, uint64_t ms)
{
	struct pool	*p = c->owner;
	struct child	*l;

	(void)ms;
	if (p == NULL)		/* its pool was stopped */
		return;
	LIST_FOREACH(l, &p->lost, link)
		if (l == c)
			break;
	if (l == NULL)
		p->nidle--;
	LIST_REMOVE(c, link);
	if (WIFSIGNALED(status))
		log_warnx("%s: idle worker pid %ld killed by signal %d; "
		    "replacing it", c->svc->name, (long)c->pid,
		    WTERMSIG(status));
	else
		log_warnx("%s: idle worker pid %ld exited with status %d; "
		    "replacing it", c->svc->name, (long)c->pid,
		    WEXITSTATUS(status));
	pool_backoff(p);
}

static void
pool_orphan(struct childlist *list)
{
	struct child *c;

	while ((c = LIST_FIRST(list)) != NULL) {
		LIST_REMOVE(c, link);
		c->owner = NULL;
		if (c->chan >= 0) {
			close(c->chan);
			c->chan = -1;
		}
	}
}

void
prefork_stop(void)
{
	struct pool *p;

	while ((p = LIST_FIRST(&pools)) != NULL) {
		LIST_REMOVE(p, entry);
		loop_timer_cancel(&p->retry);
		pool_orphan(&p->idle);
		pool_orphan(&p->lost);
		p->rt->pool = NULL;
		runtime_unref(p->rt);
		service_unref(p->svc);
		free(p);
	}
}
