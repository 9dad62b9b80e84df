/* prefork.h: pools of pre-forked workers, their channels, replacement.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_PREFORK_H
#define PINETD_PREFORK_H

#include <stddef.h>

struct config;
struct runtime;
struct child;

/* Creates a pool for every service with prefork > 0; workers are forked
 * later, when the loop is idle. */
int	prefork_start(struct config *);
/* Hands client fd and its environment strings to an idle worker of the
 * service of rt. Returns the worker, whose exit is then its new owner's
 * to handle (it sets the child's callback), or NULL when none was ready. */
struct child *prefork_handoff(struct runtime *, int fd, const char *env,
	    size_t envlen);
/* Idle work: forks one missing worker; non-zero while more are missing. */
int	prefork_refill(void);
/* Closes every idle worker's channel; they exit on their own. */
void	prefork_stop(void);
unsigned prefork_idle(const struct runtime *);

#endif
