/* sockstat.c: the accept queue of a listening TCP socket, for the
 * "connections queued" gauge: Linux reports it in TCP_INFO, where for a
 * listener tcpi_unacked is the queue's length and tcpi_sacked its limit
 * (what `ss -lt` shows as Recv-Q and Send-Q). One system call, no /proc.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockstat.h"

int
sockstat_accept_queue(int fd, uint64_t *queued, uint64_t *max)
{
	struct tcp_info	ti;
	socklen_t	len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return -1;
	if (ti.tcpi_state != TCP_LISTEN) {
		errno = EINVAL;
		return -1;
	}
	*queued = ti.tcpi_unacked;
	*max = ti.tcpi_sacked;
	return 0;
}

int
sockstat_unix_live(const char *path, int type)
{
	struct sockaddr_un	sun;
	int			fd, live;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ||
	    (errno != ECONNREFUSED && errno != ENOENT);
	close(fd);
	return live;
}
