/* supervise.h: handlers given the listening socket itself: mode wait (one
 * at a time, the master leaves the socket alone meanwhile) and mode pool
 * (a fixed number, restarted when they end). */
#ifndef PINETD_SUPERVISE_H
#define PINETD_SUPERVISE_H

struct listener;

/* Installs the listener callbacks that start and forget pools. */
void	supervise_init(void);
/* A mode wait listener is readable: starts its handler. */
void	supervise_wait(struct listener *);

#endif
