/* connect.c: a small multi-connection client for the inetd internal
 * services, used by tests/bench/run for every daemon alike.
 *
 *	connect [-c concurrency] [-n connections] [-t timeout_ms] PROTO HOST PORT
 *
 * PROTO is daytime (RFC 867: read a line ended by LF until the server
 * closes), time (RFC 868: read 4 bytes until the server closes) or echo
 * (RFC 862: send a 32-byte line, read it back, close). Each connection is
 * one non-blocking socket driven by epoll; up to CONCURRENCY are open at a
 * time until CONNECTIONS have been made. It prints one line:
 *
 *	complete failed seconds conn/s p50_ms p99_ms
 *
 * and, on standard error, the first failure's reason. It exits 0 when
 * every connection succeeded, 1 otherwise.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum proto { P_DAYTIME, P_TIME, P_ECHO };

struct conn {
	int	fd;
	int	sent;		/* echo: bytes of the line sent */
	int	got;		/* bytes received */
	char	buf[128];
	double	t0;
};

static const char	echo_line[] = "pinetd bench echo 0123456789abc\n";
#define ECHO_LEN	((int)sizeof(echo_line) - 1)

static enum proto		proto;
static struct sockaddr_in	sin;
static int			ep, timeout_ms = 10000;
static long			started, complete, failed, total;
static double			*lat;
static char			first_error[160];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fail(struct conn *c, const char *what, int err)
{
	if (first_error[0] == '\0')
		snprintf(first_error, sizeof(first_error), "%s%s%s", what,
		    err ? ": " : "", err ? strerror(err) : "");
	failed++;
	close(c->fd);
	c->fd = -1;
}

static void
done(struct conn *c)
{
	int ok;

	switch (proto) {
	case P_DAYTIME:
		ok = c->got >= 2 && c->buf[c->got - 1] == '\n';
		break;
	case P_TIME:
		ok = c->got == 4;
		break;
	default:
		ok = c->got == ECHO_LEN &&
		    memcmp(c->buf, echo_line, ECHO_LEN) == 0;
		break;
	}
	if (!ok) {
		fail(c, proto == P_ECHO ? "echo: the line did not come back" :
		    "wrong answer", 0);
		return;
	}
	lat[complete++] = now() - c->t0;
	close(c->fd);
	c->fd = -1;
}

static int
start(struct conn *c)
{
	struct epoll_event ev;

	c->sent = c->got = 0;
	c->t0 = now();
	started++;
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1) {
		fail(c, "socket", errno);
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) {
		fail(c, "connect", errno);
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP | (proto == P_ECHO ? EPOLLOUT : 0);
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
		fail(c, "epoll_ctl", errno);
		return -1;
	}
	return 0;
}

/* Something happened on c: go as far as it allows. */
static void
step(struct conn *c, unsigned events)
{
	struct epoll_event	ev;
	ssize_t			n;
	int			err = 0;
	socklen_t		len = sizeof(err);

	if (events & EPOLLERR) {
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		fail(c, "socket error", err);
		return;
	}
	if (proto == P_ECHO && c->sent < ECHO_LEN && (events & EPOLLOUT)) {
		n = send(c->fd, echo_line + c->sent, (size_t)(ECHO_LEN - c->sent),
		    MSG_NOSIGNAL);
		if (n == -1 && errno != EAGAIN) {
			fail(c, "send", errno);
			return;
		}
		if (n > 0)
			c->sent += (int)n;
		if (c->sent == ECHO_LEN) {
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN | EPOLLRDHUP;
			ev.data.ptr = c;
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		}
	}
	for (;;) {
		n = recv(c->fd, c->buf + c->got, sizeof(c->buf) - (size_t)c->got, 0);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			fail(c, "recv", errno);
			return;
		}
		if (n == 0) {		/* the server closed */
			done(c);
			return;
		}
		c->got += (int)n;
		if (proto == P_ECHO && c->got >= ECHO_LEN) {
			done(c);	/* ours to close */
			return;
		}
		if ((size_t)c->got == sizeof(c->buf)) {
			fail(c, "answer too long", 0);
			return;
		}
	}
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
usage(void)
{
	fprintf(stderr, "usage: connect [-c concurrency] [-n connections] "
	    "[-t timeout_ms] daytime|time|echo HOST PORT\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 evs[256];
	struct conn		*conns, *c;
	double			 t0, t1, last;
	long			 conc = 1, i;
	int			 ch, n, k;

	total = 1000;
	while ((ch = getopt(argc, argv, "c:n:t:")) != -1) {
		switch (ch) {
		case 'c':
			conc = strtol(optarg, NULL, 10);
			break;
		case 'n':
			total = strtol(optarg, NULL, 10);
			break;
		case 't':
			timeout_ms = (int)strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || conc < 1 || conc > 4096 || total < 1 || timeout_ms < 1)
		usage();
	if (strcmp(argv[0], "daytime") == 0)
		proto = P_DAYTIME;
	else if (strcmp(argv[0], "time") == 0)
		proto = P_TIME;
	else if (strcmp(argv[0], "echo") == 0)
		proto = P_ECHO;
	else
		usage();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)strtol(argv[2], NULL, 10));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "connect: %s: not an IPv4 address\n", argv[1]);
		return 2;
	}
	if (conc > total)
		conc = total;
	if ((conns = calloc((size_t)conc, sizeof(*conns))) == NULL ||
	    (lat = calloc((size_t)total, sizeof(*lat))) == NULL ||
	    (ep = epoll_create1(0)) == -1) {
		perror("connect");
		return 2;
	}
	t0 = last = now();
	for (i = 0; i < conc; i++)
		conns[i].fd = -1;
	while (complete + failed < total) {
		for (i = 0; i < conc; i++)
			while (conns[i].fd == -1 && started < total)
				start(&conns[i]);
		n = epoll_wait(ep, evs, 256, 100);
		if (n > 0)
			last = now();
		for (k = 0; k < n; k++)
			step(evs[k].data.ptr, evs[k].events);
		if (n == 0 && (now() - last) * 1000 > timeout_ms) {
			for (i = 0; i < conc; i++) {
				c = &conns[i];
				if (c->fd != -1)
					fail(c, "timeout", 0);
			}
			last = now();
		}
	}
	t1 = now();
	qsort(lat, (size_t)complete, sizeof(*lat), cmp);
	printf("%ld %ld %.3f %.1f %.3f %.3f\n", complete, failed, t1 - t0,
	    (double)complete / (t1 - t0),
	    complete ? lat[(complete - 1) / 2] * 1000 : 0.0,
	    complete ? lat[(complete * 99 - 1) / 100] * 1000 : 0.0);
	if (first_error[0] != '\0')
		fprintf(stderr, "connect: %ld failed; first: %s\n", failed,
		    first_error);
	return failed != 0;
}
