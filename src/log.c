/* log.c: stderr or syslog output, levels, and rate-limited lines. */
#include "ac-config.h"

#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

#define LOG_RL_PER_SEC	10

static int	 log_syslog;
static int	 log_lvl = LOG_LVL_INFO;
static const char *log_ident = "pinetd";
static long	 log_pid;	/* getpid() is a system call each time */
static int	 log_journal;	/* stderr is systemd's journal */

/* systemd sets JOURNAL_STREAM to the device and inode of the stream it
 * connected to stderr: then the journal adds name and pid itself, and
 * takes the priority from a "<N>" prefix. */
static int
stderr_is_journal(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	struct stat		 st;
	unsigned long long	 dev, ino;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *ident, int use_syslog, int level)
{
	log_ident = ident;
	log_pid = (long)getpid();
	log_journal = stderr_is_journal();
	log_syslog = use_syslog;
	log_lvl = level;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_forked(void)
{
	log_pid = (long)getpid();
}

void
log_set_level(int level)
{
	log_lvl = level;
}

int
log_level(void)
{
	return log_lvl;
}

/* One write(2) per line, so lines from the master and its children never
 * interleave mid-line on a shared stderr. */
static void
log_emit(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char	 buf[1024];
	int	 n;
	size_t	 len;

	if (log_syslog) {
		n = vsnprintf(buf, sizeof(buf), fmt, ap);
		if (n < 0)
			return;
		if (suffix)
			syslog(prio, "%s: %s", buf, suffix);
		else
			syslog(prio, "%s", buf);
		return;
	}
	if (log_journal)
		n = snprintf(buf, sizeof(buf), "<%d>", prio);
	else
		n = snprintf(buf, sizeof(buf), "%s[%ld]: ", log_ident, log_pid);
	if (n < 0)
		return;
	len = (size_t)n;
	n = vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	if (n < 0)
		return;
	len += (size_t)n;
	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	if (suffix) {
		n = snprintf(buf + len, sizeof(buf) - len, ": %s", suffix);
		if (n > 0)
			len += (size_t)n;
		if (len > sizeof(buf) - 2)
			len = sizeof(buf) - 2;
	}
	buf[len++] = '\n';
	(void)write(STDERR_FILENO, buf, len);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < LOG_LVL_INFO)
		return;
	va_start(ap, fmt);
	log_emit(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < LOG_LVL_DEBUG)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn_rl(struct ratelimit *rl, const char *fmt, ...)
{
	va_list ap;
	time_t	now = time(NULL);
	int	saved = errno;

	if (now != rl->window) {
		rl->window = now;
		rl->count = 0;
	}
	if (rl->count >= LOG_RL_PER_SEC) {
		rl->suppressed++;
		return;
	}
	rl->count++;
	if (rl->suppressed > 0) {
		log_warnx("%u similar messages suppressed", rl->suppressed);
		rl->suppressed = 0;
	}
	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, saved ? strerror(saved) : NULL);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(111);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(111);
}

void
log_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t i, j = 0;

	if (dstlen == 0)
		return;
	for (i = 0; i < srclen && j + 1 < dstlen; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[j] = '\0';
}
