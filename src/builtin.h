/* builtin.h: echo, discard, daytime, time and chargen, served without exec.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_BUILTIN_H
#define PINETD_BUILTIN_H

struct service;
struct service_stats;

/* A stream connection: daytime and time are answered at once from the
 * master (non-blocking); echo, discard and chargen run in a forked child.
 * Returns the child's pid, 0 when answered in place, -1 on failure. */
int	builtin_stream(struct service *, int fd);
struct sockaddr_storage;

/* A readable datagram socket fd: answers a bounded batch, in the master;
 * counts what it answered and ignored in st. A source for which own says
 * true (one of our datagram builtins) is never answered. */
void	builtin_dgram(const struct service *, int fd, struct service_stats *st,
	    int (*own)(const struct sockaddr_storage *));

#endif
