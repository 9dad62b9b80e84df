/* sockstat.c: the accept queue of a listening TCP socket, for the
 * "connections queued" gauge: Linux reports it in TCP_INFO, where for a
 * listener tcpi_unacked is the queue's length and tcpi_sacked its limit
 * (what `ss -lt` shows as Recv-Q and Send-Q). One system call, no /proc.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <string.h>

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
