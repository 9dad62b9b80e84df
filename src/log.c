/* log.c: stderr, the journal or syslog; levels; structured fields; and
 * rate-limited lines. The master never waits for its log: a line that
 * cannot be written at once is dropped and counted.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"

#define LOG_RL_PER_SEC	10
#define LOG_MSG_MAX	1024		/* one line, without its prefix */
#define LOG_LINE_MAX	(LOG_MSG_MAX + 64)
#define LOG_REC_MAX	4096		/* one journal record */

static int	 log_syslog;
static int	 log_lvl = LOG_LVL_INFO;
static const char *log_ident = "pinetd";
static long	 log_pid;	/* getpid() is a system call each time */
static int	 log_journal;	/* stderr is systemd's journal */
static int	 level_pinned;	/* -v or -q: the config has no say */
static int	 journal_fd = -1; /* its native socket, when usable */
static int	 sink_fd = STDERR_FILENO;
static int	 sink_is_socket;
static unsigned long dropped;	/* lines lost since the last one written */
static char	 pend[PIPE_BUF];	/* the rest of lines written in part */
static size_t	 npend;
static char	 held[PIPE_BUF];	/* lines held while log_hold() lasts */
_Static_assert(LOG_LINE_MAX <= PIPE_BUF, "a line fits in what is held");
static size_t	 nheld;
static int	 holding;

static const char *const level_names[] = {
	[LOG_LVL_ERR] = "error", [LOG_LVL_WARN] = "warning",
	[LOG_LVL_NOTICE] = "notice", [LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

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

/*
 * A write to stderr must not block the master when whoever reads it
 * pauses. O_NONBLOCK on fd 2 itself is not an option: the flag belongs to
 * the open file description, which handlers inherit as their stderr and
 * which the process that started us may share; they would get EAGAIN.
 * So: a socket (the journal's stream, socat) is written with
 * send(MSG_DONTWAIT), which is non-blocking for that call only; a pipe,
 * FIFO or terminal is opened again through /proc/self/fd/2, which makes a
 * new open file description of our own that can be non-blocking. Without
 * /proc the writes stay blocking. A regular file never waits for a reader.
 */
static void
sink_open(void)
{
	struct stat	st;
	int		fd;

	if (sink_fd != STDERR_FILENO)
		close(sink_fd);
	sink_fd = STDERR_FILENO;
	sink_is_socket = 0;
	npend = 0;
	if (fstat(STDERR_FILENO, &st) != 0)
		return;
	if (S_ISSOCK(st.st_mode))
		sink_is_socket = 1;
	else if ((S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) &&
	    (fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY)) >= 0)
		sink_fd = fd;
}

static ssize_t
sink_write(const char *buf, size_t len)
{
	if (sink_is_socket)
		return send(sink_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(sink_fd, buf, len);
}

/* Writes what is left of a line written in part: 0 once none is left. */
static int
sink_flush(void)
{
	ssize_t n;

	while (npend > 0) {
		if ((n = sink_write(pend, npend)) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return -1;
			npend = 0;	/* stderr is gone: forget it */
			break;
		}
		memmove(pend, pend + n, npend - (size_t)n);
		npend -= (size_t)n;
	}
	return 0;
}

/* Whole lines in one write, so that lines from the master and its
 * children do not interleave mid-line on a shared stderr (a pipe writes
 * up to PIPE_BUF bytes at once). -1 when nothing was written because the
 * sink is full; what the sink refuses for good (a closed stderr) is not
 * counted as dropped. */
static int
sink_lines(const char *buf, size_t len)
{
	ssize_t n;

	if (sink_flush() != 0)
		return -1;
	if ((n = sink_write(buf, len)) < 0)
		return errno == EAGAIN || errno == EINTR ? -1 : 0;
	if ((size_t)n < len) {
		npend = len - (size_t)n;
		memcpy(pend, buf + n, npend);
	}
	return 0;
}

/* Writes the held lines; those the sink has no room for are dropped. */
static void
held_flush(void)
{
	size_t i;

	if (nheld > 0 && sink_lines(held, nheld) != 0)
		for (i = 0; i < nheld; i++)
			dropped += held[i] == '\n';
	nheld = 0;
}

static int
sink_line(const char *buf, size_t len)
{
	if (!holding)
		return sink_lines(buf, len);
	if (nheld + len > sizeof(held))
		held_flush();
	memcpy(held + nheld, buf, len);
	nheld += len;
	return 0;
}

/*
 * While the event loop handles one batch of events, the lines of stderr
 * are held and written together at its end: one write for the exit lines
 * of all the connections that ended in it instead of one each. Lines go
 * to the journal's socket and to syslog at once, as before.
 */
void
log_hold(void)
{
	holding = 1;
}

void
log_release(void)
{
	holding = 0;
	held_flush();
}

static void
journal_sink_open(void)
{
	if (journal_fd >= 0)
		close(journal_fd);
	journal_fd = -1;
	log_journal = stderr_is_journal();
	if (log_journal)
		journal_fd = journal_open(JOURNAL_SOCKET);
}

void
log_init(const char *ident, int use_syslog, int level)
{
	log_ident = ident;
	log_pid = (long)getpid();
	log_syslog = use_syslog;
	log_lvl = level;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_reopen();
}

void
log_reopen(void)
{
	journal_sink_open();
	sink_open();
}

void
log_forked(void)
{
	log_pid = (long)getpid();
	holding = 0;	/* the lines held are the parent's to write */
	nheld = 0;
}

void
log_set_level(int level)
{
	if (level >= LOG_LVL_ERR && level <= LOG_LVL_DEBUG)
		log_lvl = level;
}

void
log_pin_level(void)
{
	level_pinned = 1;
}

void
log_config_level(int level)
{
	if (!level_pinned)
		log_lvl = level < 0 ? LOG_LVL_INFO : level;
}

int
log_level(void)
{
	return log_lvl;
}

int
log_level_parse(const char *name)
{
	int i;

	for (i = LOG_LVL_ERR; i <= LOG_LVL_DEBUG; i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

/* The record for the journal: priority, identifier, message, fields.
 * A field that is not valid or does not fit is left out. */
static int
journal_line(int prio, const char *msg, const struct log_field *f,
    size_t nf)
{
	char			buf[LOG_REC_MAX], p[4];
	struct journal_rec	r = { buf, sizeof(buf), 0 };
	size_t			i;

	snprintf(p, sizeof(p), "%d", prio);
	(void)journal_append(&r, "PRIORITY", p, strlen(p));
	(void)journal_append(&r, "SYSLOG_IDENTIFIER", log_ident,
	    strlen(log_ident));
	(void)journal_append(&r, "MESSAGE", msg, strlen(msg));
	for (i = 0; i < nf; i++)
		if (f[i].key && f[i].value)
			(void)journal_append(&r, f[i].key, f[i].value,
			    strlen(f[i].value));
	return journal_send(journal_fd, &r);
}

/* 0 when the line went out (or can never go out), -1 when the output was
 * full and it was dropped. */
static int
log_out(int prio, const char *msg, const struct log_field *f, size_t nf)
{
	char	line[LOG_LINE_MAX];
	int	n;

	if (journal_fd >= 0) {
		if (journal_line(prio, msg, f, nf) == 0)
			return 0;
		if (errno == EAGAIN)
			return -1;
		/* the journal went away: its stream on stderr may remain */
	}
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>%s\n", prio, msg);
	else
		n = snprintf(line, sizeof(line), "%s[%ld]: %s\n", log_ident,
		    log_pid, msg);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	return sink_line(line, (size_t)n);
}

/* Says how many lines were lost before the next one goes out. */
static void
log_put(int prio, const char *msg, const struct log_field *f, size_t nf)
{
	char note[80];

	if (dropped > 0) {
		snprintf(note, sizeof(note), "%lu log lines dropped: the log "
		    "output was full", dropped);
		if (log_out(LOG_WARNING, note, NULL, 0) != 0) {
			dropped++;
			return;
		}
		dropped = 0;
	}
	if (log_out(prio, msg, f, nf) != 0)
		dropped++;
}

static void
log_emitf(int prio, const struct log_field *f, size_t nf, const char *fmt,
    va_list ap, const char *suffix)
{
	char	 msg[LOG_MSG_MAX];
	int	 n;
	size_t	 len;

	if (prio > log_lvl)
		return;
	if ((n = vsnprintf(msg, sizeof(msg), fmt, ap)) < 0)
		return;
	len = (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1;
	if (suffix)
		snprintf(msg + len, sizeof(msg) - len, ": %s", suffix);
	if (log_syslog)
		syslog(prio, "%s", msg);
	else
		log_put(prio, msg, f, nf);
}

static void
log_emit(int prio, const char *fmt, va_list ap, const char *suffix)
{
	log_emitf(prio, NULL, 0, fmt, ap, suffix);
}

void
log_fields(int prio, const struct log_field *f, size_t nf,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emitf(prio, f, nf, fmt, ap, NULL);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_NOTICE, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

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

/* 1 when the call site may log in this window; first says how many of its
 * lines were dropped since the last. */
static int
ratelimit_pass(struct ratelimit *rl)
{
	time_t now = time(NULL);

	if (now != rl->window) {
		rl->window = now;
		rl->count = 0;
	}
	if (rl->count >= LOG_RL_PER_SEC) {
		rl->suppressed++;
		return 0;
	}
	rl->count++;
	if (rl->suppressed > 0) {
		log_warnx("%u similar messages suppressed", rl->suppressed);
		rl->suppressed = 0;
	}
	return 1;
}

void
log_warn_rl(struct ratelimit *rl, const char *fmt, ...)
{
	va_list ap;
	int	saved = errno;

	if (!ratelimit_pass(rl))
		return;
	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, saved ? strerror(saved) : NULL);
	va_end(ap);
	errno = saved;
}

void
log_fields_rl(struct ratelimit *rl, int prio, const struct log_field *f,
    size_t nf, const char *fmt, ...)
{
	va_list ap;

	if (prio > log_lvl || !ratelimit_pass(rl))
		return;
	va_start(ap, fmt);
	log_emitf(prio, f, nf, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	log_release();
	exit(111);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	log_release();
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
