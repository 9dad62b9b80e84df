/* scrape.h: HTTP scrapes of the metrics served inside the master, on its
 * event loop, without ever blocking it. Each accepted connection gets a
 * bounded request head (http.h), one deadline for the whole exchange, a
 * non-blocking answer and a bounded drain before the close; at most
 * `max` run at once.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_SCRAPE_H
#define PINETD_SCRAPE_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* Bytes read and thrown away after the answer, so that the peer sees the
 * answer rather than a reset; the deadline bounds this too. */
#define SCRAPE_DRAIN_MAX	65536

/* What became of the scrapes: for the metrics about the endpoint itself. */
enum scrape_outcome {
	SCRAPE_OK,		/* a 200 answered in full */
	SCRAPE_REFUSED,		/* 4xx or 5xx answered: a bad request */
	SCRAPE_BUSY,		/* over max: 503 tried, closed at once */
	SCRAPE_TIMEOUT,		/* the deadline passed */
	SCRAPE_ABORTED,		/* the peer left, or a socket error */
	SCRAPE_OUTCOMES
};

struct scrape;

struct scrape_server {
	/* set by the owner */
	const char	*path;		/* the one path served, "/metrics" */
	int		 max;		/* scrapes at once, 1 or more */
	uint64_t	 timeout_ms;	/* accept to close */
	/* Renders the exposition for a 200; -1 answers 500. */
	int		(*render)(struct strbuf *, void *arg);
	void		*arg;
	/* kept by scrape.c */
	int		 active;
	struct scrape	*live, *dead;
	uint64_t	 outcomes[SCRAPE_OUTCOMES];
};

/* Serves a freshly accepted connection (made non-blocking here); the
 * server owns fd from now on, whatever happens. */
void	scrape_serve(struct scrape_server *, int fd);
/* Frees the scrapes retired during the last batch of events: call it at
 * the end of each batch (see loop_set_batch_end()). */
void	scrape_flush(struct scrape_server *);
/* Closes every scrape at once (the service is removed, or shutdown). */
void	scrape_server_close(struct scrape_server *);
const char *scrape_outcome_name(enum scrape_outcome);

#endif
