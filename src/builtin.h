/* builtin.h: echo, discard, daytime, time and chargen, served in the master.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_BUILTIN_H
#define PINETD_BUILTIN_H

struct child;
struct service;
struct service_stats;

/* Serves fd, a connection accepted for the builtin of c's service (c a
 * record from child_inplace), inside the master; takes fd. daytime and
 * time are answered at once; echo, discard and chargen on the loop, never
 * blocking, with a small buffer each, until the peer closes, an error,
 * or no progress for the service's timeout (60 s without one). The end
 * is child_end(c, 0), and stop ends it too. Returns -1, with fd closed
 * and c not ended, when it cannot start. */
int	builtin_stream(struct child *c, int fd);

struct sockaddr_storage;

/* A readable datagram socket fd: answers a bounded batch, in the master;
 * counts what it answered and ignored in st. A source for which own says
 * true (one of our datagram builtins) is never answered. */
void	builtin_dgram(const struct service *, int fd, struct service_stats *st,
	    int (*own)(const struct sockaddr_storage *));

#endif
