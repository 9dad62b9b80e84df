/* policy.h: admission: allow/deny, per-source, instance and rate limits. */
#ifndef PINETD_POLICY_H
#define PINETD_POLICY_H

#include <sys/socket.h>

struct config;
struct service;
struct source;

void		 policy_init(const struct config *);
/* Decides on a connection from sa just accepted for svc. Returns -1 to
 * admit it (then *src is its per-source record, or NULL, to hand back to
 * policy_release when its handler ends), else the REFUSE_ reason. */
int		 policy_admit(struct service *, const struct sockaddr *sa,
		    struct source **src);
void		 policy_release(struct service *, struct source *);
/* True while svc may not start another handler (its max_instances or
 * the global max_children is reached). */
int		 policy_full(const struct service *);
const char	*policy_reason(int reason);
void		 policy_free(struct service *);

#endif
