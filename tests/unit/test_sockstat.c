/* Unit tests for the accept queue of a listening socket: clients that
 * connected and were not accepted yet are counted, accepted ones not.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../src/sockstat.h"

#include "check.h"

int
main(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	uint64_t		queued = 99, max = 0;
	int			l, c[3], a, i, u;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(l >= 0);
	CHECK(bind(l, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	/* bound, not listening yet: not a listener */
	CHECK(sockstat_accept_queue(l, &queued, &max) == -1 &&
	    errno == EINVAL);
	CHECK(listen(l, 7) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&sin, &len) == 0);
	CHECK(sockstat_accept_queue(l, &queued, &max) == 0);
	CHECK(queued == 0 && max == 7);
	for (i = 0; i < 3; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(connect(c[i], (struct sockaddr *)&sin,
		    sizeof(sin)) == 0);
	}
	CHECK(sockstat_accept_queue(l, &queued, &max) == 0);
	CHECK(queued == 3);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(sockstat_accept_queue(l, &queued, &max) == 0);
	CHECK(queued == 2);
	/* an accepted connection and a datagram socket are not listeners */
	CHECK(sockstat_accept_queue(a, &queued, &max) == -1);
	u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(sockstat_accept_queue(u, &queued, &max) == -1);
	close(u);
	close(a);
	for (i = 0; i < 3; i++)
		close(c[i]);
	close(l);
	printf("test_sockstat: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
