/* sockstat.h: what the kernel knows about a listening socket.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_SOCKSTAT_H
#define PINETD_SOCKSTAT_H

#include <stdint.h>

/* The connections of a listening TCP socket that completed the handshake
 * and wait for accept(), and the most the queue holds. -1 (errno set)
 * for a socket that is not a listening TCP one. */
int	sockstat_accept_queue(int fd, uint64_t *queued, uint64_t *max);

/* Whether a unix socket at path (of type SOCK_STREAM or SOCK_DGRAM) is
 * served: 0 only when a connection is refused (or nothing is there), the
 * mark of a socket file its process left behind; 1 otherwise (EAGAIN is
 * a full backlog, EPROTOTYPE a live socket of the other type); -1 when
 * no socket could be made to ask. */
int	sockstat_unix_live(const char *path, int type);

#endif
