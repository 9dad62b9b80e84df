/* notify.c: systemd's notification protocol: READY=1, STOPPING=1, STATUS=
 * and the watchdog keep-alive, the latter two driven by loop timers.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "notify.h"
#include "sdproto.h"

#define NOTIFY_STATUS_MS	1000
#define NOTIFY_STATUS_LEN	256

static char		*sockpath;	/* copy of NOTIFY_SOCKET, or NULL */
static uint64_t		 watchdog_ms;
static struct timer	 watchdog;
static struct timer	 refresh;
static void		(*summary_fn)(char *, size_t);
static char		 last_status[NOTIFY_STATUS_LEN];

static void
notify_send(const char *msg)
{
	static struct ratelimit	rl;

	if (sockpath == NULL)
		return;
	if (sdproto_notify(sockpath, msg) != 0)
		log_warn_rl(&rl, "notify %s", sockpath);
}

static void
notify_watchdog(struct timer *t)
{
	notify_send("WATCHDOG=1");
	loop_timer_arm(t, watchdog_ms);
}

/* STATUS= only when the summary changed: at most once a second. */
static void
notify_refresh(struct timer *t)
{
	char now[NOTIFY_STATUS_LEN];

	summary_fn(now, sizeof(now));
	if (strcmp(now, last_status) != 0)
		notify_status("%s", now);
	loop_timer_arm(t, NOTIFY_STATUS_MS);
}

void
notify_init(void (*summary)(char *, size_t))
{
	const char	*path = getenv("NOTIFY_SOCKET");
	uint64_t	 usec;
	int		 rc;

	/* A copy: a later setenv() may free the environment's string. */
	if (path == NULL || (sockpath = strdup(path)) == NULL)
		return;
	summary_fn = summary;
	rc = sdproto_watchdog(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"),
	    getpid(), &usec);
	if (rc < 0)
		log_warnx("WATCHDOG_USEC or WATCHDOG_PID is not a number; "
		    "no watchdog keep-alive");
	else if (rc > 0) {
		watchdog_ms = usec / 2000;
		if (watchdog_ms == 0)
			watchdog_ms = 1;
		watchdog.cb = notify_watchdog;
		loop_timer_arm(&watchdog, watchdog_ms);
		log_debug("watchdog: keep-alive every %llu ms",
		    (unsigned long long)watchdog_ms);
	}
	if (summary_fn) {
		refresh.cb = notify_refresh;
		loop_timer_arm(&refresh, NOTIFY_STATUS_MS);
	}
}

void
notify_ready(void)
{
	char	now[NOTIFY_STATUS_LEN] = "";
	char	msg[NOTIFY_STATUS_LEN + 32];

	if (sockpath == NULL)
		return;
	if (summary_fn)
		summary_fn(now, sizeof(now));
	snprintf(last_status, sizeof(last_status), "%s", now);
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", now);
	notify_send(msg);
}

int
notify_listen_fds(int **fds, char ***names)
{
	int	n;

	if ((n = sdproto_listen_fds(fds, names)) < 0) {
		log_warnx("LISTEN_PID, LISTEN_FDS or LISTEN_FDNAMES is "
		    "malformed; no passed socket is adopted");
		return 0;
	}
	return n;
}

/* RELOADING=1 with the monotonic time systemd wants beside it. */
void
notify_reloading(void)
{
	struct timespec	ts;
	char		msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
	notify_send(msg);
}

void
notify_stopping(void)
{
	loop_timer_cancel(&refresh);
	snprintf(last_status, sizeof(last_status), "stopping");
	notify_send("STOPPING=1\nSTATUS=stopping");
}

void
notify_status(const char *fmt, ...)
{
	char	msg[NOTIFY_STATUS_LEN + 8];
	va_list	ap;

	if (sockpath == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(last_status, sizeof(last_status), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "STATUS=%s", last_status);
	notify_send(msg);
}
