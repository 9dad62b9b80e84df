/* metrics.h: pinetd's metric families, their names, help and labels. The
 * caller fills plain figures from its own records (the connection path
 * keeps the counters, a scrape reads the gauges) and gets the exposition;
 * nothing here knows how the figures are kept.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_METRICS_H
#define PINETD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "procstat.h"
#include "prom.h"
#include "scrape.h"
#include "strbuf.h"

/* The reason label of pinetd_connections_refused_total. */
enum metrics_reason {
	METRICS_DENY,		/* allow/deny lists */
	METRICS_PER_SOURCE,	/* per-source limit */
	METRICS_MAX_INSTANCES,	/* the service's handler limit */
	METRICS_MAX_CHILDREN,	/* the global limit */
	METRICS_RATE,		/* per-source rate */
	METRICS_SERVICE_RATE,	/* the service's rate */
	METRICS_REASONS
};

/* The outcome label of pinetd_handler_exits_total. */
enum metrics_exit {
	METRICS_EXIT_OK,	/* status 0 */
	METRICS_EXIT_FAILED,	/* another status (111: exec failed) */
	METRICS_EXIT_SIGNALED,	/* killed by a signal, not by pinetd */
	METRICS_EXIT_TIMEOUT,	/* killed by pinetd at its timeout */
	METRICS_EXITS
};

/* The result label of pinetd_proxy_headers_total. */
enum metrics_proxy {
	METRICS_PROXY_OK,		/* a header taken */
	METRICS_PROXY_BAD,		/* malformed, or the stream ended */
	METRICS_PROXY_TIMEOUT,		/* not whole within proxy_timeout */
	METRICS_PROXY_UNTRUSTED,	/* not from proxy_from: not read */
	METRICS_PROXY_RESULTS
};

/* Counters live as long as the service (a reload that keeps it keeps
 * them); gauges are read at the scrape. */
struct metrics_counters {
	uint64_t		accepted;
	uint64_t		refused[METRICS_REASONS];
	uint64_t		exits[METRICS_EXITS];
	uint64_t		spawn_failures;	/* fork/clone failed */
	uint64_t		crash_pauses;	/* pool restarts held back */
	uint64_t		datagrams_dropped;
	uint64_t		proxy[METRICS_PROXY_RESULTS];
	struct prom_histogram	duration;	/* handler run times */
};

struct metrics_service {
	const char			*name;
	const struct metrics_counters	*c;
	uint64_t			 running;	/* handlers */
	uint64_t			 limit;		/* 0: none */
	uint64_t			 queued;	/* in the accept queue */
	uint64_t			 workers_idle;
	uint64_t			 pool_running;
	int				 proxy;	/* reads PROXY headers */
};

struct metrics_master {
	const char		*version;
	uint64_t		 reloads;
	uint64_t		 reload_failures;
	double			 last_reload;	/* Epoch seconds; start first */
	uint64_t		 children;	/* every child alive */
	uint64_t		 children_limit;	/* 0: none */
	const struct procstat	*proc;		/* NULL: left out */
	/* what became of the scrapes of every metrics service */
	uint64_t		 scrapes[SCRAPE_OUTCOMES];
};

const char *metrics_reason_name(enum metrics_reason);
const char *metrics_exit_name(enum metrics_exit);
/* Appends the whole exposition; -1 on a writer error (out of memory). */
int	metrics_render(struct strbuf *, const struct metrics_master *,
	    const struct metrics_service *, size_t n);

#endif
