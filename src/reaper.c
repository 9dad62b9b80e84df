/* reaper.c: the waitpid loop, the child table, exit accounting. */
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
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "policy.h"
#include "reaper.h"

#define CHILD_BUCKETS	4096	/* a power of two */

static struct child	*table[CHILD_BUCKETS];
static struct child	*dead;		/* reaped this batch */
static unsigned		 nchildren;
static unsigned		 nrunning;	/* handlers, not idle workers */

#define STDERR_TURN	4096	/* bytes read from one handler per loop turn */
#define STDERR_RATE	16384	/* bytes a second from one handler */

#define QUICK_FAIL_MS	1000	/* a handler failing sooner failed "at once" */
#define QUICK_FAILS	5	/* in a row: the service is looping */
#define LOOP_PAUSE_MIN	1000
#define LOOP_PAUSE_MAX	60000

/* Draining at stop. */
static struct timer	 drain_timer;
static void		(*drain_done)(void);
static unsigned		 drain_grace;
static int		 drain_stage;	/* 0 waiting, 1 SIGTERM sent, 2 SIGKILL */

static unsigned
bucket(pid_t pid)
{
	return (unsigned)pid & (CHILD_BUCKETS - 1);
}

struct child *
child_new(pid_t pid, struct service *svc, int state)
{
	struct child *c;

	if (fault_hit("child_new") || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->pid = pid;
	c->state = state;
	c->svc = service_ref(svc);
	c->err.fd = -1;
	c->chan = -1;
	c->start = loop_now();
	c->hnext = table[bucket(pid)];
	table[bucket(pid)] = c;
	nchildren++;
	return c;
}

struct child *
child_find(pid_t pid)
{
	struct child *c;

	for (c = table[bucket(pid)]; c; c = c->hnext)
		if (c->pid == pid)
			return c;
	return NULL;
}

unsigned
reaper_count(void)
{
	return nchildren;
}

unsigned
reaper_running(void)
{
	return nrunning;
}

/* Every child leads its own process group (spawn.c): a signal meant for
 * it goes to the group, so that what a handler forked ends with it. A
 * worker forked a moment ago may not have made its group yet. */
static int
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
		c->svc->stats.timeouts++;
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
child_begin(struct child *c, const char *peer, struct source *src)
{
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->start = loop_now();
	c->state = CHILD_HANDLER;
	c->src = src;
	c->svc->running++;
	nrunning++;
	if (c->svc->timeout) {
		c->deadline.cb = child_deadline;
		loop_timer_arm(&c->deadline, (uint64_t)c->svc->timeout * 1000);
	}
}

/* Whether a failure says the handler itself is broken. A client can make
 * a handler exit 1 (bad input), die of SIGPIPE (it left) or even crash,
 * and must not be able to pause the service for everybody; it cannot make
 * the setup or the exec fail, nor the statuses that mean "cannot run":
 * 111 and 100 (this daemon's and daemontools' temporary and permanent
 * failures), 126 and 127 (the shell could not run or find the program). */
static int
handler_broken(const struct child *c, int status)
{
	if (c->failed)
		return 1;
	if (!WIFEXITED(status))
		return 0;
	switch (WEXITSTATUS(status)) {
	case 100:
	case 111:
	case 126:
	case 127:
		return 1;
	default:
		return 0;
	}
}

/* A handler that keeps failing at once is looping: rather than a fork
 * storm, its listeners rest for a while, longer each time. */
static void
check_looping(struct child *c, int status, uint64_t ms)
{
	struct service *svc = c->svc;

	if (c->timed_out || (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	    ms >= QUICK_FAIL_MS) {
		svc->quick_fails = 0;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			svc->loop_backoff = 0;
		return;
	}
	if (!handler_broken(c, status))
		return;		/* neither counted nor a reset */
	if (++svc->quick_fails < QUICK_FAILS)
		return;
	svc->quick_fails = 0;
	svc->loop_backoff = svc->loop_backoff ? svc->loop_backoff * 2 :
	    LOOP_PAUSE_MIN;
	if (svc->loop_backoff > LOOP_PAUSE_MAX)
		svc->loop_backoff = LOOP_PAUSE_MAX;
	log_warnx("%s: looping: %d handlers in a row failed within a second; "
	    "not accepting for %u ms", svc->name, QUICK_FAILS,
	    svc->loop_backoff);
	listener_pause_service(svc, svc->loop_backoff);
}

static void
stderr_line(struct child *c, const char *s, size_t len)
{
	char clean[CHILD_ERRBUF];

	log_sanitize(clean, sizeof(clean), s, len);
	log_info("%s[%ld]: %s", c->svc->name, (long)c->pid, clean);
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

static void
child_unlink(struct child *c)
{
	struct child **pp;

	for (pp = &table[bucket(c->pid)]; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	nchildren--;
}

static void
log_exit(struct child *c, int status)
{
	struct service	*svc = c->svc;
	uint64_t	 ms = loop_now() - c->start;

	svc->stats.last_status = status;
	if (WIFSIGNALED(status)) {
		svc->stats.killed++;
		log_info("%s: pid %ld from %s killed by signal %d (%s) after "
		    "%llu.%03llus%s", svc->name, (long)c->pid, c->peer,
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000),
		    c->timed_out ? " (timeout)" : "");
		return;
	}
	if (WEXITSTATUS(status) == 0)
		svc->stats.exited_ok++;
	else
		svc->stats.exited_fail++;
	log_info("%s: pid %ld from %s exited with status %d after %llu.%03llus",
	    svc->name, (long)c->pid, c->peer, WEXITSTATUS(status),
	    (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
}

/* The service's counters, for those who run with -v. */
static void
log_counters(const struct service *svc)
{
	const struct service_stats *st = &svc->stats;

	log_debug("%s: accepted %lu, refused deny %lu per_source %lu "
	    "instances %lu global %lu rate %lu service_rate %lu, running %u, "
	    "exited ok %lu fail %lu, killed %lu, timeouts %lu", svc->name,
	    st->accepted, st->refused[REFUSE_DENY],
	    st->refused[REFUSE_PER_SOURCE], st->refused[REFUSE_INSTANCES],
	    st->refused[REFUSE_GLOBAL], st->refused[REFUSE_RATE],
	    st->refused[REFUSE_SERVICE_RATE], svc->running, st->exited_ok,
	    st->exited_fail, st->killed, st->timeouts);
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
	loop_timer_cancel(&c->errpause);
	if (c->chan >= 0 || c->state == CHILD_IDLE)
		prefork_child_exited(c, status);
	if (c->state == CHILD_HANDLER) {
		uint64_t ms = loop_now() - c->start;

		/* What a connection's handler left in its group would keep
		 * the client's socket and escape every limit: it ends with
		 * the handler. So does what a wait or pool handler that we
		 * told to end left (otherwise its helpers may live on). */
		if (c->svc->mode == MODE_NOWAIT || c->signalled)
			(void)kill(-c->pid, SIGKILL);

		loop_timer_cancel(&c->deadline);
		c->svc->running--;
		nrunning--;
		policy_release(c->svc, c->src);
		if (!c->failed)
			log_exit(c, status);
		if (log_level() >= LOG_LVL_DEBUG)
			log_counters(c->svc);
		if (c->listener)
			listener_handler_done(c->listener, ms);
		else
			check_looping(c, status, ms);
		listener_slot_freed();
	}
	child_unlink(c);
	c->state = CHILD_DEAD;
	c->pnext = dead;
	dead = c;
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
	if (drain_done && nchildren == 0) {
		loop_timer_cancel(&drain_timer);
		drain_done();
	}
}

void
reaper_forget_listener(struct listener *l, int terminate)
{
	struct child	*c;
	unsigned	 i;

	for (i = 0; i < CHILD_BUCKETS; i++)
		for (c = table[i]; c; c = c->hnext)
			if (c->listener == l) {
				c->listener = NULL;
				if (terminate)
					(void)child_signal(c, SIGTERM);
			}
}

static unsigned
signal_all(int sig)
{
	struct child	*c;
	unsigned	 i, n = 0;

	for (i = 0; i < CHILD_BUCKETS; i++)
		for (c = table[i]; c; c = c->hnext)
			if (child_signal(c, sig) == 0)
				n++;
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
		loop_timer_arm(&drain_timer, (uint64_t)drain_grace * 1000);
	} else {
		drain_stage = 2;
		log_info("stop: sending SIGKILL to %u remaining children",
		    signal_all(SIGKILL));
	}
}

void
reaper_drain(unsigned timeout, unsigned grace, void (*done)(void))
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
	if (nchildren == 0) {
		done();
		return;
	}
	/* The other children are idle workers and pool copies: no news. */
	if (nrunning > 0)
		log_info("stop: waiting up to %us for %u handler%s", timeout,
		    nrunning, nrunning == 1 ? "" : "s");
	loop_timer_arm(&drain_timer, (uint64_t)timeout * 1000);
}

void
reaper_flush(void)
{
	struct child *c;

	while ((c = dead) != NULL) {
		dead = c->pnext;
		service_unref(c->svc);
		free(c);
	}
}
