/* builtin.c: the classic inetd internal services: echo (RFC 862), discard
 * (RFC 863), daytime (RFC 867), time (RFC 868) and chargen (RFC 864).
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "config.h"
#include "hash.h"
#include "log.h"
#include "loop.h"
#include "reaper.h"
#include "runtime.h"

#define UNIX_TO_1900	2208988800UL	/* seconds from 1900 to 1970 */
#define CHARGEN_LINE	72
#define DGRAM_BATCH	16
#define DGRAM_MAX	8192
#define REPLY_SLOTS	1024	/* sources remembered, a power of two */
#define REPLY_RATE	50	/* replies a second to one source */
#define STREAM_BUF	4096	/* a stream connection's buffer */
#define STREAM_TURNS	16	/* reads or writes of it per event */
#define STREAM_IDLE	60	/* s without progress, without a timeout */

/* Replies per source in the current second: a forged source cannot turn
 * a builtin into a flood. Sources sharing a slot share its budget. */
struct reply_slot {
	uint64_t	second;
	unsigned	count;
};

static struct reply_slot	 replies[REPLY_SLOTS];

static size_t
daytime_text(char *buf, size_t len)
{
	time_t		now = time(NULL);
	struct tm	tm;

	localtime_r(&now, &tm);
	return strftime(buf, len, "%A, %B %d, %Y %H:%M:%S-%Z\r\n", &tm);
}

static size_t
time_bytes(unsigned char *b)
{
	uint32_t t = (uint32_t)((unsigned long)time(NULL) + UNIX_TO_1900);

	b[0] = (unsigned char)(t >> 24);
	b[1] = (unsigned char)(t >> 16);
	b[2] = (unsigned char)(t >> 8);
	b[3] = (unsigned char)t;
	return 4;
}

/* Line n of the rotating pattern of the 95 printable characters. */
static void
chargen_line(char *out, unsigned n)
{
	int i;

	for (i = 0; i < CHARGEN_LINE; i++)
		out[i] = (char)(' ' + (n + (unsigned)i) % 95);
	out[CHARGEN_LINE] = '\r';
	out[CHARGEN_LINE + 1] = '\n';
}

/* A stream connection served on the master's loop, with one small
 * buffer: echo reads only into an empty buffer, so a peer that does not
 * read makes the master stop reading, and its data waits in the kernel. */
struct stream {
	struct evsrc	 ev;		/* first: the loop hands it back */
	struct timer	 idle;
	struct child	*c;
	uint64_t	 last;		/* loop_now() of the last progress */
	uint64_t	 idle_ms;	/* no progress for so long: it ends */
	uint32_t	 events;	/* watched now */
	unsigned	 line;		/* chargen: the next line, 0 to 94 */
	size_t		 len, off;	/* buf: bytes in it, bytes written */
	char		 buf[STREAM_BUF];
};

/* The connection is over: its fd and record go, and the news goes up. */
static void
stream_end(struct stream *s)
{
	struct child *c = s->c;

	loop_del(&s->ev);
	close(s->ev.fd);
	loop_timer_cancel(&s->idle);
	free(s);
	child_end(c, 0);
}

/* Stop: the master is going. */
static void
stream_stop(struct child *c)
{
	stream_end(c->server);
}

static void
stream_idle(struct timer *t)
{
	struct stream	*s = (struct stream *)((char *)t -
			    offsetof(struct stream, idle));
	uint64_t	 now = loop_now();

	if (now - s->last < s->idle_ms) {
		loop_timer_arm(&s->idle, s->last + s->idle_ms - now);
		return;
	}
	s->c->timed_out = 1;
	s->c->rt->stats.timeouts++;
	log_info("%s: connection from %s made no progress for %llus; closing",
	    s->c->svc->name, s->c->peer,
	    (unsigned long long)(s->idle_ms / 1000));
	stream_end(s);
}

static int
stream_watch(struct stream *s, uint32_t events)
{
	if (s->events == events)
		return 0;
	s->events = events;
	return loop_mod(&s->ev, events);
}

/* Writes what buf holds: 1 when all of it is out, 0 when the socket is
 * full, -1 on an error. */
static int
stream_flush(struct stream *s)
{
	ssize_t n;

	while (s->off < s->len) {
		n = send(s->ev.fd, s->buf + s->off, s->len - s->off,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			s->off += (size_t)n;
			s->last = loop_now();
		} else if (n < 0 && errno == EAGAIN)
			return 0;
		else if (n < 0 && errno != EINTR)
			return -1;
	}
	s->off = s->len = 0;
	return 1;
}

/* Reads into buf, which is empty: 1 with bytes in it, 0 when there are
 * none yet, -1 at the end of the stream or on an error. */
static int
stream_fill(struct stream *s)
{
	ssize_t n;

	do
		n = recv(s->ev.fd, s->buf, sizeof(s->buf), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		s->len = (size_t)n;
		s->off = 0;
		s->last = loop_now();
		return 1;
	}
	return n < 0 && errno == EAGAIN ? 0 : -1;
}

/* One turn of a connection (level-triggered: what is left waits for the
 * next, after the other events): -1 when it is over. */
static int
stream_turn(struct stream *s)
{
	int i, r;

	for (i = 0; i < STREAM_TURNS; i++) {
		switch (s->c->svc->builtin) {
		case BUILTIN_ECHO:
			/* no read while the last one is not all written */
			if ((r = stream_flush(s)) <= 0)
				return r < 0 ? -1 : stream_watch(s, EPOLLOUT);
			if ((r = stream_fill(s)) <= 0)
				return r < 0 ? -1 : stream_watch(s, EPOLLIN);
			break;
		case BUILTIN_DISCARD:
			if ((r = stream_fill(s)) <= 0)
				return r;
			s->len = 0;	/* and dropped */
			break;
		case BUILTIN_CHARGEN:
			if ((r = stream_flush(s)) <= 0)
				return r;
			for (s->off = 0; s->len + CHARGEN_LINE + 2 <=
			    sizeof(s->buf); s->len += CHARGEN_LINE + 2) {
				chargen_line(s->buf + s->len, s->line);
				s->line = (s->line + 1) % 95;
			}
			break;
		}
	}
	/* echo: bytes read are to be written first */
	return s->len > s->off ? stream_watch(s, EPOLLOUT) : 0;
}

static void
stream_event(struct evsrc *ev, uint32_t events)
{
	struct stream *s = (struct stream *)ev;

	(void)events;
	if (stream_turn(s) != 0)
		stream_end(s);
}

/* A builtin that answers and closes: the answer fits in an empty socket
 * buffer, so one send that does not wait says it all. */
static void
stream_answer(struct child *c, int fd)
{
	char	buf[128];
	size_t	len;

	if (c->svc->builtin == BUILTIN_DAYTIME)
		len = daytime_text(buf, sizeof(buf));
	else
		len = time_bytes((unsigned char *)buf);
	(void)send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
	child_end(c, 0);
}

int
builtin_stream(struct child *c, int fd)
{
	struct stream	*s;
	uint32_t	 events;

	if (c->svc->builtin == BUILTIN_DAYTIME ||
	    c->svc->builtin == BUILTIN_TIME) {
		stream_answer(c, fd);
		return 0;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		close(fd);
		return -1;
	}
	events = c->svc->builtin == BUILTIN_CHARGEN ? EPOLLOUT : EPOLLIN;
	s->ev.fd = fd;
	s->ev.cb = stream_event;
	s->events = events;
	if (loop_add(&s->ev, events) != 0) {
		close(fd);
		free(s);
		return -1;
	}
	s->c = c;
	c->stop = stream_stop;
	c->server = s;
	s->last = loop_now();
	s->idle_ms = (uint64_t)(c->svc->timeout ? c->svc->timeout :
	    STREAM_IDLE) * 1000;
	s->idle.cb = stream_idle;
	loop_timer_arm(&s->idle, s->idle_ms);
	return 0;
}

/* The loop and amplification defence of the BSD inetds: no answer to a
 * privileged source port (another builtin, or a forged one) nor to a
 * broadcast or multicast source. */
static int
dgram_ignored(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return ntohs(sin->sin_port) < 1024 ||
		    sin->sin_addr.s_addr == htonl(INADDR_BROADCAST) ||
		    IN_MULTICAST(ntohl(sin->sin_addr.s_addr));
	if (ss->ss_family == AF_INET6)
		return ntohs(sin6->sin6_port) < 1024 ||
		    IN6_IS_ADDR_MULTICAST(&sin6->sin6_addr);
	return 1;
}

static int
reply_allowed(const struct sockaddr_storage *ss)
{
	const void		*p;
	size_t			 len;
	struct reply_slot	*r;
	uint64_t		 second = loop_now() / 1000;

	if (ss->ss_family == AF_INET) {
		p = &((const struct sockaddr_in *)ss)->sin_addr;
		len = 4;
	} else {
		p = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		len = 16;
	}
	r = &replies[hash_fnv1a(p, len) & (REPLY_SLOTS - 1)];
	if (r->second != second) {
		r->second = second;
		r->count = 0;
	}
	return r->count++ < REPLY_RATE;
}

void
builtin_dgram(const struct service *svc, int fd, struct service_stats *st,
    int (*own)(const struct sockaddr_storage *))
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 in[DGRAM_MAX], out[DGRAM_MAX];
	ssize_t			 n;
	size_t			 len = 0;
	unsigned		 i, k;

	for (i = 0; i < DGRAM_BATCH; i++) {
		sslen = sizeof(ss);
		n = recvfrom(fd, in, sizeof(in), MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &sslen);
		if (n < 0)
			return;
		if (dgram_ignored(&ss) || own(&ss) ||
		    (svc->builtin != BUILTIN_DISCARD && !reply_allowed(&ss))) {
			st->dropped++;
			continue;
		}
		st->accepted++;
		switch (svc->builtin) {
		case BUILTIN_ECHO:
			memcpy(out, in, (size_t)n);
			len = (size_t)n;
			break;
		case BUILTIN_DISCARD:
			continue;
		case BUILTIN_DAYTIME:
			len = daytime_text(out, sizeof(out));
			break;
		case BUILTIN_TIME:
			len = time_bytes((unsigned char *)out);
			break;
		case BUILTIN_CHARGEN:
			/* RFC 864: up to 512 characters a datagram */
			for (k = 0, len = 0; k < 6; k++, len += CHARGEN_LINE + 2)
				chargen_line(out + len, (unsigned)st->accepted + k);
			break;
		}
		(void)sendto(fd, out, len, MSG_DONTWAIT | MSG_NOSIGNAL,
		    (struct sockaddr *)&ss, sslen);
	}
}
