/* supervise.c: handlers that get the listening socket itself. Mode wait:
 * one handler at a time, started when the socket is readable; until it
 * exits the master leaves the socket alone. Mode pool: a fixed number of
 * handlers that accept by themselves, restarted when they end.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "backoff.h"
#include "config.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "policy.h"
#include "reaper.h"
#include "runtime.h"
#include "spawn.h"
#include "supervise.h"

#define PAUSE_MS	100	/* after a handler could not be started */
#define POOL_STABLE_MS	1000	/* a pool handler living less crashed */
#define POOL_BACKOFF_MIN 100
#define POOL_BACKOFF_MAX 30000
#define WAIT_BURST	50	/* quick wait handlers in a row before a rest */
#define WAIT_PAUSE_MIN	1000
#define WAIT_PAUSE_MAX	60000

/* What supervision keeps for one wait or pool listener. */
struct supervised {
	struct listener	*l;
	struct childlist children;	/* its handlers alive */
	unsigned	 running;	/* mode pool: handlers alive */
	unsigned	 backoff;	/* ms before the next restart */
	unsigned	 quick_runs;	/* wait handlers back at once */
	struct timer	 retry;
};

static void	pool_fill(struct supervised *);

/* A wait handler that returns at once while its socket stays readable (it
 * read nothing, or failed to start) would be started again at once, for
 * ever: past WAIT_BURST quick runs in a row the listener rests, longer
 * each time, and logs it. A handler that lived a while resets this. */
static void
wait_throttle(struct supervised *s, uint64_t ms)
{
	if (ms >= POOL_STABLE_MS) {
		s->quick_runs = 0;
		s->backoff = 0;
		return;
	}
	if (++s->quick_runs < WAIT_BURST)
		return;
	s->quick_runs = 0;
	backoff_next(&s->backoff, WAIT_PAUSE_MIN, WAIT_PAUSE_MAX);
	log_warnx("%s: %d wait handlers in a row returned within a second; "
	    "not watching the socket for %u ms", s->l->svc->name, WAIT_BURST,
	    s->backoff);
	listener_pause(s->l, s->backoff);
}

static void
pool_ended(struct supervised *s, uint64_t ms)
{
	s->running--;
	if (ms >= POOL_STABLE_MS) {
		s->backoff = 0;
		pool_fill(s);
		return;
	}
	/* exited at once: restart it later, later each time */
	s->l->rt->mc.crash_pauses++;
	backoff_next(&s->backoff, POOL_BACKOFF_MIN, POOL_BACKOFF_MAX);
	log_warnx("%s: pool handler exited after %llu ms; crash-looping, "
	    "restarting in %u ms", s->l->svc->name, (unsigned long long)ms,
	    s->backoff);
	loop_timer_arm(&s->retry, s->backoff);
}

/* The end of a wait or pool handler. */
static void
handler_exited(struct child *c, int status, uint64_t ms)
{
	struct supervised *s = c->owner;

	policy_release(c->rt, NULL);
	child_log_exit(c, status, ms);
	if (s != NULL) {
		LIST_REMOVE(c, link);
		if (s->l->svc->mode == MODE_WAIT) {
			s->l->lent = 0;
			(void)fcntl(s->l->ev.fd, F_SETFL, O_NONBLOCK);
			wait_throttle(s, ms);
			listener_poll(s->l);
		} else
			pool_ended(s, ms);
	}
	listener_release_held(policy_full);
}

/* Runs a handler on the listening socket; returns it, or NULL when none
 * could be started. */
static struct child *
handler_start(struct supervised *s, const char *what)
{
	static struct ratelimit	 rl;
	struct listener		*l = s->l;
	struct service		*svc = l->svc;
	struct spawn_local	 local = { l->addr.ss_family, l->localip,
				    l->localport, l->wildcard };
	struct child		*c;
	char			 env[SPAWN_CONNENV];
	pid_t			 pid;
	int			 errfd, err = 0, stage = 0;

	spawn_set_env(svc, env, spawn_listener_env(svc, &local, env));
	pid = spawn_handler(svc, l->ev.fd, &errfd, &err, &stage);
	if (pid < 0 || (c = child_new(pid, svc, l->rt, handler_exited,
	    s)) == NULL) {
		l->rt->stats.spawn_failed++;
		log_warn_rl(&rl, "%s: cannot start a %s handler", svc->name,
		    what);
		return NULL;
	}
	child_begin(c, what);
	policy_enter(l->rt);
	LIST_INSERT_HEAD(&s->children, c, link);
	if (err != 0) {
		c->failed = 1;
		l->rt->stats.exec_failed++;
		errno = err;
		log_warn_rl(&rl, "%s: %s %s for the %s handler failed",
		    svc->name, spawn_stage_name(stage), svc->path, what);
	} else
		log_info("%s: %s handler pid %ld started", svc->name, what,
		    (long)pid);
	if (errfd >= 0)
		child_watch_stderr(c, errfd);
	return c;
}

void
supervise_wait(struct listener *l)
{
	struct child	*c = NULL;
	char		 junk[1];

	/* the handler reads it as programs do: blocking */
	(void)fcntl(l->ev.fd, F_SETFL, 0);
	if (l->sup != NULL)
		c = handler_start(l->sup, "wait");
	if (c == NULL || c->failed) {
		/* a datagram nobody will read would wake us forever */
		if (service_dgram(l->svc))
			(void)recv(l->ev.fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (c == NULL) {
			(void)fcntl(l->ev.fd, F_SETFL, O_NONBLOCK);
			listener_pause(l, PAUSE_MS);
			return;
		}
	}
	l->lent = 1;
	listener_poll(l);
}

static void
pool_fill(struct supervised *s)
{
	while (s->running < s->l->svc->instances) {
		if (handler_start(s, "pool") == NULL) {
			loop_timer_arm(&s->retry, PAUSE_MS);
			return;
		}
		s->running++;
	}
}

static void
pool_retry(struct timer *t)
{
	pool_fill((struct supervised *)((char *)t -
	    offsetof(struct supervised, retry)));
}

void
supervise_opened(struct listener *l)
{
	struct supervised *s;

	if (l->svc->mode != MODE_WAIT && l->svc->mode != MODE_POOL)
		return;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("%s: supervision", l->svc->name);
		return;
	}
	s->l = l;
	LIST_INIT(&s->children);
	s->retry.cb = pool_retry;
	l->sup = s;
	if (l->svc->mode == MODE_POOL)
		pool_fill(s);
}

void
supervise_closing(struct listener *l)
{
	struct supervised	*s = l->sup;
	struct child		*c;

	if (s == NULL)
		return;
	loop_timer_cancel(&s->retry);
	while ((c = LIST_FIRST(&s->children)) != NULL) {
		LIST_REMOVE(c, link);
		c->owner = NULL;
		if (l->svc->mode == MODE_POOL)
			(void)child_signal(c, SIGTERM);
	}
	free(s);
	l->sup = NULL;
}
