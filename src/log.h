/* log.h: the one log module: stderr in the foreground (the journal's
 * native protocol when stderr is the journal), syslog otherwise.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_LOG_H
#define PINETD_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

/* The levels are syslog's priorities (LOG_ERR .. LOG_DEBUG of <syslog.h>),
 * so a level is also the PRIORITY= of a journal record. Lines at or below
 * the current level are logged; fatal() always. */
enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,	/* -q */
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,	/* the default */
	LOG_LVL_DEBUG = 7,	/* -v */
};

/* A structured field of a log line, e.g. { "PINETD_SERVICE", "echo" }.
 * key: 1 to 64 of A-Z, 0-9 and '_', not starting with '_' or a digit. */
struct log_field {
	const char	*key;
	const char	*value;
};

/* A call site that may fire in a flood keeps one of these. */
struct ratelimit {
	time_t		window;		/* start of the current second-window */
	unsigned	count;		/* lines logged in it */
	unsigned	suppressed;	/* lines dropped since the last one logged */
};

void	log_init(const char *ident, int use_syslog, int level);
/* After fd 2 was replaced (dup2): write to the new stderr. */
void	log_reopen(void);
void	log_set_level(int level);
/* The command line set the level (-v, -q): log_config_level is ignored. */
void	log_pin_level(void);
/* The config's log_level (a LOG_LVL_*, or -1 for the default, info), at
 * start and at each reload, unless the level is pinned. */
void	log_config_level(int level);
/* "error", "warning", "notice", "info" or "debug" (any case): the level,
 * or -1 for anything else. */
int	log_level_parse(const char *name);
/* After a fork, in the child that goes on logging (or exits). */
void	log_forked(void);
/* Lines to stderr are held from log_hold() and written together at
 * log_release() (and at fatal()): one batch of the event loop. */
void	log_hold(void);
void	log_release(void);
int	log_level(void);
void	log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Logs a warning unless this call site already logged its share this
 * window; the next line logged says how many were dropped. */
void	log_warn_rl(struct ratelimit *rl, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * A line with structured fields, at level prio (a LOG_LVL_*). The text
 * must say everything by itself: the fields go only to the journal (as
 * KEY=value beside MESSAGE=, PRIORITY= and SYSLOG_IDENTIFIER=, so that
 * `journalctl PINETD_SERVICE=echo` finds them); stderr and syslog get the
 * text alone. A field with a NULL value, an invalid key, or that does not
 * fit in the record (4 KiB) is left out. Connection lines carry, by name:
 *   PINETD_SERVICE	the service's name
 *   REMOTE_ADDR	the peer's address, as in the text
 *   REMOTE_PORT	the peer's port
 *   HANDLER_PID	the handler's pid
 *   EXIT_STATUS	its exit status, or the signal as "SIGTERM"
 *   DURATION_USEC	microseconds from accept to exit
 * e.g.
 *	struct log_field f[] = { { "PINETD_SERVICE", svc->name },
 *	    { "REMOTE_ADDR", ip }, { "REMOTE_PORT", port } };
 *	log_fields(LOG_LVL_INFO, f, 3, "%s: connection from %s:%s", ...);
 */
void	log_fields(int prio, const struct log_field *f, size_t n,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* log_fields, unless this call site already logged its share this
 * window (as log_warn_rl). */
void	log_fields_rl(struct ratelimit *rl, int prio, const struct log_field *f,
	    size_t n, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Copies src into dst, replacing control and non-ASCII bytes by '?'. */
void	log_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
