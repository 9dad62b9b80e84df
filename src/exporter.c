/* exporter.c: renders pinetd's metrics for a scrape. Counters are kept by
 * the connection path in each runtime record; gauges (handlers running,
 * the accept queue, idle workers) and the master's figures are read
 * here, at the scrape. Only configured services are shown: a removed
 * service's series are gone with it.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "conn.h"
#include "exporter.h"
#include "listener.h"
#include "metrics.h"
#include "prefork.h"
#include "procstat.h"
#include "reaper.h"
#include "reload.h"
#include "runtime.h"
#include "scrape.h"
#include "sockstat.h"
#include "strbuf.h"

/* The refusal counts conn.c keeps are copied by index. */
_Static_assert(REFUSE_DENY == (int)METRICS_DENY &&
    REFUSE_PER_SOURCE == (int)METRICS_PER_SOURCE &&
    REFUSE_INSTANCES == (int)METRICS_MAX_INSTANCES &&
    REFUSE_GLOBAL == (int)METRICS_MAX_CHILDREN &&
    REFUSE_RATE == (int)METRICS_RATE &&
    REFUSE_SERVICE_RATE == (int)METRICS_SERVICE_RATE &&
    REFUSE_NREASONS == (int)METRICS_REASONS,
    "refusal reasons and their metric labels differ");

static struct config	**confp;

struct scrapes {
	uint64_t	outcomes[SCRAPE_OUTCOMES];
};

static void
add_scrapes(struct runtime *rt, void *arg)
{
	struct scrapes	*s = arg;
	int		 i;

	for (i = 0; i < SCRAPE_OUTCOMES; i++)
		s->outcomes[i] += rt->scrape.outcomes[i];
}

/* The connections waiting in the accept queues of the service's TCP
 * listeners. */
static uint64_t
queued(const struct runtime *rt)
{
	struct listener	*l;
	uint64_t	 n = 0, q, max;

	if (rt->svc->protocol != PROTO_TCP)
		return 0;
	LIST_FOREACH(l, &listeners, entry)
		if (l->rt == rt && l->ev.fd >= 0 &&
		    sockstat_accept_queue(l->ev.fd, &q, &max) == 0)
			n += q;
	return n;
}

static int
render(struct strbuf *sb, void *arg)
{
	const struct config		*conf = *confp;
	const struct reload_counts	*rc = reload_counts();
	struct metrics_master		 m;
	struct metrics_service		*svcs;
	struct metrics_counters		*cs;
	struct procstat			 ps;
	struct scrapes			 sc;
	size_t				 i, n = 0;
	int				 r, j;

	(void)arg;
	memset(&m, 0, sizeof(m));
	memset(&sc, 0, sizeof(sc));
	m.version = PACKAGE_VERSION;
	m.reloads = rc->reloads;
	m.reload_failures = rc->failures;
	m.last_reload = (double)rc->last_ok;
	m.children = reaper_count();
	m.children_limit = conf->max_children;
	if (procstat_read(&ps) == 0)
		m.proc = &ps;
	runtime_foreach(add_scrapes, &sc);
	for (j = 0; j < SCRAPE_OUTCOMES; j++)
		m.scrapes[j] = sc.outcomes[j];

	svcs = calloc(conf->nservices + 1, sizeof(*svcs));
	cs = calloc(conf->nservices + 1, sizeof(*cs));
	if (svcs == NULL || cs == NULL) {
		free(svcs);
		free(cs);
		return -1;
	}
	for (i = 0; i < conf->nservices; i++) {
		const struct service	*svc = conf->services[i];
		struct runtime		*rt = runtime_find(svc->name);
		const struct service_stats *st;

		if (rt == NULL)
			continue;
		st = &rt->stats;
		/* counters the connection path kept before metrics were */
		cs[n] = rt->mc;
		cs[n].accepted = st->accepted;
		for (j = 0; j < METRICS_REASONS; j++)
			cs[n].refused[j] = st->refused[j];
		cs[n].spawn_failures = st->spawn_failed;
		cs[n].datagrams_dropped = st->dropped;
		cs[n].proxy[METRICS_PROXY_OK] = st->proxied;
		cs[n].proxy[METRICS_PROXY_BAD] = st->proxy_bad;
		cs[n].proxy[METRICS_PROXY_TIMEOUT] = st->proxy_timeouts;
		cs[n].proxy[METRICS_PROXY_UNTRUSTED] = st->proxy_untrusted;
		svcs[n].proxy = svc->proxy != 0;
		svcs[n].name = rt->name;
		svcs[n].c = &cs[n];
		svcs[n].running = svc->mode == MODE_POOL ? 0 : rt->running;
		svcs[n].limit = svc->mode == MODE_POOL ? 0 :
		    svc->max_instances;
		svcs[n].queued = queued(rt);
		svcs[n].workers_idle = prefork_idle(rt);
		svcs[n].pool_running = svc->mode == MODE_POOL ? rt->running :
		    0;
		n++;
	}
	r = metrics_render(sb, &m, svcs, n);
	free(svcs);
	free(cs);
	return r;
}

void
exporter_init(struct config **conf)
{
	confp = conf;
	conn_set_render(render, NULL);
}

static void
flush_one(struct runtime *rt, void *arg)
{
	(void)arg;
	if (rt->scrape.dead != NULL)
		scrape_flush(&rt->scrape);
}

void
exporter_flush(void)
{
	reaper_flush();
	runtime_foreach(flush_one, NULL);
}
