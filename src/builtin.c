/* builtin.c: the classic inetd internal services: echo (RFC 862), discard
 * (RFC 863), daytime (RFC 867), time (RFC 868) and chargen (RFC 864).
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "proctitle.h"
#include "runtime.h"
#include "spawn.h"

#define UNIX_TO_1900	2208988800UL	/* seconds from 1900 to 1970 */
#define CHARGEN_LINE	72
#define DGRAM_BATCH	16
#define DGRAM_MAX	8192
#define REPLY_SLOTS	1024	/* sources remembered, a power of two */
#define REPLY_RATE	50	/* replies a second to one source */

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

/* The child of a stream builtin, set up by spawn.c as a handler is (the
 * service's credentials, the client on 0 and 1): serve. */
static void
builtin_serve(const struct service *svc)
{
	char		buf[4096];
	ssize_t		n;
	unsigned	line = 0;

	proctitle_set("%s builtin", svc->name);
	switch (svc->builtin) {
	case BUILTIN_ECHO:
		while ((n = read(0, buf, sizeof(buf))) > 0)
			if (write(1, buf, (size_t)n) != n)
				return;
		break;
	case BUILTIN_DISCARD:
		while (read(0, buf, sizeof(buf)) > 0)
			;
		break;
	case BUILTIN_CHARGEN:
		for (;;) {
			chargen_line(buf, line++);
			if (write(1, buf, CHARGEN_LINE + 2) < 0)
				break;
		}
		break;
	}
}

int
builtin_stream(struct service *svc, int fd)
{
	struct spawn_args	a;
	char			buf[128];
	size_t			len;

	switch (svc->builtin) {
	case BUILTIN_DAYTIME:
		len = daytime_text(buf, sizeof(buf));
		(void)send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		return 0;
	case BUILTIN_TIME:
		len = time_bytes((unsigned char *)buf);
		(void)send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	a.svc = svc;
	a.client = fd;
	a.errout = spawn_devnull();
	a.report = -1;
	a.envp = svc->envp;
	a.run = builtin_serve;
	return spawn_fork(&a);
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
	const unsigned char	*p;
	size_t			 len, i;
	unsigned		 h = 2166136261u;
	struct reply_slot	*r;
	uint64_t		 second = loop_now() / 1000;

	if (ss->ss_family == AF_INET) {
		p = (const unsigned char *)
		    &((const struct sockaddr_in *)ss)->sin_addr;
		len = 4;
	} else {
		p = (const unsigned char *)
		    &((const struct sockaddr_in6 *)ss)->sin6_addr;
		len = 16;
	}
	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	r = &replies[h & (REPLY_SLOTS - 1)];
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
