/* prefork.h: pools of pre-forked workers, their channels, replacement. */
#ifndef PINETD_PREFORK_H
#define PINETD_PREFORK_H

#include <stddef.h>

struct config;
struct service;
struct source;

/* Creates a pool for every service with prefork > 0; workers are forked
 * later, when the loop is idle. */
int	prefork_start(struct config *);
/* Hands client fd to an idle worker of svc. Returns 0 when it did, -1
 * when no worker was ready (the caller spawns instead). */
int	prefork_handoff(struct service *, int fd, const char *env,
	    size_t envlen, const char *peer, struct source *);
/* Idle work: forks one missing worker; non-zero while more are missing. */
int	prefork_refill(void);
/* Closes every idle worker's channel; they exit on their own. */
void	prefork_stop(void);
unsigned prefork_idle(const struct service *);

#endif
