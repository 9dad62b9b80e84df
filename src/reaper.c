/* reaper.c: the pid table, the waitpid loop, and what every child has in
 * common: its stderr lines, its deadline, the drain at stop. What an exit
 * means is its owner's business: the reaper calls the child's callback.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/epoll.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fault.h"
#include "log.h"
#include "loop.h"
#include "reaper.h"
#include "runtime.h"

#define CHILD_BUCKETS	4096	/* a power of two */

static struct childlist	 table[CHILD_BUCKETS];
static struct childlist	 dead = LIST_HEAD_INITIALIZER(dead);
static unsigned		 nchildren;
/* Connections served inside the master, by their hash entry. */
static struct childlist	 inplace = LIST_HEAD_INITIALIZER(inplace);
static unsigned		 ninplace;

#define STDERR_TURN	4096	/* bytes read from one handler per loop turn */
#define STDERR_RATE	16384	/* bytes a second from one handler */

/* Draining at stop. */
static struct timer	 drain_timer;
static void		(*drain_done)(void);
static unsigned		 drain_grace;
static int		 drain_stage;	/* 0 waiting, 1 SIGTERM sent, 2 SIGKILL */
static int		 drained;	/* drain_done was called */

static unsigned
bucket(pid_t pid)
{
	return (unsigned)pid & (CHILD_BUCKETS - 1);
}

static struct child *
child_alloc(pid_t pid, struct service *svc, struct runtime *rt,
    void (*exited)(struct child *, int, uint64_t), void *owner)
{
	struct child *c;

	if (fault_hit("child_new") || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->pid = pid;
	c->svc = service_ref(svc);
	c->rt = runtime_ref(rt);
	c->err.fd = -1;
	c->chan = -1;
	c->start = loop_now();
	c->exited = exited;
	c->owner = owner;
	return c;
}

struct child *
child_new(pid_t pid, struct service *svc, struct runtime *rt,
    void (*exited)(struct child *, int, uint64_t), void *owner)
{
	struct child *c;

	if ((c = child_alloc(pid, svc, rt, exited, owner)) == NULL)
		return NULL;
	LIST_INSERT_HEAD(&table[bucket(pid)], c, hash);
	nchildren++;
	return c;
}

struct child *
child_inplace(struct service *svc, struct runtime *rt,
    void (*exited)(struct child *, int, uint64_t), void *owner)
{
	struct child *c;

	if ((c = child_alloc(0, svc, rt, exited, owner)) == NULL)
		return NULL;
	LIST_INSERT_HEAD(&inplace, c, hash);
	ninplace++;
	return c;
}

static struct child *
child_find(pid_t pid)
{
	struct child *c;

	LIST_FOREACH(c, &table[bucket(pid)], hash)
		if (c->pid == pid)
			return c;
	return NULL;
}

unsigned
reaper_count(void)
{
	return nchildren;
}

int
child_signal(struct child *c, int sig)
{
	c->signalled = 1;
	if (kill(-c->pid, sig) == 0)
		return 0;
	return kill(c->pid, sig);
}

/* The service's wall-clock limit: SIGTERM, then SIGKILL after the grace. */
static void
child_deadline(struct timer *t)
{
	struct child *c = (struct child *)((char *)t -
	    offsetof(struct child, deadline));

	if (!c->timed_out) {
		c->timed_out = 1;
		c->rt->stats.timeouts++;
		log_info("%s: pid %ld from %s timed out after %us; sending "
		    "SIGTERM", c->svc->name, (long)c->pid, c->peer,
		    c->svc->timeout);
		(void)child_signal(c, SIGTERM);
		loop_timer_arm(&c->deadline,
		    (uint64_t)c->svc->kill_grace * 1000);
		return;
	}
	log_info("%s: pid %ld from %s still running %us after SIGTERM; "
	    "sending SIGKILL", c->svc->name, (long)c->pid, c->peer,
	    c->svc->kill_grace);
	(void)child_signal(c, SIGKILL);
}

void
child_begin(struct child *c, const char *peer)
{
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->start = loop_now();
	if (c->svc->timeout && c->pid != 0) {
		c->deadline.cb = child_deadline;
		loop_timer_arm(&c->deadline, (uint64_t)c->svc->timeout * 1000);
	}
}

/* The journal fields of a child's lines: its service and pid (a
 * handler's stderr lines carry those two); its exit line adds its peer,
 * split into address and port ("[::1]:80", "127.0.0.1:80"; behind a
 * PROXY balancer the client's; a unix peer has none), status and
 * duration. */
struct child_fields {
	struct log_field	f[6];
	char			pid[24];
	char			addr[sizeof(((struct child *)0)->peer)];
	char			status[16];
	char			usec[24];
};

static size_t
child_fields(const struct child *c, struct child_fields *cf)
{
	snprintf(cf->pid, sizeof(cf->pid), "%ld", (long)c->pid);
	cf->f[0] = (struct log_field){ "PINETD_SERVICE", c->svc->name };
	cf->f[1] = (struct log_field){ "HANDLER_PID", cf->pid };
	return 2;
}

/* Appends REMOTE_ADDR and REMOTE_PORT from the peer's text, if it has
 * them; returns the new count. */
static size_t
peer_fields(const struct child *c, struct child_fields *cf, size_t n)
{
	char *colon;

	/* "client via balancer" or "client (PROXY LOCAL)": the client */
	snprintf(cf->addr, sizeof(cf->addr), "%.*s",
	    (int)strcspn(c->peer, " "), c->peer);
	if ((colon = strrchr(cf->addr, ':')) == NULL || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return n;
	*colon = '\0';
	if (cf->addr[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(cf->addr, cf->addr + 1, strlen(cf->addr));
	}
	cf->f[n++] = (struct log_field){ "REMOTE_ADDR", cf->addr };
	cf->f[n++] = (struct log_field){ "REMOTE_PORT", colon + 1 };
	return n;
}

static void
stderr_line(struct child *c, const char *s, size_t len)
{
	char			clean[CHILD_ERRBUF];
	struct child_fields	cf;

	if (log_level() < LOG_LVL_INFO)
		return;
	log_sanitize(clean, sizeof(clean), s, len);
	log_fields(LOG_LVL_INFO, cf.f, child_fields(c, &cf), "%s[%ld]: %s",
	    c->svc->name, (long)c->pid, clean);
}

/* Logs the complete lines in the buffer; a line longer than the buffer is
 * logged in pieces. */
static void
stderr_consume(struct child *c, int final)
{
	char	*nl, *p = c->errbuf;
	size_t	 left = c->errlen;

	while ((nl = memchr(p, '\n', left)) != NULL) {
		stderr_line(c, p, (size_t)(nl - p));
		left -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	if (left == sizeof(c->errbuf) || (final && left > 0)) {
		stderr_line(c, p, left);
		left = 0;
	}
	memmove(c->errbuf, p, left);
	c->errlen = left;
}

static void
stderr_close(struct child *c)
{
	loop_timer_cancel(&c->errpause);
	if (c->err.fd < 0)
		return;
	/* Explicitly: a worker forked a moment ago may still hold a copy of
	 * this fd, and then close() alone would leave it in the epoll set. */
	loop_del(&c->err);
	close(c->err.fd);
	c->err.fd = -1;
	stderr_consume(c, 1);
}

static void
stderr_resume(struct timer *t)
{
	struct child *c = (struct child *)((char *)t -
	    offsetof(struct child, errpause));

	if (c->err.fd >= 0 && loop_mod(&c->err, EPOLLIN) != 0)
		log_warn("epoll_ctl stderr pipe");
}

/* Reads a bounded amount a turn (the pipe is level-triggered: the rest
 * waits for the next turn, after other events) and a bounded amount a
 * second: past it the pipe is left alone until the next second, and the
 * handler waits on its own writes. Neither a handler writing without end
 * nor a slow log can take the master from its other work. */
static void
stderr_drain(struct child *c, size_t cap)
{
	struct evsrc	*src = &c->err;
	uint64_t	 now = loop_now();
	size_t		 turn = 0;
	ssize_t		 n;

	if (c->errsec != now / 1000) {
		c->errsec = now / 1000;
		c->errbytes = 0;
	}
	while (turn < cap) {
		if (c->errbytes >= STDERR_RATE) {
			if (!c->errslow) {
				c->errslow = 1;
				log_info("%s[%ld]: more than %d bytes a second "
				    "on stderr; reading it slower",
				    c->svc->name, (long)c->pid, STDERR_RATE);
			}
			(void)loop_mod(&c->err, 0);
			c->errpause.cb = stderr_resume;
			loop_timer_arm(&c->errpause, 1000 - now % 1000);
			return;
		}
		n = read(src->fd, c->errbuf + c->errlen,
		    sizeof(c->errbuf) - c->errlen);
		if (n > 0) {
			turn += (size_t)n;
			c->errbytes += (size_t)n;
			c->errlen += (size_t)n;
			stderr_consume(c, 0);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		stderr_close(c);	/* EOF or error */
		return;
	}
}

static void
stderr_read(struct evsrc *src, uint32_t events)
{
	(void)events;
	stderr_drain((struct child *)((char *)src -
	    offsetof(struct child, err)), STDERR_TURN);
}

void
child_watch_stderr(struct child *c, int fd)
{
	c->err.fd = fd;
	c->err.cb = stderr_read;
	if (loop_add(&c->err, EPOLLIN) != 0) {
		log_warn("epoll_ctl stderr pipe");
		close(fd);
		c->err.fd = -1;
	}
}

/* The service's counters, for those who run with -v. */
static void
log_counters(const struct runtime *rt)
{
	const struct service_stats *st = &rt->stats;

	log_debug("%s: accepted %lu, refused deny %lu per_source %lu "
	    "instances %lu global %lu rate %lu service_rate %lu, running %u, "
	    "exited ok %lu fail %lu, killed %lu, timeouts %lu", rt->name,
	    st->accepted, st->refused[REFUSE_DENY],
	    st->refused[REFUSE_PER_SOURCE], st->refused[REFUSE_INSTANCES],
	    st->refused[REFUSE_GLOBAL], st->refused[REFUSE_RATE],
	    st->refused[REFUSE_SERVICE_RATE], rt->running, st->exited_ok,
	    st->exited_fail, st->killed, st->timeouts);
}

void
child_log_exit(struct child *c, int status, uint64_t ms)
{
	struct service_stats	*st = &c->rt->stats;
	struct child_fields	 cf;
	size_t			 n;
	int			 sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	/* A success is news at info; a failure or a kill is a warning. */
	int			 prio = sig || WEXITSTATUS(status) != 0 ?
				    LOG_LVL_WARN : LOG_LVL_INFO;

	if (c->failed)
		goto out;
	st->last_status = status;
	if (sig)
		st->killed++;
	else if (WEXITSTATUS(status) == 0)
		st->exited_ok++;
	else
		st->exited_fail++;
	if (prio > log_level())
		goto out;	/* no fields to format for a line not logged */
	n = peer_fields(c, &cf, child_fields(c, &cf));
	snprintf(cf.usec, sizeof(cf.usec), "%llu",
	    (unsigned long long)ms * 1000);
	cf.f[n++] = (struct log_field){ "DURATION_USEC", cf.usec };
	cf.f[n++] = (struct log_field){ "EXIT_STATUS", cf.status };
	if (sig) {
		snprintf(cf.status, sizeof(cf.status), "SIG%s",
		    sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
		log_fields(prio, cf.f, n, "%s: pid %ld from %s killed by signal "
		    "%d (%s) after %llu.%03llus%s", c->svc->name, (long)c->pid,
		    c->peer, sig, strsignal(sig),
		    (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000),
		    c->timed_out ? " (timeout)" : "");
	} else {
		snprintf(cf.status, sizeof(cf.status), "%d",
		    WEXITSTATUS(status));
		log_fields(prio, cf.f, n, "%s: pid %ld from %s exited with "
		    "status %d after %llu.%03llus", c->svc->name, (long)c->pid,
		    c->peer, WEXITSTATUS(status),
		    (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000));
	}
out:
	if (log_level() >= LOG_LVL_DEBUG)
		log_counters(c->rt);
}

/* At stop, the wait is over once nothing is left. */
static void
drain_check(void)
{
	if (drain_done == NULL || drained || nchildren + ninplace > 0)
		return;
	drained = 1;
	loop_timer_cancel(&drain_timer);
	drain_done();
}

void
child_end(struct child *c, int status)
{
	LIST_REMOVE(c, hash);
	ninplace--;
	c->exited(c, status, loop_now() - c->start);
	LIST_INSERT_HEAD(&dead, c, link);
	drain_check();
}

static void
child_exited(struct child *c, int status)
{
	/* Whatever it wrote before exiting is in the pipe by now (what a
	 * handler over its stderr rate left there is dropped). */
	if (c->err.fd >= 0) {
		stderr_drain(c, STDERR_RATE);
		stderr_close(c);
	}
	/* What a connection's handler left in its group would keep the
	 * client's socket and escape every limit: it ends with the handler.
	 * So does what a child that we told to end left (a wait or pool
	 * handler's helpers may otherwise live on). */
	if (c->group_ends || c->signalled)
		(void)kill(-c->pid, SIGKILL);
	loop_timer_cancel(&c->errpause);
	loop_timer_cancel(&c->deadline);
	LIST_REMOVE(c, hash);
	nchildren--;
	c->exited(c, status, loop_now() - c->start);
	if (c->chan >= 0) {
		close(c->chan);
		c->chan = -1;
	}
	LIST_INSERT_HEAD(&dead, c, link);
}

void
reaper_run(void)
{
	struct child	*c;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((c = child_find(pid)) == NULL) {
			log_debug("reaped pid %ld, not ours", (long)pid);
			continue;
		}
		child_exited(c, status);
	}
	if (pid < 0 && errno != ECHILD)
		log_warn("waitpid");
	drain_check();
}

static unsigned
signal_all(int sig)
{
	struct child	*c;
	unsigned	 i, n = 0;

	for (i = 0; i < CHILD_BUCKETS; i++)
		LIST_FOREACH(c, &table[i], hash)
			if (child_signal(c, sig) == 0)
				n++;
	/* stop ends a connection served in place: it leaves the list */
	for (; (c = LIST_FIRST(&inplace)) != NULL; n++) {
		c->signalled = 1;
		c->stop(c);
	}
	return n;
}

static void
drain_step(struct timer *t)
{
	(void)t;
	if (drain_stage == 0) {
		drain_stage = 1;
		log_info("stop: sending SIGTERM to %u remaining children",
		    signal_all(SIGTERM));
		if (drained)
			return;
		loop_timer_arm(&drain_timer, (uint64_t)drain_grace * 1000);
	} else {
		drain_stage = 2;
		log_info("stop: sending SIGKILL to %u remaining children",
		    signal_all(SIGKILL));
	}
}

void
reaper_drain(unsigned timeout, unsigned grace, unsigned handlers,
    void (*done)(void))
{
	if (drain_done) {		/* asked again: end the wait */
		if (drain_stage == 0) {
			loop_timer_cancel(&drain_timer);
			drain_step(&drain_timer);
		}
		return;
	}
	drain_done = done;
	drain_grace = grace;
	drain_timer.cb = drain_step;
	if (nchildren + ninplace == 0) {
		drain_check();
		return;
	}
	/* The other children are idle workers: no news. */
	if (handlers > 0)
		log_info("stop: waiting up to %us for %u handler%s", timeout,
		    handlers, handlers == 1 ? "" : "s");
	loop_timer_arm(&drain_timer, (uint64_t)timeout * 1000);
}

void
reaper_flush(void)
{
	struct child *c;

	while ((c = LIST_FIRST(&dead)) != NULL) {
		LIST_REMOVE(c, link);
		runtime_unref(c->rt);
		service_unref(c->svc);
		free(c);
	}
}
