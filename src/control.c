/* control.c: the control socket: accepting pinetctl's connections, checking
 * who is calling, reading a one-line command and writing the reply, all
 * without blocking the master. The protocol is described in control.h.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "loop.h"
#include "sockstat.h"
#include "status.h"
#include "strbuf.h"

#define CONTROL_CLIENTS		8	/* at once; others are turned away */
#define CONTROL_LINE		256
#define CONTROL_TIMEOUT_MS	5000	/* to send the command and read
					 * the reply */
#define CONTROL_BACKLOG		16
#define CONTROL_PAUSE_MS	1000	/* after EMFILE and the like */
#define CONTROL_MAXARGS		4
#define CONTROL_RELOAD_MSG	8192	/* room for the errors of a reload */

/* A fixed table: a slot is never freed, so an event still queued in the
 * current batch for a client that was just dropped finds fd -1. */
struct client {
	struct evsrc	 ev;		/* first: the loop hands it to us */
	struct timer	 timeout;
	uid_t		 uid;
	long		 pid;
	int		 writing;	/* the command is read: replying */
	size_t		 inlen;
	char		 in[CONTROL_LINE];
	struct strbuf	 out;
	size_t		 outoff;
};

static struct client	 clients[CONTROL_CLIENTS];
static int		 inited;	/* the slots hold fd -1 */
static struct evsrc	 lsrc = { -1, NULL };
static struct timer	 resume;
static char		*sockpath;
static int		(*reload_fn)(char *, size_t);
static dev_t		 sock_dev;	/* to remove only our own file */
static ino_t		 sock_ino;

static void
client_close(struct client *c)
{
	if (c->ev.fd < 0)
		return;
	loop_timer_cancel(&c->timeout);
	loop_del(&c->ev);
	close(c->ev.fd);
	c->ev.fd = -1;
	c->inlen = 0;
	c->writing = 0;
	c->outoff = 0;
	strbuf_free(&c->out);
}

static void
client_timeout(struct timer *t)
{
	struct client *c = (struct client *)((char *)t -
	    offsetof(struct client, timeout));

	log_info("control: client pid %ld did not finish within %d s; "
	    "dropped", c->pid, CONTROL_TIMEOUT_MS / 1000);
	client_close(c);
}

/* Writes what the socket takes; closes the connection when all is out. */
static void
client_flush(struct client *c)
{
	ssize_t n;

	while (c->outoff < c->out.len) {
		n = send(c->ev.fd, c->out.s + c->outoff,
		    c->out.len - c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->outoff += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (loop_mod(&c->ev, EPOLLOUT) != 0)
				break;
			return;
		}
		break;		/* the client went away */
	}
	client_close(c);
}

static void
reply_status(struct strbuf *out, int json)
{
	strbuf_printf(out, "OK\n");
	if (json)
		status_json(out);
	else
		status_text(out);
}

void
control_set_reload(int (*fn)(char *msg, size_t len))
{
	reload_fn = fn;
}

/* OK and a summary, or ERR and the errors, a line each. */
static void
reply_reload(struct strbuf *out, long pid)
{
	char	*msg;
	size_t	 n;
	int	 rc;

	if (reload_fn == NULL) {
		log_warnx("control: reload requested by pid %ld: not supported "
		    "yet", pid);
		strbuf_printf(out, "ERR reload: not supported yet\n");
		return;
	}
	if ((msg = calloc(1, CONTROL_RELOAD_MSG)) == NULL) {
		out->failed = 1;
		return;
	}
	log_info("control: reload requested by pid %ld", pid);
	rc = reload_fn(msg, CONTROL_RELOAD_MSG);
	n = strlen(msg);
	if (rc == 0)
		strbuf_printf(out, "OK\n%s%s", msg,
		    n && msg[n - 1] != '\n' ? "\n" : "");
	else
		strbuf_printf(out, "ERR reload failed: keeping the running "
		    "configuration\n%s%s", msg,
		    n && msg[n - 1] != '\n' ? "\n" : "");
	free(msg);
}

/* Fills c->out with the reply to one command line. */
static void
client_command(struct client *c)
{
	char	*argv[CONTROL_MAXARGS + 1], *p, clean[CONTROL_LINE];
	int	 argc = 0;

	for (p = strtok(c->in, " \t\r"); p && argc <= CONTROL_MAXARGS;
	    p = strtok(NULL, " \t\r"))
		argv[argc++] = p;
	if (argc > 0)
		log_sanitize(clean, sizeof(clean), argv[0], strlen(argv[0]));
	if (argc == 0)
		strbuf_printf(&c->out, "ERR empty command\n");
	else if (strcmp(argv[0], "status") == 0 && argc == 1)
		reply_status(&c->out, 0);
	else if (strcmp(argv[0], "status") == 0 && argc == 2 &&
	    strcmp(argv[1], "json") == 0)
		reply_status(&c->out, 1);
	else if (strcmp(argv[0], "reload") == 0 && argc == 1)
		reply_reload(&c->out, c->pid);
	else if (strcmp(argv[0], "status") == 0 ||
	    strcmp(argv[0], "reload") == 0)
		strbuf_printf(&c->out, "ERR %s: bad arguments\n", clean);
	else
		strbuf_printf(&c->out, "ERR unknown command '%s'\n", clean);
	if (argc > 0 && strcmp(argv[0], "reload") != 0)
		log_debug("control: %s from uid %u, pid %ld", clean,
		    (unsigned)c->uid, c->pid);
	if (c->out.failed) {
		strbuf_free(&c->out);
		strbuf_printf(&c->out, "ERR out of memory\n");
	}
}

/* The command is the first line; whatever follows it is ignored. */
static void
client_read(struct client *c)
{
	char	*nl = NULL;
	ssize_t	 n;

	for (;;) {
		n = read(c->ev.fd, c->in + c->inlen,
		    sizeof(c->in) - 1 - c->inlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0 || (n == 0 && c->inlen == 0)) {
			client_close(c);
			return;
		}
		c->inlen += (size_t)n;
		c->in[c->inlen] = '\0';
		if ((nl = memchr(c->in, '\n', c->inlen)) != NULL)
			*nl = '\0';
		/* a line, the end of input, or a full buffer */
		if (nl || n == 0 || c->inlen == sizeof(c->in) - 1)
			break;
	}
	c->writing = 1;
	if (nl == NULL && n > 0)
		strbuf_printf(&c->out, "ERR command too long\n");
	else
		client_command(c);
	client_flush(c);
}

static void
client_event(struct evsrc *src, uint32_t events)
{
	struct client *c = (struct client *)src;

	(void)events;
	if (c->ev.fd < 0)
		return;
	if (c->writing)
		client_flush(c);
	else
		client_read(c);
}

/* Answers with one line and closes, for clients that get no slot. */
static void
turn_away(int fd, const char *line)
{
	(void)send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/* Only root and the daemon's own user may use the socket. Its mode is
 * 0600 already; this holds also when someone loosens it. */
static int
peer_check(int fd, struct ucred *uc)
{
	static struct ratelimit	rl;
	socklen_t		len = sizeof(*uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, uc, &len) != 0) {
		log_warn("control: SO_PEERCRED");
		return -1;
	}
	if (uc->uid == 0 || uc->uid == geteuid())
		return 0;
	errno = 0;
	log_warn_rl(&rl, "control: refused uid %u, pid %ld: only root%s may "
	    "use %s", (unsigned)uc->uid, (long)uc->pid,
	    geteuid() == 0 ? "" : " and the daemon's user", sockpath);
	return -1;
}

static void
client_start(int fd)
{
	static struct ratelimit	 rl;
	struct client		*c = NULL;
	struct ucred		 uc;
	size_t			 i;

	if (peer_check(fd, &uc) != 0) {
		turn_away(fd, "ERR permission denied\n");
		return;
	}
	for (i = 0; i < CONTROL_CLIENTS && c == NULL; i++)
		if (clients[i].ev.fd < 0)
			c = &clients[i];
	if (c == NULL) {
		errno = 0;
		log_warn_rl(&rl, "control: %d clients already; turning pid %ld "
		    "away", CONTROL_CLIENTS, (long)uc.pid);
		turn_away(fd, "ERR busy\n");
		return;
	}
	c->ev.fd = fd;
	c->uid = uc.uid;
	c->pid = (long)uc.pid;
	if (loop_add(&c->ev, EPOLLIN) != 0) {
		log_warn("control: epoll_ctl");
		close(fd);
		c->ev.fd = -1;
		return;
	}
	loop_timer_arm(&c->timeout, CONTROL_TIMEOUT_MS);
}

static void
control_resume(struct timer *t)
{
	(void)t;
	if (loop_mod(&lsrc, EPOLLIN) != 0)
		log_warn("control: cannot resume the socket");
}

static void
control_accept(struct evsrc *src, uint32_t events)
{
	static struct ratelimit	rl;
	int			i, fd;

	(void)events;
	for (i = 0; i < CONTROL_CLIENTS; i++) {
		fd = accept4(src->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd >= 0) {
			client_start(fd);
			continue;
		}
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return;
		/* out of fds or memory: a level-triggered retry would spin */
		log_warn_rl(&rl, "control: accept, pausing for %d ms",
		    CONTROL_PAUSE_MS);
		(void)loop_mod(src, 0);
		loop_timer_arm(&resume, CONTROL_PAUSE_MS);
		return;
	}
}

/* A socket file left by a pinetd that did not exit cleanly is replaced;
 * a socket that still answers, or anything else at path, is kept. */
static int
control_unlink_stale(const struct sockaddr_un *sun)
{
	const char	*path = sun->sun_path;
	struct stat	 st;
	int		 live;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		log_warn("control socket %s", path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("control socket %s: exists and is not a socket; not "
		    "replacing it", path);
		return -1;
	}
	/* a live socket of another type (such as /dev/log) is kept too */
	if ((live = sockstat_unix_live(path, SOCK_STREAM)) < 0) {
		log_warn("control socket %s: socket", path);
		return -1;
	}
	if (live) {
		log_warnx("control socket %s: in use by another process; "
		    "choose another path with -c", path);
		return -1;
	}
	if (unlink(path) != 0) {
		log_warn("control socket %s: cannot remove the stale socket",
		    path);
		return -1;
	}
	log_info("control socket %s: replaced a stale socket", path);
	return 0;
}

static int
control_bind(const struct sockaddr_un *sun)
{
	struct stat	st;
	mode_t		old;
	int		fd, rc, saved;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* the file is created by bind: 0600 from the start */
	old = umask(0177);
	rc = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
	umask(old);
	if (rc != 0 || listen(fd, CONTROL_BACKLOG) != 0 ||
	    stat(sun->sun_path, &st) != 0) {
		saved = errno;
		if (rc == 0)
			(void)unlink(sun->sun_path);
		close(fd);
		errno = saved;
		return -1;
	}
	sock_dev = st.st_dev;
	sock_ino = st.st_ino;
	return fd;
}

int
control_init(const char *path)
{
	struct sockaddr_un	sun;
	size_t			i;

	inited = 1;
	for (i = 0; i < CONTROL_CLIENTS; i++) {
		clients[i].ev.fd = -1;
		clients[i].ev.cb = client_event;
		clients[i].timeout.cb = client_timeout;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket %s: path too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (control_unlink_stale(&sun) != 0)
		return -1;
	if ((sockpath = strdup(path)) == NULL ||
	    (lsrc.fd = control_bind(&sun)) < 0) {
		log_warn("control socket %s", path);
		control_close();
		return -1;
	}
	lsrc.cb = control_accept;
	resume.cb = control_resume;
	if (loop_add(&lsrc, EPOLLIN) != 0) {
		log_warn("control socket %s: epoll_ctl", path);
		control_close();
		return -1;
	}
	log_debug("control socket %s: listening", path);
	return 0;
}

void
control_close(void)
{
	struct stat	st;
	size_t		i;

	if (!inited)
		return;
	for (i = 0; i < CONTROL_CLIENTS; i++)
		client_close(&clients[i]);
	loop_timer_cancel(&resume);
	if (lsrc.fd >= 0) {
		loop_del(&lsrc);
		close(lsrc.fd);
		lsrc.fd = -1;
		if (lstat(sockpath, &st) == 0 && st.st_dev == sock_dev &&
		    st.st_ino == sock_ino)
			(void)unlink(sockpath);
	}
	free(sockpath);
	sockpath = NULL;
}
