/* notify.c: systemd's notification protocol: READY=1, STOPPING=1, STATUS=
 * and the watchdog keep-alive, the latter two driven by loop timers. */
#include "ac-config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "loop.h"
#include "notify.h"

#define NOTIFY_STATUS_MS	1000
#define NOTIFY_STATUS_LEN	256

#ifdef HAVE_SYSTEMD

static int		 enabled;	/* NOTIFY_SOCKET is set */
static uint64_t		 watchdog_ms;
static struct timer	 watchdog;
static struct timer	 refresh;
static void		(*summary_fn)(char *, size_t);
static char		 last_status[NOTIFY_STATUS_LEN];

static void
notify_send(const char *msg)
{
	static struct ratelimit	rl;
	int			rc;

	if (!enabled)
		return;
	if ((rc = sd_notify(0, msg)) < 0) {
		errno = -rc;
		log_warn_rl(&rl, "sd_notify");
	}
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
	uint64_t	usec;
	int		rc;

	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	enabled = 1;
	summary_fn = summary;
	rc = sd_watchdog_enabled(0, &usec);
	if (rc < 0) {
		errno = -rc;
		log_warn("WATCHDOG_USEC");
	} else if (rc > 0) {
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

	if (!enabled)
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
	int	n, i;

	*fds = NULL;
	*names = NULL;
	if ((n = sd_listen_fds_with_names(1, names)) <= 0)
		return 0;
	if ((*fds = calloc((size_t)n, sizeof(int))) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		(*fds)[i] = SD_LISTEN_FDS_START + i;
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

	if (!enabled)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(last_status, sizeof(last_status), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "STATUS=%s", last_status);
	notify_send(msg);
}

#else	/* !HAVE_SYSTEMD */

void
notify_init(void (*summary)(char *, size_t))
{
	(void)summary;
}

void
notify_ready(void)
{
}

int
notify_listen_fds(int **fds, char ***names)
{
	*fds = NULL;
	*names = NULL;
	return 0;
}

void
notify_reloading(void)
{
}

void
notify_stopping(void)
{
}

void
notify_status(const char *fmt, ...)
{
	(void)fmt;
}

#endif
