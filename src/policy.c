/* policy.c: admission policy, in the order the design fixes: allow/deny
 * lists, per-source limit, per-service instances, the global limit, then
 * rates. A refused connection costs no fork.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "hash.h"
#include "loop.h"
#include "policy.h"
#include "runtime.h"

#define SOURCE_BUCKETS	1024		/* a power of two */
#define SOURCE_MAX	100000		/* records per service */

/* What we remember of one source address (or IPv6 prefix). */
struct source {
	uint8_t		 key[16];
	int		 family;
	unsigned	 running;	/* its handlers alive */
	uint64_t	 window;	/* start of its rate window */
	unsigned	 count;		/* connections in the window */
	LIST_ENTRY(source) chain;
};

struct sources {
	LIST_HEAD(, source) bucket[SOURCE_BUCKETS];
	unsigned	 n;
};

static const struct config *conf;
static unsigned		 nrunning;	/* handlers, all services */

static void	policy_free(struct runtime *);

static const char *reasons[REFUSE_NREASONS] = {
	"deny", "per_source", "instances", "global", "rate", "service_rate"
};

void
policy_init(const struct config *c)
{
	conf = c;
	runtime_on_free(policy_free);
}

unsigned
policy_running(void)
{
	return nrunning;
}

const char *
policy_reason(int r)
{
	return (r >= 0 && r < REFUSE_NREASONS) ? reasons[r] : "unknown";
}

/* The longest prefix in list that holds sa, or -1. */
static int
best_match(const struct cidr *list, size_t n, const struct sockaddr *sa)
{
	size_t	i;
	int	best = -1;

	for (i = 0; i < n; i++)
		if (list[i].bits > best && cidr_match(&list[i], sa))
			best = list[i].bits;
	return best;
}

/* With an allow list the peer must be on it; a deny match refuses unless
 * an allow entry is more specific (the most specific match wins). */
static int
access_ok(const struct service *svc, const struct sockaddr *sa)
{
	int allow, deny;

	if (svc->nallow == 0 && svc->ndeny == 0)
		return 1;
	allow = best_match(svc->allow, svc->nallow, sa);
	deny = best_match(svc->deny, svc->ndeny, sa);
	if (svc->nallow > 0 && allow < 0)
		return 0;
	return deny < 0 || allow > deny;
}

static int
instances_full(const struct runtime *rt)
{
	return rt->svc->max_instances && rt->running >= rt->svc->max_instances;
}

/* max_children; a scrape runs no process: it is answered when all are
 * taken. */
static int
children_full(const struct service *svc)
{
	return conf && conf->max_children && nrunning >= conf->max_children &&
	    svc->builtin != BUILTIN_METRICS;
}

int
policy_full(const struct runtime *rt)
{
	return instances_full(rt) || children_full(rt->svc);
}

static unsigned
source_hash(const uint8_t *key)
{
	return hash_fnv1a(key, 16) & (SOURCE_BUCKETS - 1);
}

static int
source_idle(const struct service *svc, const struct source *s, uint64_t now)
{
	return s->running == 0 &&
	    (svc->rate == 0 || now - s->window >= svc->rate_window);
}

/* Finds or makes the record of sa's source; stale records met on the
 * way are dropped, so the table stays as large as the live sources. */
static struct source *
source_get(struct runtime *rt, const struct sockaddr *sa, uint64_t now)
{
	const struct service	*svc = rt->svc;
	struct sources		*t = rt->sources;
	struct source		*s, *next;
	uint8_t			 key[16];
	int			 fam;
	unsigned		 h;

	if ((fam = addr_source_key(sa, svc->prefix6, key)) < 0)
		return NULL;
	if (t == NULL && (t = rt->sources = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	h = source_hash(key);
	for (s = LIST_FIRST(&t->bucket[h]); s; s = next) {
		next = LIST_NEXT(s, chain);
		if (s->family == fam && memcmp(s->key, key, 16) == 0)
			return s;
		if (source_idle(svc, s, now)) {
			LIST_REMOVE(s, chain);
			free(s);
			t->n--;
		}
	}
	if (t->n >= SOURCE_MAX || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;	/* untracked: limits cannot hold it */
	memcpy(s->key, key, 16);
	s->family = fam;
	s->window = now;
	LIST_INSERT_HEAD(&t->bucket[h], s, chain);
	t->n++;
	return s;
}

int
policy_admit(struct runtime *rt, const struct sockaddr *sa,
    struct source **srcp)
{
	const struct service	*svc = rt->svc;
	struct source		*src = NULL;
	uint64_t		 now = 0;

	*srcp = NULL;
	/* address lists and sources are IP notions: a unix peer passes them */
	if (sa->sa_family != AF_UNIX && !access_ok(svc, sa))
		return REFUSE_DENY;
	if (svc->per_source || svc->rate || svc->service_rate) {
		now = loop_now();
		if (svc->per_source || svc->rate)
			src = source_get(rt, sa, now);
	}
	if (src && svc->per_source && src->running >= svc->per_source)
		return REFUSE_PER_SOURCE;
	if (instances_full(rt))
		return REFUSE_INSTANCES;
	if (children_full(svc))
		return REFUSE_GLOBAL;
	if (src && svc->rate) {
		if (now - src->window >= svc->rate_window) {
			src->window = now;
			src->count = 0;
		}
		if (src->count >= svc->rate)
			return REFUSE_RATE;
		src->count++;
	}
	if (svc->service_rate) {
		if (now - rt->srate_start >= 1000) {
			rt->srate_start = now;
			rt->rate_count = 0;
		}
		if (rt->rate_count >= svc->service_rate)
			return REFUSE_SERVICE_RATE;
		rt->rate_count++;
	}
	if (src)
		src->running++;
	policy_enter(rt);
	*srcp = src;
	return -1;
}

void
policy_enter(struct runtime *rt)
{
	rt->running++;
	nrunning++;
}

void
policy_release(struct runtime *rt, struct source *src)
{
	if (src && src->running > 0)
		src->running--;
	rt->running--;
	nrunning--;
}

/* A record is going: its table of sources with it. */
static void
policy_free(struct runtime *rt)
{
	struct sources	*t = rt->sources;
	struct source	*s;
	unsigned	 i;

	if (t == NULL)
		return;
	for (i = 0; i < SOURCE_BUCKETS; i++)
		while ((s = LIST_FIRST(&t->bucket[i])) != NULL) {
			LIST_REMOVE(s, chain);
			free(s);
		}
	free(t);
	rt->sources = NULL;
}
