/* policy.h: admission: allow/deny, per-source, instance and rate limits,
 * and the one count of running handlers they rest on.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_POLICY_H
#define PINETD_POLICY_H

#include <sys/socket.h>

struct config;
struct runtime;
struct source;

void		 policy_init(const struct config *);
/* Decides on a connection from sa just accepted for the service of rt.
 * Returns -1 to admit it, and then counts it as running (*src is its
 * per-source record, or NULL, to hand back to policy_release when its
 * handler ends), else the REFUSE_ reason. */
int		 policy_admit(struct runtime *, const struct sockaddr *sa,
		    struct source **src);
/* Counts a handler that was not admitted (mode wait or pool). */
void		 policy_enter(struct runtime *);
/* A counted handler ended. */
void		 policy_release(struct runtime *, struct source *);
/* True while the service may not start another handler (its
 * max_instances or the global max_children is reached). */
int		 policy_full(const struct runtime *);
/* Handlers alive, all services together. */
unsigned	 policy_running(void);
const char	*policy_reason(int reason);

#endif
