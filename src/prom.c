/* prom.c: the Prometheus text exposition format, version 0.0.4: families
 * with their # HELP and # TYPE lines, samples with escaped labels, floats
 * that read back exactly, and cumulative histogram buckets.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "strbuf.h"

/* 1 ms, 5 ms, 10 ms, 50 ms, 100 ms, 500 ms, 1 s, 5 s, 10 s, 30 s, 1 min,
 * 5 min, 10 min, 30 min, 1 h: handlers live from a daytime answer to a
 * long interactive session. */
static const uint64_t bound_ns[PROM_DURATION_BUCKETS] = {
	1000000ULL, 5000000ULL, 10000000ULL, 50000000ULL, 100000000ULL,
	500000000ULL, 1000000000ULL, 5000000000ULL, 10000000000ULL,
	30000000000ULL, 60000000000ULL, 300000000000ULL, 600000000000ULL,
	1800000000000ULL, 3600000000000ULL
};

uint64_t
prom_bucket_bound_ns(size_t i)
{
	return i < PROM_DURATION_BUCKETS ? bound_ns[i] : UINT64_MAX;
}

void
prom_observe_ns(struct prom_histogram *h, uint64_t ns)
{
	size_t	lo = 0, hi = PROM_DURATION_BUCKETS, mid;

	/* the first bucket whose bound is >= ns; buckets are "le" */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (bound_ns[mid] < ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	h->bucket[lo]++;
	h->count++;
	h->sum_ns += ns;
}

void
prom_writer_init(struct prom_writer *w, struct strbuf *sb)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
}

int
prom_writer_done(const struct prom_writer *w)
{
	return w->failed || w->sb->failed ? -1 : 0;
}

static void
put(struct strbuf *sb, const char *s)
{
	strbuf_append(sb, s, strlen(s));
}

/* A count, without printf: a scrape writes thousands of them. */
static void
put_u64(struct strbuf *sb, uint64_t v)
{
	char	buf[24], *p = buf + sizeof(buf);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	strbuf_append(sb, p, (size_t)(buf + sizeof(buf) - p));
}

static int
valid_name(const char *s, int colon)
{
	const char	*p;

	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' ||
		    (colon && *p == ':')))
			return 0;
	return 1;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t	n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The length of the well-formed UTF-8 sequence at s, or 0: the format
 * is UTF-8, and a label value that is not is refused by the scraper. */
static size_t
utf8_seq(const unsigned char *s)
{
	uint32_t	cp;
	size_t		n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	cp = s[0] & (0xff >> (n + 1));
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also the terminating NUL */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Backslash and newline escaped (and the double quote in a label value);
 * a byte that is not UTF-8 becomes U+FFFD. Runs of plain bytes are
 * appended at once: most values have nothing to escape. */
static void
escape(struct strbuf *sb, const char *s, int quote)
{
	const unsigned char	*p = (const unsigned char *)s, *run = p;
	size_t			 n;

	for (;;) {
		if (*p >= 0x20 && *p < 0x80 && *p != '\\' &&
		    !(*p == '"' && quote)) {
			p++;
			continue;
		}
		if (p > run)
			strbuf_append(sb, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			return;
		if (*p == '\\')
			strbuf_printf(sb, "\\\\");
		else if (*p == '\n')
			strbuf_printf(sb, "\\n");
		else if (*p == '"')
			strbuf_printf(sb, "\\\"");
		else if ((n = utf8_seq(p)) > 0) {
			strbuf_printf(sb, "%.*s", (int)n, (const char *)p);
			p += n - 1;
		} else
			strbuf_printf(sb, "\xef\xbf\xbd");
		run = ++p;
	}
}

void
prom_format_double(struct strbuf *sb, double v)
{
	char	buf[64];
	int	prec;

	if (isnan(v)) {
		strbuf_printf(sb, "NaN");
		return;
	}
	if (isinf(v)) {
		strbuf_printf(sb, "%cInf", v > 0 ? '+' : '-');
		return;
	}
	/* the shortest %g that reads back to the same double */
	for (prec = 15; prec < 17; prec++) {
		(void)snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec == 17)
		(void)snprintf(buf, sizeof(buf), "%.17g", v);
	strbuf_printf(sb, "%s", buf);
}

void
prom_family(struct prom_writer *w, const char *name, enum prom_type type,
    const char *help)
{
	static const char	*types[] = { "counter", "gauge", "histogram" };
	size_t			 i;

	w->family = NULL;
	if (!valid_name(name, 1) || (type == PROM_COUNTER &&
	    !ends_with(name, "_total")) || w->nseen == PROM_FAMILIES_MAX) {
		w->failed = 1;
		return;
	}
	for (i = 0; i < w->nseen; i++)
		if (strcmp(w->seen[i], name) == 0) {
			w->failed = 1;
			return;
		}
	w->seen[w->nseen++] = name;
	w->family = name;
	w->type = type;
	strbuf_printf(w->sb, "# HELP %s ", name);
	escape(w->sb, help, 0);
	strbuf_printf(w->sb, "\n# TYPE %s %s\n", name, types[type]);
}

/* name{a="x",b="y"} (without the value), and le="..." last when given. */
static int
sample_start(struct prom_writer *w, const char *suffix,
    const struct prom_label *labels, size_t n, const char *le)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!valid_name(labels[i].name, 0) ||
		    strncmp(labels[i].name, "__", 2) == 0 ||
		    (w->type == PROM_HISTOGRAM &&
		    strcmp(labels[i].name, "le") == 0)) {
			w->failed = 1;
			return -1;
		}
	put(w->sb, w->family);
	put(w->sb, suffix);
	if (n == 0 && le == NULL)
		return 0;
	strbuf_append(w->sb, "{", 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_append(w->sb, ",", 1);
		put(w->sb, labels[i].name);
		strbuf_append(w->sb, "=\"", 2);
		escape(w->sb, labels[i].value ? labels[i].value : "", 1);
		strbuf_append(w->sb, "\"", 1);
	}
	if (le != NULL) {
		put(w->sb, n ? ",le=\"" : "le=\"");
		put(w->sb, le);
		strbuf_append(w->sb, "\"", 1);
	}
	strbuf_append(w->sb, "}", 1);
	return 0;
}

static int
plain_sample(struct prom_writer *w, const struct prom_label *labels,
    size_t n)
{
	if (w->family == NULL || w->type == PROM_HISTOGRAM) {
		w->failed = 1;
		return -1;
	}
	return sample_start(w, "", labels, n, NULL);
}

void
prom_u64(struct prom_writer *w, const struct prom_label *labels, size_t n,
    uint64_t value)
{
	if (plain_sample(w, labels, n) != 0)
		return;
	strbuf_append(w->sb, " ", 1);
	put_u64(w->sb, value);
	strbuf_append(w->sb, "\n", 1);
}

void
prom_double(struct prom_writer *w, const struct prom_label *labels,
    size_t n, double value)
{
	if (plain_sample(w, labels, n) != 0)
		return;
	strbuf_printf(w->sb, " ");
	prom_format_double(w->sb, value);
	strbuf_printf(w->sb, "\n");
}

/* The le label values of the buckets, formatted once. */
static const char *
bucket_le(size_t i)
{
	static char	le[PROM_DURATION_BUCKETS][32];
	struct strbuf	sb = { 0 };

	if (i >= PROM_DURATION_BUCKETS)
		return "+Inf";
	if (le[i][0] == '\0') {
		prom_format_double(&sb, (double)bound_ns[i] / 1e9);
		if (sb.failed || sb.len >= sizeof(le[i])) {
			strbuf_free(&sb);
			return NULL;
		}
		memcpy(le[i], sb.s, sb.len + 1);
		strbuf_free(&sb);
	}
	return le[i];
}

void
prom_histogram(struct prom_writer *w, const struct prom_label *labels,
    size_t n, const struct prom_histogram *h)
{
	const char	*le;
	uint64_t	 cum = 0;
	size_t		 i;

	if (w->family == NULL || w->type != PROM_HISTOGRAM) {
		w->failed = 1;
		return;
	}
	for (i = 0; i <= PROM_DURATION_BUCKETS; i++) {
		cum += h->bucket[i];
		if ((le = bucket_le(i)) == NULL ||
		    sample_start(w, "_bucket", labels, n, le) != 0) {
			w->failed = 1;
			return;
		}
		strbuf_append(w->sb, " ", 1);
		put_u64(w->sb, cum);
		strbuf_append(w->sb, "\n", 1);
	}
	(void)sample_start(w, "_sum", labels, n, NULL);
	strbuf_printf(w->sb, " ");
	prom_format_double(w->sb, (double)h->sum_ns / 1e9);
	strbuf_printf(w->sb, "\n");
	(void)sample_start(w, "_count", labels, n, NULL);
	strbuf_append(w->sb, " ", 1);
	put_u64(w->sb, h->count);
	strbuf_append(w->sb, "\n", 1);
}
