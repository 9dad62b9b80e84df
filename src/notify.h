/* notify.h: telling systemd about the master's state (sd_notify(3)). When
 * not started by a service manager, these do nothing.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_NOTIFY_H
#define PINETD_NOTIFY_H

#include <stddef.h>

/* Starts the watchdog keep-alive (WATCHDOG=1 at half of WATCHDOG_USEC)
 * and a once-a-second STATUS= refresh from summary(), sent when the text
 * changes. */
void	notify_init(void (*summary)(char *buf, size_t len));
/* READY=1 with the current summary as STATUS=. */
void	notify_ready(void);
/* The sockets systemd passed (LISTEN_FDS), with their names: fills fds
 * and names (names[i] may be NULL) and returns how many, 0 without any.
 * The environment variables are unset. */
int	notify_listen_fds(int **fds, char ***names);
void	notify_reloading(void);
void	notify_stopping(void);
void	notify_status(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
