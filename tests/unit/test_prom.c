/* Unit tests for the Prometheus text format writer, the duration
 * histogram and the process_* figures. Given a file name, it also writes
 * a sample exposition there, for promtool and a real Prometheus.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include <sys/resource.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/procstat.h"
#include "../../src/prom.h"
#include "../../src/strbuf.h"

#include "check.h"

static int
text_is(const struct strbuf *sb, const char *want)
{
	int	ok = strcmp(sb->s ? sb->s : "", want) == 0;

	if (!ok)
		fprintf(stderr, "want:\n%s\ngot:\n%s\n", want,
		    sb->s ? sb->s : "");
	return ok;
}

static int
double_is(double v, const char *want)
{
	struct strbuf	sb = { 0 };
	int		ok;

	prom_format_double(&sb, v);
	ok = text_is(&sb, want);
	strbuf_free(&sb);
	return ok;
}

static void
test_double(void)
{
	CHECK(double_is(0, "0"));
	CHECK(double_is(1, "1"));
	CHECK(double_is(3600, "3600"));
	CHECK(double_is(0.001, "0.001"));
	CHECK(double_is(0.005, "0.005"));
	CHECK(double_is(-2.5, "-2.5"));
	CHECK(double_is(0.1 + 0.2, "0.30000000000000004"));
	CHECK(double_is(1764643494.125, "1764643494.125"));
	CHECK(double_is(1e-9, "1e-09"));
	CHECK(double_is(1e300, "1e+300"));
	CHECK(double_is(INFINITY, "+Inf"));
	CHECK(double_is(-INFINITY, "-Inf"));
	CHECK(double_is(NAN, "NaN"));
	/* every bucket bound reads as the decimal it stands for */
	CHECK(double_is((double)prom_bucket_bound_ns(0) / 1e9, "0.001"));
	CHECK(double_is((double)prom_bucket_bound_ns(5) / 1e9, "0.5"));
	CHECK(double_is((double)prom_bucket_bound_ns(14) / 1e9, "3600"));
}

static void
test_family(void)
{
	struct strbuf		sb = { 0 };
	struct prom_writer	w;
	struct prom_label	l[2] = { { "service", "echo" },
				    { "reason", "deny" } };

	prom_writer_init(&w, &sb);
	prom_family(&w, "pinetd_connections_refused_total", PROM_COUNTER,
	    "Connections refused, by reason.");
	prom_u64(&w, l, 2, 3);
	l[1].value = "rate";
	prom_u64(&w, l, 2, 18446744073709551615ULL);
	prom_family(&w, "pinetd_handlers", PROM_GAUGE, "Handlers running.");
	prom_u64(&w, l, 1, 0);
	prom_double(&w, NULL, 0, 1.5);
	CHECK(prom_writer_done(&w) == 0);
	CHECK(text_is(&sb,
	    "# HELP pinetd_connections_refused_total Connections refused, "
	    "by reason.\n"
	    "# TYPE pinetd_connections_refused_total counter\n"
	    "pinetd_connections_refused_total{service=\"echo\","
	    "reason=\"deny\"} 3\n"
	    "pinetd_connections_refused_total{service=\"echo\","
	    "reason=\"rate\"} 18446744073709551615\n"
	    "# HELP pinetd_handlers Handlers running.\n"
	    "# TYPE pinetd_handlers gauge\n"
	    "pinetd_handlers{service=\"echo\"} 0\n"
	    "pinetd_handlers 1.5\n"));
	strbuf_free(&sb);

	/* misuse is caught, not written out as a broken exposition */
	prom_writer_init(&w, &sb);
	prom_u64(&w, NULL, 0, 1);		/* no family yet */
	CHECK(prom_writer_done(&w) == -1);
	strbuf_free(&sb);
	prom_writer_init(&w, &sb);
	prom_family(&w, "pinetd_connections", PROM_COUNTER, "no _total");
	CHECK(prom_writer_done(&w) == -1);
	strbuf_free(&sb);
	prom_writer_init(&w, &sb);
	prom_family(&w, "a_total", PROM_COUNTER, "x");
	prom_family(&w, "b", PROM_GAUGE, "x");
	CHECK(prom_writer_done(&w) == 0);
	prom_family(&w, "a_total", PROM_COUNTER, "x");	/* a second time */
	CHECK(prom_writer_done(&w) == -1);
	strbuf_free(&sb);
	prom_writer_init(&w, &sb);
	prom_family(&w, "1abc", PROM_GAUGE, "x");
	CHECK(prom_writer_done(&w) == -1);
	strbuf_free(&sb);
	prom_writer_init(&w, &sb);
	prom_family(&w, "g", PROM_GAUGE, "x");
	l[0].name = "bad-name";
	prom_u64(&w, l, 1, 1);
	CHECK(prom_writer_done(&w) == -1);
	l[0].name = "service";
	strbuf_free(&sb);
	prom_writer_init(&w, &sb);
	prom_family(&w, "h_seconds", PROM_HISTOGRAM, "x");
	prom_u64(&w, NULL, 0, 1);		/* not a histogram sample */
	CHECK(prom_writer_done(&w) == -1);
	strbuf_free(&sb);
}

static void
test_escape(void)
{
	struct strbuf		sb = { 0 };
	struct prom_writer	w;
	struct prom_label	l = { "service", "a\\b\"c\nd" };

	prom_writer_init(&w, &sb);
	prom_family(&w, "x", PROM_GAUGE, "back\\slash \"quoted\"\nnext");
	prom_u64(&w, &l, 1, 7);
	l.value = "caf\xc3\xa9 \xff\xc3";	/* UTF-8 kept, the rest not */
	prom_u64(&w, &l, 1, 8);
	l.value = NULL;
	prom_u64(&w, &l, 1, 9);
	CHECK(prom_writer_done(&w) == 0);
	CHECK(text_is(&sb,
	    "# HELP x back\\\\slash \"quoted\"\\nnext\n"
	    "# TYPE x gauge\n"
	    "x{service=\"a\\\\b\\\"c\\nd\"} 7\n"
	    "x{service=\"caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\"} 8\n"
	    "x{service=\"\"} 9\n"));
	strbuf_free(&sb);
}

static void
test_histogram(void)
{
	struct prom_histogram	h;
	struct strbuf		sb = { 0 };
	struct prom_writer	w;
	struct prom_label	l = { "service", "s" };
	size_t			i;
	uint64_t		total;

	memset(&h, 0, sizeof(h));
	prom_observe_ns(&h, 0);
	prom_observe_ns(&h, 1000000);		/* le: the bound itself */
	prom_observe_ns(&h, 1000001);
	prom_observe_ns(&h, 250000000);		/* 0.25 s */
	prom_observe_ns(&h, 3600000000000ULL);
	prom_observe_ns(&h, 7200000000000ULL);	/* over an hour: +Inf */
	CHECK(h.bucket[0] == 2 && h.bucket[1] == 1 && h.bucket[5] == 1);
	CHECK(h.bucket[14] == 1 && h.bucket[15] == 1 && h.count == 6);
	for (i = 0, total = 0; i <= PROM_DURATION_BUCKETS; i++)
		total += h.bucket[i];
	CHECK(total == h.count);
	/* each bound lands in its own bucket, one past it in the next */
	for (i = 0; i < PROM_DURATION_BUCKETS; i++) {
		struct prom_histogram	g = { { 0 }, 0, 0 };

		prom_observe_ns(&g, prom_bucket_bound_ns(i));
		prom_observe_ns(&g, prom_bucket_bound_ns(i) + 1);
		CHECK(g.bucket[i] == 1 && g.bucket[i + 1] == 1);
	}

	prom_writer_init(&w, &sb);
	prom_family(&w, "pinetd_handler_duration_seconds", PROM_HISTOGRAM,
	    "Handler run time.");
	prom_histogram(&w, &l, 1, &h);
	CHECK(prom_writer_done(&w) == 0);
	CHECK(text_is(&sb,
	    "# HELP pinetd_handler_duration_seconds Handler run time.\n"
	    "# TYPE pinetd_handler_duration_seconds histogram\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"0.001\"} 2\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"0.005\"} 3\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"0.01\"} 3\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"0.05\"} 3\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"0.1\"} 3\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"0.5\"} 4\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"1\"} 4\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"5\"} 4\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"10\"} 4\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"30\"} 4\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"60\"} 4\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"300\"} 4\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"600\"} 4\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"1800\"} 4\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"3600\"} 5\n"
	    "pinetd_handler_duration_seconds_bucket{service=\"s\",le=\"+Inf\"} 6\n"
	    "pinetd_handler_duration_seconds_sum{service=\"s\"} 10800.252000001\n"
	    "pinetd_handler_duration_seconds_count{service=\"s\"} 6\n"));
	strbuf_free(&sb);
	/* a histogram without labels, and the reserved label */
	prom_writer_init(&w, &sb);
	prom_family(&w, "h_seconds", PROM_HISTOGRAM, "x");
	prom_histogram(&w, NULL, 0, &h);
	CHECK(prom_writer_done(&w) == 0);
	CHECK(strstr(sb.s, "\nh_seconds_bucket{le=\"+Inf\"} 6\n"
	    "h_seconds_sum 10800.252000001\nh_seconds_count 6\n") != NULL);
	l.name = "le";
	prom_family(&w, "h2_seconds", PROM_HISTOGRAM, "x");
	prom_histogram(&w, &l, 1, &h);
	CHECK(prom_writer_done(&w) == -1);
	strbuf_free(&sb);
}

static void
test_procstat_parse(void)
{
	struct procstat	ps;
	/* a command name with spaces and parentheses, negative priority */
	const char	*line = "4242 (a) (b c)) S 1 4242 4242 0 -1 4194560 "
	    "812 0 0 0 250 150 0 0 -20 -5 1 0 123456 11223344 2048 "
	    "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

	memset(&ps, 0, sizeof(ps));
	CHECK(procstat_parse_stat(line, 100, 4096, 1700000000, &ps) == 0);
	CHECK(ps.cpu_seconds == 4.0);
	CHECK(ps.resident_bytes == 2048ULL * 4096);
	CHECK(ps.start_time == 1700000000 + 1234.56);
	CHECK(procstat_parse_stat("4242 (x S 1", 100, 4096, 0, &ps) == -1);
	CHECK(procstat_parse_stat("4242 (x) S 1 2 3\n", 100, 4096, 0,
	    &ps) == -1);
	CHECK(procstat_parse_stat("", 100, 4096, 0, &ps) == -1);
}

static void
test_procstat_read(void)
{
	struct procstat	a, b;
	struct rlimit	rl;
	int		fd1, fd2;
	time_t		now = time(NULL);

	CHECK(procstat_read(&a) == 0);
	fd1 = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fd2 = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(procstat_read(&b) == 0);
	CHECK(fd1 >= 0 && fd2 >= 0 && b.open_fds == a.open_fds + 2);
	close(fd1);
	close(fd2);
	CHECK(a.open_fds >= 3);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && a.max_fds ==
	    (uint64_t)rl.rlim_cur);
	CHECK(a.resident_bytes > 100000);
	CHECK(a.cpu_seconds >= 0 && a.cpu_seconds < 60);
	/* this process started a moment ago */
	CHECK(a.start_time > (double)now - 60 && a.start_time <
	    (double)now + 2);
}

/* A sample exposition with every kind of family, for promtool and a
 * real scrape. */
static int
write_sample(const char *path)
{
	static const char	*services[] = { "echo", "web \"front\"\n",
				    "caf\xc3\xa9" };
	static const char	*reasons[] = { "deny", "per_source", "rate" };
	struct strbuf		 sb = { 0 };
	struct prom_writer	 w;
	struct prom_histogram	 h[3];
	struct prom_label	 l[2];
	struct procstat		 ps;
	size_t			 i, j;
	FILE			*f;

	memset(h, 0, sizeof(h));
	for (i = 0; i < 3; i++)
		for (j = 0; j < 10 * (i + 1); j++)
			prom_observe_ns(&h[i], j * j * 7000000ULL);
	prom_writer_init(&w, &sb);
	prom_family(&w, "pinetd_connections_total", PROM_COUNTER,
	    "Connections accepted.");
	for (i = 0; i < 3; i++) {
		l[0] = (struct prom_label){ "service", services[i] };
		prom_u64(&w, l, 1, 10 * (i + 1));
	}
	prom_family(&w, "pinetd_connections_refused_total", PROM_COUNTER,
	    "Connections refused, by reason.");
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			l[0] = (struct prom_label){ "service", services[i] };
			l[1] = (struct prom_label){ "reason", reasons[j] };
			prom_u64(&w, l, 2, i + j);
		}
	prom_family(&w, "pinetd_handlers", PROM_GAUGE, "Handlers running.");
	for (i = 0; i < 3; i++) {
		l[0] = (struct prom_label){ "service", services[i] };
		prom_u64(&w, l, 1, i);
	}
	prom_family(&w, "pinetd_handler_duration_seconds", PROM_HISTOGRAM,
	    "How long handlers ran, in seconds.");
	for (i = 0; i < 3; i++) {
		l[0] = (struct prom_label){ "service", services[i] };
		prom_histogram(&w, l, 1, &h[i]);
	}
	prom_family(&w, "pinetd_build_info", PROM_GAUGE,
	    "Always 1: the version as a label.");
	l[0] = (struct prom_label){ "version", "0.1" };
	prom_u64(&w, l, 1, 1);
	if (procstat_read(&ps) == -1)
		return -1;
	procstat_write(&w, &ps);
	if (prom_writer_done(&w) == -1 || (f = fopen(path, "w")) == NULL) {
		strbuf_free(&sb);
		return -1;
	}
	fwrite(sb.s, 1, sb.len, f);
	strbuf_free(&sb);
	return fclose(f) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	if (argc == 2) {
		if (write_sample(argv[1]) == -1) {
			perror(argv[1]);
			return 1;
		}
		return 0;
	}
	test_double();
	test_family();
	test_escape();
	test_histogram();
	test_procstat_parse();
	test_procstat_read();
	printf("test_prom: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
