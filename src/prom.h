/* prom.h: writes metrics in the Prometheus text exposition format
 * (version 0.0.4) into a strbuf, and keeps duration histograms.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_PROM_H
#define PINETD_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM
};

/* The families begun in one exposition: each gets its # HELP and # TYPE
 * once, and its samples must follow them at once. */
#define PROM_FAMILIES_MAX 128

struct prom_writer {
	struct strbuf	*sb;
	const char	*family;	/* the family being written */
	enum prom_type	 type;
	const char	*seen[PROM_FAMILIES_MAX];	/* not copied */
	size_t		 nseen;
	int		 failed;	/* misuse: a family twice, a bad name */
};

struct prom_label {
	const char	*name;
	const char	*value;		/* any bytes: escaped, UTF-8 made valid */
};

/* The duration buckets, in seconds: 1 ms to 1 hour, then +Inf. */
#define PROM_DURATION_BUCKETS 15

/* Counts per bucket (not cumulative: the writer sums them), the total
 * count and sum. Observing costs a binary search and two additions. */
struct prom_histogram {
	uint64_t	bucket[PROM_DURATION_BUCKETS + 1];	/* last: +Inf */
	uint64_t	count;
	uint64_t	sum_ns;
};

void	prom_writer_init(struct prom_writer *, struct strbuf *);
/* Starts a family: its # HELP (help escaped) and # TYPE lines. A counter's
 * name is the full sample name, ending in _total. */
void	prom_family(struct prom_writer *, const char *name, enum prom_type,
	    const char *help);
/* One sample of the current counter or gauge. */
void	prom_u64(struct prom_writer *, const struct prom_label *, size_t,
	    uint64_t value);
void	prom_double(struct prom_writer *, const struct prom_label *, size_t,
	    double value);
/* The _bucket, _sum and _count samples of the current histogram. */
void	prom_histogram(struct prom_writer *, const struct prom_label *,
	    size_t, const struct prom_histogram *);
/* The writer's outcome: 0, or -1 on misuse or when out of memory. */
int	prom_writer_done(const struct prom_writer *);

/* Appends v as the format's float: shortest text that reads back the
 * same, and +Inf, -Inf, NaN. */
void	prom_format_double(struct strbuf *, double v);

void	prom_observe_ns(struct prom_histogram *, uint64_t ns);
/* The upper bound of bucket i in nanoseconds (i < PROM_DURATION_BUCKETS). */
uint64_t prom_bucket_bound_ns(size_t i);

#endif
