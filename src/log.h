/* log.h: the one log module: stderr in the foreground, syslog otherwise. */
#ifndef PINETD_LOG_H
#define PINETD_LOG_H

#include <stdarg.h>
#include <time.h>

enum log_level { LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* A call site that may fire in a flood keeps one of these. */
struct ratelimit {
	time_t		window;		/* start of the current second-window */
	unsigned	count;		/* lines logged in it */
	unsigned	suppressed;	/* lines dropped since the last one logged */
};

void	log_init(const char *ident, int use_syslog, int level);
void	log_set_level(int level);
/* After a fork, in the child that goes on logging. */
void	log_forked(void);
int	log_level(void);
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
/* Copies src into dst, replacing control and non-ASCII bytes by '?'. */
void	log_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
