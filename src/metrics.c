/* metrics.c: the exposition of pinetd's figures: the master's own
 * families, then one family at a time over every service, so that each
 * family's samples follow its # HELP and # TYPE. Services are labelled by
 * name only: never a peer address, whose values would be unbounded.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "procstat.h"
#include "prom.h"
#include "scrape.h"
#include "strbuf.h"

static const char *reason_names[METRICS_REASONS] = {
	"deny", "per_source", "max_instances", "max_children", "rate",
	"service_rate"
};

static const char *exit_names[METRICS_EXITS] = {
	"ok", "failed", "signaled", "timeout"
};

const char *
metrics_reason_name(enum metrics_reason r)
{
	return (unsigned)r < METRICS_REASONS ? reason_names[r] : "unknown";
}

const char *
metrics_exit_name(enum metrics_exit e)
{
	return (unsigned)e < METRICS_EXITS ? exit_names[e] : "unknown";
}

static void
one(struct prom_writer *w, const char *name, enum prom_type type,
    const char *help, uint64_t v)
{
	prom_family(w, name, type, help);
	prom_u64(w, NULL, 0, v);
}

static void
master_families(struct prom_writer *w, const struct metrics_master *m)
{
	struct prom_label	l;
	size_t			i;

	prom_family(w, "pinetd_build_info", PROM_GAUGE,
	    "Always 1; the version of pinetd is its label.");
	l = (struct prom_label){ "version", m->version };
	prom_u64(w, &l, 1, 1);
	one(w, "pinetd_reloads_total", PROM_COUNTER,
	    "Configuration reloads that took effect.", m->reloads);
	one(w, "pinetd_reload_failures_total", PROM_COUNTER,
	    "Configuration reloads refused (the old one kept running).",
	    m->reload_failures);
	prom_family(w, "pinetd_last_reload_success_timestamp_seconds",
	    PROM_GAUGE, "When the running configuration was loaded, in "
	    "seconds since the Epoch.");
	prom_double(w, NULL, 0, m->last_reload);
	one(w, "pinetd_children", PROM_GAUGE,
	    "Child processes alive: handlers and idle workers.", m->children);
	if (m->children_limit > 0)
		one(w, "pinetd_children_limit", PROM_GAUGE,
		    "The global limit on handlers (max_children).",
		    m->children_limit);
	prom_family(w, "pinetd_metrics_scrapes_total", PROM_COUNTER,
	    "Requests to the metrics endpoints, by outcome.");
	for (i = 0; i < SCRAPE_OUTCOMES; i++) {
		l = (struct prom_label){ "outcome", scrape_outcome_name(i) };
		prom_u64(w, &l, 1, m->scrapes[i]);
	}
	if (m->proc != NULL)
		procstat_write(w, m->proc);
}

/* The figure at byte offset off of struct metrics_service (a gauge) or,
 * when counter, of struct metrics_counters. */
static void
per_service(struct prom_writer *w, const char *name, enum prom_type type,
    const char *help, const struct metrics_service *svc, size_t n,
    size_t off)
{
	struct prom_label	l;
	const void		*base;
	size_t			i;

	prom_family(w, name, type, help);
	for (i = 0; i < n; i++) {
		l = (struct prom_label){ "service", svc[i].name };
		base = type == PROM_COUNTER ? (const void *)svc[i].c :
		    (const void *)&svc[i];
		prom_u64(w, &l, 1, *(const uint64_t *)(const void *)
		    ((const char *)base + off));
	}
}

static const char *const proxy_names[METRICS_PROXY_RESULTS] = {
	"ok", "bad", "timeout", "untrusted"
};

#define C(f)	offsetof(struct metrics_counters, f)
#define G(f)	offsetof(struct metrics_service, f)

static void
service_families(struct prom_writer *w, const struct metrics_service *svc,
    size_t n)
{
	struct prom_label	l[2];
	size_t			i, j;

	per_service(w, "pinetd_connections_total", PROM_COUNTER,
	    "Connections accepted (and datagrams taken) that passed the "
	    "policy.", svc, n, C(accepted));
	prom_family(w, "pinetd_connections_refused_total", PROM_COUNTER,
	    "Connections refused by the policy, by reason.");
	for (i = 0; i < n; i++)
		for (j = 0; j < METRICS_REASONS; j++) {
			l[0] = (struct prom_label){ "service", svc[i].name };
			l[1] = (struct prom_label){ "reason", reason_names[j] };
			prom_u64(w, l, 2, svc[i].c->refused[j]);
		}
	prom_family(w, "pinetd_handler_exits_total", PROM_COUNTER,
	    "Handlers that ended, by outcome.");
	for (i = 0; i < n; i++)
		for (j = 0; j < METRICS_EXITS; j++) {
			l[0] = (struct prom_label){ "service", svc[i].name };
			l[1] = (struct prom_label){ "outcome", exit_names[j] };
			prom_u64(w, l, 2, svc[i].c->exits[j]);
		}
	prom_family(w, "pinetd_handler_duration_seconds", PROM_HISTOGRAM,
	    "How long handlers ran, from hand-off to exit, in seconds.");
	for (i = 0; i < n; i++) {
		l[0] = (struct prom_label){ "service", svc[i].name };
		prom_histogram(w, l, 1, &svc[i].c->duration);
	}
	per_service(w, "pinetd_spawn_failures_total", PROM_COUNTER,
	    "Handlers that could not be started (fork or clone failed).",
	    svc, n, C(spawn_failures));
	per_service(w, "pinetd_crash_loop_pauses_total", PROM_COUNTER,
	    "Times a pool's restarts were held back after quick exits.",
	    svc, n, C(crash_pauses));
	per_service(w, "pinetd_datagrams_dropped_total", PROM_COUNTER,
	    "Datagrams a UDP service ignored.", svc, n,
	    C(datagrams_dropped));
	for (i = 0; i < n && !svc[i].proxy; i++)
		;
	if (i < n)	/* only where the PROXY protocol is on */
		prom_family(w, "pinetd_proxy_headers_total", PROM_COUNTER,
		    "PROXY protocol headers, by result: taken (ok), malformed "
		    "(bad), late (timeout), from a source not in proxy_from "
		    "(untrusted).");
	for (; i < n; i++)
		for (j = 0; svc[i].proxy && j < METRICS_PROXY_RESULTS; j++) {
			l[0] = (struct prom_label){ "service", svc[i].name };
			l[1] = (struct prom_label){ "result", proxy_names[j] };
			prom_u64(w, l, 2, svc[i].c->proxy[j]);
		}
	per_service(w, "pinetd_handlers", PROM_GAUGE,
	    "Handlers running.", svc, n, G(running));
	for (i = 0; i < n && svc[i].limit == 0; i++)
		;
	if (i < n)	/* a family without samples is left out */
		prom_family(w, "pinetd_handlers_limit", PROM_GAUGE,
		    "The service's limit on handlers running "
		    "(max_instances), where it has one.");
	for (; i < n; i++)
		if (svc[i].limit > 0) {
			l[0] = (struct prom_label){ "service", svc[i].name };
			prom_u64(w, l, 1, svc[i].limit);
		}
	per_service(w, "pinetd_connections_queued", PROM_GAUGE,
	    "Connections waiting in the kernel's accept queue.", svc, n,
	    G(queued));
	per_service(w, "pinetd_workers_idle", PROM_GAUGE,
	    "Pre-forked workers waiting for a connection.", svc, n,
	    G(workers_idle));
	per_service(w, "pinetd_pool_handlers", PROM_GAUGE,
	    "Copies of a pool handler running.", svc, n, G(pool_running));
}

int
metrics_render(struct strbuf *sb, const struct metrics_master *m,
    const struct metrics_service *svc, size_t n)
{
	struct prom_writer	w;

	prom_writer_init(&w, sb);
	master_families(&w, m);
	service_families(&w, svc, n);
	return prom_writer_done(&w);
}
