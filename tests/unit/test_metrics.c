/* Unit tests for pinetd's metric families. Given a file name, it writes
 * a sample exposition there (for promtool and a real Prometheus); with
 * -b, it times the rendering of 100 services; with -s PORTFILE, it serves
 * the sample over HTTP on 127.0.0.1 as the master would, until SIGTERM.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#define _GNU_SOURCE	/* accept4 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/log.h"
#include "../../src/loop.h"
#include "../../src/metrics.h"
#include "../../src/procstat.h"
#include "../../src/prom.h"
#include "../../src/strbuf.h"

#include "check.h"

#define NSVC 3

static struct metrics_counters	counters[NSVC];
static struct metrics_service	svcs[NSVC];
static struct metrics_master	master;
static struct procstat		ps;

/* Three services with known figures: x took 7 connections, refused 2
 * by deny and 1 per source; 4 handlers ended ok, 1 failed, 1 timed out,
 * 1 was killed. */
static void
fixture(void)
{
	static const char	*names[NSVC] = { "x", "echo", "w\"e\\ird" };
	size_t			 i;

	memset(counters, 0, sizeof(counters));
	memset(svcs, 0, sizeof(svcs));
	for (i = 0; i < NSVC; i++) {
		svcs[i].name = names[i];
		svcs[i].c = &counters[i];
	}
	counters[0].accepted = 7;
	counters[0].refused[METRICS_DENY] = 2;
	counters[0].refused[METRICS_PER_SOURCE] = 1;
	counters[0].exits[METRICS_EXIT_OK] = 4;
	counters[0].exits[METRICS_EXIT_FAILED] = 1;
	counters[0].exits[METRICS_EXIT_TIMEOUT] = 1;
	counters[0].exits[METRICS_EXIT_SIGNALED] = 1;
	for (i = 0; i < 7; i++)
		prom_observe_ns(&counters[0].duration, i * 300000000ULL);
	svcs[0].running = 0;
	svcs[0].limit = 5;
	counters[1].accepted = 100;
	counters[1].datagrams_dropped = 3;
	svcs[1].running = 2;
	svcs[1].workers_idle = 2;
	svcs[2].pool_running = 4;
	counters[2].crash_pauses = 1;
	memset(&master, 0, sizeof(master));
	master.version = "1.2.3";
	master.reloads = 2;
	master.reload_failures = 1;
	master.last_reload = 1764643200.5;
	master.children = 8;
	master.children_limit = 256;
	master.scrapes[SCRAPE_OK] = 9;
	master.scrapes[SCRAPE_BUSY] = 1;
	if (procstat_read(&ps) == 0)
		master.proc = &ps;
}

static int
has(const struct strbuf *sb, const char *line)
{
	char	want[512];
	int	ok;

	snprintf(want, sizeof(want), "\n%s\n", line);
	ok = sb->s != NULL && strstr(sb->s, want) != NULL;
	if (!ok)
		fprintf(stderr, "missing line: %s\n", line);
	return ok;
}

static size_t
count(const char *s, const char *needle)
{
	size_t	n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s++;
	}
	return n;
}

static void
test_render(void)
{
	struct strbuf	sb = { 0 };
	const char	*p;

	fixture();
	CHECK(metrics_render(&sb, &master, svcs, NSVC) == 0);
	CHECK(has(&sb, "pinetd_connections_total{service=\"x\"} 7"));
	CHECK(has(&sb, "pinetd_connections_total{service=\"w\\\"e\\\\ird\"} 0"));
	CHECK(has(&sb, "pinetd_connections_refused_total{service=\"x\","
	    "reason=\"deny\"} 2"));
	CHECK(has(&sb, "pinetd_connections_refused_total{service=\"x\","
	    "reason=\"per_source\"} 1"));
	CHECK(has(&sb, "pinetd_connections_refused_total{service=\"echo\","
	    "reason=\"max_children\"} 0"));
	CHECK(has(&sb, "pinetd_handler_exits_total{service=\"x\","
	    "outcome=\"timeout\"} 1"));
	CHECK(has(&sb, "pinetd_handler_exits_total{service=\"x\","
	    "outcome=\"signaled\"} 1"));
	CHECK(has(&sb, "pinetd_handler_duration_seconds_bucket{service=\"x\","
	    "le=\"0.5\"} 2"));
	CHECK(has(&sb, "pinetd_handler_duration_seconds_bucket{service=\"x\","
	    "le=\"+Inf\"} 7"));
	CHECK(has(&sb, "pinetd_handler_duration_seconds_sum{service=\"x\"} 6.3"));
	CHECK(has(&sb, "pinetd_handlers_limit{service=\"x\"} 5"));
	CHECK(strstr(sb.s, "pinetd_handlers_limit{service=\"echo\"}") == NULL);
	CHECK(has(&sb, "pinetd_workers_idle{service=\"echo\"} 2"));
	CHECK(has(&sb, "pinetd_pool_handlers{service=\"w\\\"e\\\\ird\"} 4"));
	CHECK(has(&sb, "pinetd_datagrams_dropped_total{service=\"echo\"} 3"));
	CHECK(has(&sb, "pinetd_build_info{version=\"1.2.3\"} 1"));
	CHECK(has(&sb, "pinetd_reloads_total 2"));
	CHECK(has(&sb, "pinetd_reload_failures_total 1"));
	CHECK(has(&sb, "pinetd_last_reload_success_timestamp_seconds "
	    "1764643200.5"));
	CHECK(has(&sb, "pinetd_children_limit 256"));
	CHECK(has(&sb, "pinetd_metrics_scrapes_total{outcome=\"busy\"} 1"));
	CHECK(strstr(sb.s, "\nprocess_open_fds ") != NULL);
	/* each family once, with help and type */
	CHECK(count(sb.s, "# TYPE ") == count(sb.s, "# HELP "));
	CHECK(count(sb.s, "# TYPE pinetd_connections_total ") == 1);
	CHECK(count(sb.s, "# TYPE ") == 24);
	/* every sample line names a family declared above it */
	for (p = sb.s; p != NULL && *p != '\0'; p = strchr(p, '\n') + 1) {
		if (*p != '#')
			CHECK(strncmp(p, "pinetd_", 7) == 0 ||
			    strncmp(p, "process_", 8) == 0);
		if (strchr(p, '\n') == NULL)
			break;
	}
	CHECK(sb.len > 0 && sb.s[sb.len - 1] == '\n');
	strbuf_free(&sb);

	/* no limit anywhere: that family is left out, not empty */
	svcs[0].limit = 0;
	master.children_limit = 0;
	CHECK(metrics_render(&sb, &master, svcs, NSVC) == 0);
	CHECK(strstr(sb.s, "pinetd_handlers_limit") == NULL);
	CHECK(strstr(sb.s, "pinetd_children_limit") == NULL);
	strbuf_free(&sb);
	/* no service at all */
	CHECK(metrics_render(&sb, &master, NULL, 0) == 0);
	CHECK(strstr(sb.s, "# TYPE pinetd_connections_total counter") != NULL);
	strbuf_free(&sb);
	CHECK(strcmp(metrics_reason_name(METRICS_MAX_INSTANCES),
	    "max_instances") == 0);
	CHECK(strcmp(metrics_exit_name(METRICS_EXIT_SIGNALED), "signaled") == 0);
}

/* The cost of one scrape's rendering with 100 busy services. */
static int
bench(void)
{
	static struct metrics_counters	c[100];
	static struct metrics_service	s[100];
	static char			names[100][16];
	struct strbuf			sb = { 0 };
	struct timespec			t0, t1;
	size_t				i, j, len = 0;
	int				rounds = 200;
	double				us;

	fixture();
	for (i = 0; i < 100; i++) {
		snprintf(names[i], sizeof(names[i]), "service-%03zu", i);
		s[i].name = names[i];
		s[i].c = &c[i];
		c[i].accepted = 1000000 + i;
		for (j = 0; j < METRICS_REASONS; j++)
			c[i].refused[j] = i * j;
		for (j = 0; j < 1000; j++)
			prom_observe_ns(&c[i].duration, j * j * 3000ULL);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (i = 0; i < (size_t)rounds; i++) {
		if (procstat_read(&ps) != 0 ||
		    metrics_render(&sb, &master, s, 100) != 0)
			return 1;
		len = sb.len;
		strbuf_free(&sb);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / rounds;
	printf("100 services: %zu bytes, %.0f us of CPU per rendering\n",
	    len, us);
	return 0;
}

static struct scrape_server	srv;

static int
render(struct strbuf *sb, void *arg)
{
	(void)arg;
	memcpy(master.scrapes, srv.outcomes, sizeof(master.scrapes));
	if (procstat_read(&ps) == 0)
		master.proc = &ps;
	return metrics_render(sb, &master, svcs, NSVC);
}

static void
flush(void)
{
	scrape_flush(&srv);
}

static void
on_signal(int signo)
{
	(void)signo;
	loop_stop();
}

static void
on_accept(struct evsrc *src, uint32_t events)
{
	int	fd, i;

	(void)events;
	for (i = 0; i < 64; i++) {
		fd = accept4(src->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("accept4");
			return;
		}
		scrape_serve(&srv, fd);
	}
}

/* Serves the sample as the metrics builtin would: the scrapes' timeout
 * and limit come from PINETD_SCRAPE_TIMEOUT_MS and PINETD_SCRAPE_MAX. */
static int
serve(const char *portfile)
{
	static struct evsrc	 lsrc;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	sigset_t		 sigs;
	const char		*e;
	char			 tmp[4096];
	FILE			*f;

	log_init("test_metrics", 0, LOG_LVL_INFO);
	fixture();
	srv.path = "/metrics";
	srv.max = (e = getenv("PINETD_SCRAPE_MAX")) ? atoi(e) : 4;
	srv.timeout_ms = (e = getenv("PINETD_SCRAPE_TIMEOUT_MS")) ?
	    strtoull(e, NULL, 10) : 10000;
	srv.render = render;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lsrc.cb = on_accept;
	if ((lsrc.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    bind(lsrc.fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lsrc.fd, 128) == -1 ||
	    getsockname(lsrc.fd, (struct sockaddr *)&sin, &len) == -1)
		fatal("listen");
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	if (loop_init(&sigs, on_signal) != 0 || loop_add(&lsrc, EPOLLIN) != 0)
		fatal("loop_init");
	loop_set_batch_end(flush);
	snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
	if ((f = fopen(tmp, "w")) == NULL)
		fatal("%s", tmp);
	fprintf(f, "%u\n", ntohs(sin.sin_port));
	if (fclose(f) != 0 || rename(tmp, portfile) != 0)
		fatal("%s", portfile);
	loop_run();
	scrape_server_close(&srv);
	close(lsrc.fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct strbuf	 sb = { 0 };
	FILE		*f;

	if (argc == 3 && strcmp(argv[1], "-s") == 0)
		return serve(argv[2]);
	if (argc == 2 && strcmp(argv[1], "-b") == 0)
		return bench();
	if (argc == 2) {
		fixture();
		if (metrics_render(&sb, &master, svcs, NSVC) != 0 ||
		    (f = fopen(argv[1], "w")) == NULL)
			return 1;
		fwrite(sb.s, 1, sb.len, f);
		strbuf_free(&sb);
		return fclose(f) == 0 ? 0 : 1;
	}
	test_render();
	printf("test_metrics: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
