/* runtime.h: what the master keeps about a service while it runs: its
 * counters, counts, per-source table, worker pool and backoff. A record is
 * found by service name, so a reload carries it over to the new config.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_RUNTIME_H
#define PINETD_RUNTIME_H

#include <sys/queue.h>
#include <stdint.h>

#include "config.h"
#include "metrics.h"
#include "scrape.h"

struct sources;
struct pool;

/* Counters the master keeps for a service. */
struct service_stats {
	unsigned long	accepted;
	unsigned long	exited_ok;
	unsigned long	exited_fail;	/* non-zero exit status */
	unsigned long	killed;		/* ended by a signal */
	unsigned long	exec_failed;
	unsigned long	spawn_failed;	/* fork/clone failed */
	unsigned long	refused[REFUSE_NREASONS];
	unsigned long	dropped;	/* datagrams a UDP builtin ignored */
	unsigned long	timeouts;
	unsigned long	proxied;	/* PROXY headers taken */
	unsigned long	proxy_bad;	/* malformed, or the stream ended */
	unsigned long	proxy_timeouts;	/* not whole within proxy_timeout */
	unsigned long	proxy_untrusted; /* not from proxy_from: not read */
	int		last_status;	/* raw wait status of the last handler */
};

struct runtime {
	char		*name;
	struct service	*svc;		/* the current record, a reference */
	unsigned	 refs;		/* the table (while configured),
					 * listeners, children */
	unsigned	 running;	/* handlers alive (policy.c counts) */
	struct service_stats stats;
	struct sources	*sources;	/* per-source state, see policy.c */
	uint64_t	 srate_start;	/* the second service_rate counts */
	unsigned	 rate_count;
	unsigned	 quick_fails;	/* handlers failing at once, in a row */
	unsigned	 loop_backoff;	/* ms the service is paused for */
	struct pool	*pool;		/* see prefork.c, or NULL */
	struct metrics_counters mc;	/* for the metrics builtin */
	struct scrape_server scrape;	/* builtin metrics: its scrapes */
	LIST_ENTRY(runtime) entry;
};

/* Makes a record for each service of conf that has none. Returns -1,
 * with nothing changed, when memory runs out. */
int		 runtime_prepare(struct config *conf);
/* Makes the records of conf current: each points at its service's new
 * record; those of services no longer configured go once unused. */
void		 runtime_commit(struct config *conf);
/* A reload that failed after runtime_prepare: unused new records go. */
void		 runtime_abort(void);
/* runtime_prepare, then runtime_commit. */
int		 runtime_update(struct config *conf);
/* The record of a configured service, or NULL. */
struct runtime	*runtime_find(const char *name);
/* The record of that name, configured or only prepared, or NULL. */
struct runtime	*runtime_get(const char *name);
struct runtime	*runtime_ref(struct runtime *);
void		 runtime_unref(struct runtime *);
/* Called with a record about to be freed, to release what hangs off it. */
void		 runtime_on_free(void (*fn)(struct runtime *));
/* Calls fn for every record, configured or not. */
void		 runtime_foreach(void (*fn)(struct runtime *, void *), void *);
/* Drops every record (at exit). */
void		 runtime_clear(void);
/* The service named name in conf, or NULL. */
struct service	*config_service(const struct config *, const char *name);

#endif
