/* supervise.h: handlers given the listening socket itself: mode wait (one
 * at a time, the master leaves the socket alone meanwhile) and mode pool
 * (a fixed number, restarted when they end).
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_SUPERVISE_H
#define PINETD_SUPERVISE_H

struct listener;

/* A listener was opened: a pool's handlers start. */
void	supervise_opened(struct listener *);
/* A listener is going: its handlers run on but report to nobody; a
 * pool's are asked to end. */
void	supervise_closing(struct listener *);
/* A mode wait listener is readable: starts its handler. */
void	supervise_wait(struct listener *);

#endif
