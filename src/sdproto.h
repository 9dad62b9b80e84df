/* sdproto.h: the environment protocols of a service manager, spoken
 * without libsystemd: readiness datagrams (sd_notify(3)), the watchdog
 * interval (sd_watchdog_enabled(3)) and passed sockets (sd_listen_fds(3)).
 * Nothing here logs: callers decide what a failure means.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_SDPROTO_H
#define PINETD_SDPROTO_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/* Passed sockets start at this fd. */
#define SDPROTO_FDS_START	3
/* More than this many passed sockets is taken as garbage. */
#define SDPROTO_FDS_MAX		4096

/* Sends msg as one datagram to the socket named by path: a file system
 * path, or an abstract socket when it starts with '@'. Never blocks.
 * Returns 0, or -1 with errno set (EINVAL for a bad path). */
int	sdproto_notify(const char *path, const char *msg);

/* The watchdog interval from the values of WATCHDOG_USEC and WATCHDOG_PID
 * (either may be NULL): 1 and *usec when the watchdog is on for pid self,
 * 0 when it is off or meant for another process, -1 on garbage. */
int	sdproto_watchdog(const char *usec_s, const char *pid_s, pid_t self,
	    uint64_t *usec);

/* The values of LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES (any may be
 * NULL) for process self: the count of passed sockets, 0 when there are
 * none or they are meant for another process, -1 on garbage. On success
 * with a count n > 0 and names not NULL, *names is an array of n
 * allocated strings (an unnamed socket is "unknown", as systemd names
 * it) that the caller frees. */
int	sdproto_listen_parse(const char *pid_s, const char *fds_s,
	    const char *names_s, pid_t self, char ***names);

/* Reads the LISTEN_* variables of this process, unsets them (so that no
 * child takes the sockets for its own), marks the sockets close-on-exec
 * and returns their count with fds and names filled as above (*fds and
 * *names NULL when there are none). -1 on garbage in the variables. */
int	sdproto_listen_fds(int **fds, char ***names);

#endif
