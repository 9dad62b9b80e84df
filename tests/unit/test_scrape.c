/* Unit tests for scrapes served on the real event loop: peers are the
 * other ends of socket pairs, driven by a timer of the same loop, so a
 * scrape that blocked would hang the test (and its deadline fails it).
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/http.h"
#include "../../src/log.h"
#include "../../src/loop.h"
#include "../../src/scrape.h"
#include "../../src/strbuf.h"

#include "check.h"

#define PEERS 4

/* One client: sends its request `chunk` bytes per tick (0: all at once),
 * reads what comes, closes once it has read the end. */
struct peer {
	int		 fd;
	const char	*data;
	size_t		 len, sent, chunk;
	size_t		 read_chunk;	/* bytes read per tick, 0: all */
	struct strbuf	 in;
	int		 eof;
	uint64_t	 eof_at;	/* loop_now() then */
};

static struct scrape_server	srv;
static struct peer		peers[PEERS];
static int			npeers;
static struct timer		tick;
static uint64_t			deadline;
static int			renders, render_fails;
static size_t			render_size = 4;

static int
render(struct strbuf *sb, void *arg)
{
	size_t	i;

	(void)arg;
	renders++;
	if (render_fails)
		return -1;
	if (render_size <= 4)
		strbuf_printf(sb, "x 1\n");
	else
		for (i = 0; i < render_size / 8; i++)
			strbuf_printf(sb, "y%05zu\n", i % 100000);
	return 0;
}

static void
flush(void)
{
	scrape_flush(&srv);
}

static void
peer_step(struct peer *p)
{
	char	buf[65536];
	size_t	n, want;
	ssize_t	r;

	if (p->fd < 0)
		return;
	if (p->sent < p->len) {
		n = p->len - p->sent;
		if (p->chunk && n > p->chunk)
			n = p->chunk;
		r = send(p->fd, p->data + p->sent, n, MSG_DONTWAIT |
		    MSG_NOSIGNAL);
		if (r > 0)
			p->sent += (size_t)r;
	}
	do {
		want = p->read_chunk && p->read_chunk < sizeof(buf) ?
		    p->read_chunk : sizeof(buf);
		r = recv(p->fd, buf, want, MSG_DONTWAIT);
		if (r > 0)
			strbuf_printf(&p->in, "%.*s", (int)r, buf);
	} while (r > 0 && p->read_chunk == 0);
	if (r == 0 || (r < 0 && errno != EAGAIN)) {
		p->eof = 1;
		p->eof_at = loop_now();
		close(p->fd);
		p->fd = -1;
	}
}

static void
on_tick(struct timer *t)
{
	int	i, open = 0;

	for (i = 0; i < npeers; i++) {
		peer_step(&peers[i]);
		open += peers[i].fd >= 0;
	}
	if ((open == 0 && srv.active == 0) || loop_now() >= deadline) {
		loop_stop();
		return;
	}
	loop_timer_arm(t, 2);
}

/* Runs the loop until every peer has its answer and every scrape is
 * closed, or ms pass; 0 if all was done in time. */
static int
run(uint64_t ms)
{
	deadline = loop_now() + ms;
	tick.cb = on_tick;
	loop_timer_arm(&tick, 1);
	loop_run();
	return loop_now() < deadline ? 0 : -1;
}

static void
reset(int max, uint64_t timeout_ms)
{
	int	i;

	for (i = 0; i < npeers; i++) {
		if (peers[i].fd >= 0)
			close(peers[i].fd);
		strbuf_free(&peers[i].in);
	}
	memset(peers, 0, sizeof(peers));
	npeers = 0;
	memset(srv.outcomes, 0, sizeof(srv.outcomes));
	srv.path = "/metrics";
	srv.max = max;
	srv.timeout_ms = timeout_ms;
	srv.render = render;
	renders = render_fails = 0;
	render_size = 4;
}

/* A new peer sending data, its other end served. */
static struct peer *
connect_peer(const char *data, size_t chunk)
{
	struct peer	*p = &peers[npeers++];
	int		 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		perror("socketpair");
		exit(1);
	}
	p->fd = sv[0];
	p->data = data;
	p->len = data ? strlen(data) : 0;
	p->chunk = chunk;
	scrape_serve(&srv, sv[1]);
	return p;
}

static const char *
body_of(const struct peer *p)
{
	const char	*b = p->in.s ? strstr(p->in.s, "\r\n\r\n") : NULL;

	return b ? b + 4 : "";
}

static int
starts(const struct peer *p, const char *prefix)
{
	int	ok = p->in.s && strncmp(p->in.s, prefix, strlen(prefix)) == 0;

	if (!ok)
		fprintf(stderr, "want '%s...', got '%.80s'\n", prefix,
		    p->in.s ? p->in.s : "");
	return ok;
}

static void
test_ok(void)
{
	struct peer	*p;

	reset(4, 2000);
	p = connect_peer("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	CHECK(run(3000) == 0);
	CHECK(starts(p, "HTTP/1.1 200 OK\r\n"));
	CHECK(strstr(p->in.s, "\r\nContent-Type: text/plain; version=0.0.4;"
	    " charset=utf-8\r\nContent-Length: 4\r\n") != NULL);
	CHECK(strcmp(body_of(p), "x 1\n") == 0);
	CHECK(srv.outcomes[SCRAPE_OK] == 1 && renders == 1);
	CHECK(srv.active == 0 && srv.live == NULL && srv.dead == NULL);

	/* a peer sending a byte at a time, and a HEAD */
	reset(4, 5000);
	p = connect_peer("GET /metrics HTTP/1.0\r\nUser-Agent: slow\r\n\r\n",
	    1);
	connect_peer("HEAD /metrics HTTP/1.0\r\n\r\n", 0);
	CHECK(run(5000) == 0);
	CHECK(starts(p, "HTTP/1.1 200 OK\r\n"));
	CHECK(strcmp(body_of(p), "x 1\n") == 0);
	CHECK(starts(&peers[1], "HTTP/1.1 200 OK\r\n"));
	CHECK(strstr(peers[1].in.s, "Content-Length: 4\r\n") != NULL);
	CHECK(strcmp(body_of(&peers[1]), "") == 0);
	CHECK(srv.outcomes[SCRAPE_OK] == 2);
}

static void
test_refused(void)
{
	reset(4, 2000);
	connect_peer("GET /other HTTP/1.0\r\n\r\n", 0);
	connect_peer("POST /metrics HTTP/1.0\r\n\r\n", 0);
	connect_peer("hello\r\n\r\n", 0);
	CHECK(run(3000) == 0);
	CHECK(starts(&peers[0], "HTTP/1.1 404 Not Found\r\n"));
	CHECK(starts(&peers[1], "HTTP/1.1 405 Method Not Allowed\r\n"));
	CHECK(starts(&peers[2], "HTTP/1.1 400 Bad Request\r\n"));
	CHECK(strcmp(body_of(&peers[2]), "400 Bad Request\n") == 0);
	CHECK(srv.outcomes[SCRAPE_REFUSED] == 3 && renders == 0);

	reset(4, 2000);
	render_fails = 1;
	connect_peer("GET /metrics HTTP/1.0\r\n\r\n", 0);
	CHECK(run(3000) == 0);
	CHECK(starts(&peers[0], "HTTP/1.1 500 Internal Server Error\r\n"));
	CHECK(srv.outcomes[SCRAPE_REFUSED] == 1);
}

/* 64 KB of headers: answered 431 after HTTP_HEAD_MAX bytes; the rest is
 * drained, not kept. */
static void
test_flood(void)
{
	struct strbuf	flood = { 0 };
	size_t		i;

	strbuf_printf(&flood, "GET /metrics HTTP/1.0\r\n");
	for (i = 0; flood.len < 65536; i++)
		strbuf_printf(&flood, "X-Flood-%zu: %0100zu\r\n", i, i);
	reset(4, 3000);
	connect_peer(flood.s, 4096);
	connect_peer("GET /metrics HTTP/1.0\r\n\r\n", 0);
	CHECK(run(4000) == 0);
	CHECK(starts(&peers[0],
	    "HTTP/1.1 431 Request Header Fields Too Large\r\n"));
	CHECK(starts(&peers[1], "HTTP/1.1 200 OK\r\n"));
	CHECK(srv.outcomes[SCRAPE_REFUSED] == 1);
	CHECK(srv.outcomes[SCRAPE_OK] == 1);
	strbuf_free(&flood);
}

/* Silent peers time out with a 408; over max, a peer gets 503 at once;
 * others are served meanwhile. */
static void
test_silent_and_busy(void)
{
	uint64_t	start = loop_now();

	reset(2, 150);
	connect_peer(NULL, 0);
	connect_peer("GET /metrics HTTP/1.0\r\n", 0);	/* never ends */
	connect_peer("GET /metrics HTTP/1.0\r\n\r\n", 0);	/* busy */
	CHECK(srv.active == 2);
	CHECK(run(3000) == 0);
	CHECK(starts(&peers[0], "HTTP/1.1 408 Request Timeout\r\n"));
	CHECK(starts(&peers[1], "HTTP/1.1 408 Request Timeout\r\n"));
	CHECK(starts(&peers[2], "HTTP/1.1 503 Service Unavailable\r\n"));
	CHECK(srv.outcomes[SCRAPE_TIMEOUT] == 2);
	CHECK(srv.outcomes[SCRAPE_BUSY] == 1);
	/* the busy one at once, the silent ones at their deadline */
	CHECK(peers[2].eof_at - start < 100);
	CHECK(peers[0].eof_at - start >= 140 && peers[0].eof_at - start <
	    1000);

	/* once the slots are free again, a scrape is served */
	reset(2, 150);
	connect_peer("GET /metrics HTTP/1.0\r\n\r\n", 0);
	CHECK(run(3000) == 0);
	CHECK(starts(&peers[0], "HTTP/1.1 200 OK\r\n"));
}

/* A big answer to a peer that reads slowly: written as the peer takes it,
 * the loop never waits. */
static void
test_big(void)
{
	struct peer	*p;
	size_t		 want;

	reset(4, 10000);
	render_size = 1 << 20;
	p = connect_peer("GET /metrics HTTP/1.0\r\n\r\n", 0);
	p->read_chunk = 65536;
	CHECK(run(10000) == 0);
	CHECK(starts(p, "HTTP/1.1 200 OK\r\n"));
	want = (render_size / 8) * 7;	/* "yNNNNN\n" */
	CHECK(strlen(body_of(p)) == want);
	CHECK(strncmp(body_of(p), "y00000\ny00001\n", 14) == 0);
	CHECK(srv.outcomes[SCRAPE_OK] == 1);
}

/* A peer that leaves mid-request; and closing the server with scrapes
 * running. */
static void
test_abort_and_close(void)
{
	struct peer	*p;

	reset(4, 2000);
	p = connect_peer("GET /met", 0);
	peer_step(p);
	shutdown(p->fd, SHUT_WR);
	CHECK(run(3000) == 0);
	CHECK(srv.outcomes[SCRAPE_ABORTED] == 1 && p->in.s == NULL);

	reset(4, 2000);
	connect_peer(NULL, 0);
	connect_peer(NULL, 0);
	CHECK(srv.active == 2);
	scrape_server_close(&srv);
	CHECK(srv.active == 0 && srv.live == NULL && srv.dead == NULL);
	CHECK(srv.outcomes[SCRAPE_ABORTED] == 2);
	CHECK(run(1000) == 0);
	CHECK(peers[0].eof && peers[1].eof);
	CHECK(strcmp(scrape_outcome_name(SCRAPE_BUSY), "busy") == 0);
}

int
main(void)
{
	sigset_t	none;

	log_init("test_scrape", 0, LOG_LVL_INFO);
	sigemptyset(&none);
	if (loop_init(&none, NULL) != 0) {
		perror("loop_init");
		return 1;
	}
	loop_set_batch_end(flush);
	test_ok();
	test_refused();
	test_flood();
	test_silent_and_busy();
	test_big();
	test_abort_and_close();
	reset(0, 0);
	printf("test_scrape: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
