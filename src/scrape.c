/* scrape.c: a metrics scrape is a small state machine on the master's
 * loop: read the request head (at most HTTP_HEAD_MAX bytes), answer it
 * with non-blocking writes, then drain what the peer still sends (at
 * most SCRAPE_DRAIN_MAX bytes) until it closes. One timer bounds the
 * whole exchange; a slow or silent peer costs one fd and one record, and
 * never delays anything else.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "loop.h"
#include "prom.h"
#include "scrape.h"
#include "strbuf.h"

enum scrape_state { ST_READ, ST_WRITE, ST_DRAIN };

struct scrape {
	struct evsrc		 src;		/* first: the loop hands it back */
	struct timer		 timer;
	struct scrape_server	*srv;
	enum scrape_state	 state;
	enum scrape_outcome	 outcome;	/* once answered */
	struct strbuf		 out;
	size_t			 off;		/* of out, written so far */
	size_t			 drained;
	struct scrape		*prev, *next;
	struct http_request	 req;
};

static void	scrape_event(struct evsrc *, uint32_t);

const char *
scrape_outcome_name(enum scrape_outcome o)
{
	static const char	*names[] = { "ok", "refused", "busy", "timeout",
				    "aborted" };

	return (unsigned)o < SCRAPE_OUTCOMES ? names[o] : "unknown";
}

/* A last word that must not block: whatever does not fit is lost. */
static void
send_once(int fd, int status)
{
	struct strbuf	sb = { 0 };

	http_error_response(&sb, status, 0);
	if (!sb.failed)
		(void)send(fd, sb.s, sb.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	strbuf_free(&sb);
}

/* Closes the connection and moves the record to the dead list: later
 * events of the same batch may still name it, so it is freed only by
 * scrape_flush(). */
static void
retire(struct scrape *sc, enum scrape_outcome outcome)
{
	struct scrape_server	*srv = sc->srv;

	if (sc->src.fd < 0)
		return;
	loop_del(&sc->src);
	close(sc->src.fd);
	sc->src.fd = -1;
	loop_timer_cancel(&sc->timer);
	strbuf_free(&sc->out);
	srv->outcomes[outcome]++;
	srv->active--;
	if (sc->prev != NULL)
		sc->prev->next = sc->next;
	else
		srv->live = sc->next;
	if (sc->next != NULL)
		sc->next->prev = sc->prev;
	sc->prev = NULL;
	sc->next = srv->dead;
	srv->dead = sc;
}

static void
drain(struct scrape *sc)
{
	char	buf[4096];
	ssize_t	n;

	for (;;) {
		n = recv(sc->src.fd, buf, sizeof(buf), 0);
		if (n > 0) {
			if ((sc->drained += (size_t)n) > SCRAPE_DRAIN_MAX)
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		break;		/* the peer closed, or an error */
	}
	retire(sc, sc->outcome);
}

static void
flush_out(struct scrape *sc)
{
	ssize_t	n;

	while (sc->off < sc->out.len) {
		n = send(sc->src.fd, sc->out.s + sc->off,
		    sc->out.len - sc->off, MSG_NOSIGNAL);
		if (n >= 0) {
			sc->off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			retire(sc, SCRAPE_ABORTED);
		return;
	}
	strbuf_free(&sc->out);
	/* the whole answer is out: the peer may close now */
	(void)shutdown(sc->src.fd, SHUT_WR);
	sc->state = ST_DRAIN;
	if (loop_mod(&sc->src, EPOLLIN) != 0) {
		retire(sc, sc->outcome);
		return;
	}
	drain(sc);
}

static void
respond(struct scrape *sc, int status)
{
	struct scrape_server	*srv = sc->srv;
	struct strbuf		 body = { 0 };
	int			 head_only = sc->req.head_only;

	if (status == HTTP_OK &&
	    (srv->render(&body, srv->arg) != 0 || body.failed))
		status = 500;
	if (status == HTTP_OK) {
		http_response_head(&sc->out, status, PROM_CONTENT_TYPE,
		    body.len);
		if (!head_only && body.len > 0)
			strbuf_append(&sc->out, body.s, body.len);
	} else
		http_error_response(&sc->out, status, head_only);
	strbuf_free(&body);
	if (sc->out.failed) {
		retire(sc, SCRAPE_ABORTED);
		return;
	}
	sc->outcome = status == HTTP_OK ? SCRAPE_OK : SCRAPE_REFUSED;
	sc->state = ST_WRITE;
	if (loop_mod(&sc->src, EPOLLOUT) != 0) {
		retire(sc, SCRAPE_ABORTED);
		return;
	}
	flush_out(sc);
}

static void
read_request(struct scrape *sc)
{
	char	buf[4096];
	size_t	room;
	ssize_t	n;
	int	r;

	for (;;) {
		/* never more than the head may hold: a flood stays in the
		 * kernel until the answer is out */
		room = http_room(&sc->req);
		n = recv(sc->src.fd, buf, room < sizeof(buf) ? room :
		    sizeof(buf), 0);
		if (n > 0) {
			r = http_feed(&sc->req, buf, (size_t)n, NULL);
			if (r != HTTP_NEED_MORE) {
				respond(sc, r);
				return;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		retire(sc, SCRAPE_ABORTED);	/* closed before its end */
		return;
	}
}

static void
scrape_event(struct evsrc *src, uint32_t events)
{
	struct scrape	*sc = (struct scrape *)src;

	(void)events;
	if (sc->src.fd < 0)
		return;		/* retired earlier in this batch */
	switch (sc->state) {
	case ST_READ:
		read_request(sc);
		break;
	case ST_WRITE:
		flush_out(sc);
		break;
	case ST_DRAIN:
		drain(sc);
		break;
	}
}

static void
scrape_timeout(struct timer *t)
{
	struct scrape	*sc = (struct scrape *)((char *)t -
			    offsetof(struct scrape, timer));

	switch (sc->state) {
	case ST_READ:
		send_once(sc->src.fd, 408);
		retire(sc, SCRAPE_TIMEOUT);
		break;
	case ST_WRITE:
		retire(sc, SCRAPE_TIMEOUT);
		break;
	case ST_DRAIN:
		retire(sc, sc->outcome);	/* answered: only lingering */
		break;
	}
}

void
scrape_serve(struct scrape_server *srv, int fd)
{
	struct scrape	*sc;
	int		 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_warn("metrics: fcntl");
		close(fd);
		srv->outcomes[SCRAPE_ABORTED]++;
		return;
	}
	if (srv->active >= srv->max) {
		send_once(fd, 503);
		close(fd);
		srv->outcomes[SCRAPE_BUSY]++;
		return;
	}
	if ((sc = calloc(1, sizeof(*sc))) == NULL) {
		log_warn("metrics: calloc");
		close(fd);
		srv->outcomes[SCRAPE_ABORTED]++;
		return;
	}
	sc->srv = srv;
	sc->src.fd = fd;
	sc->src.cb = scrape_event;
	sc->timer.cb = scrape_timeout;
	sc->state = ST_READ;
	http_request_init(&sc->req, srv->path);
	if (loop_add(&sc->src, EPOLLIN) != 0) {
		log_warn("metrics: epoll_ctl");
		close(fd);
		free(sc);
		srv->outcomes[SCRAPE_ABORTED]++;
		return;
	}
	sc->next = srv->live;
	if (srv->live != NULL)
		srv->live->prev = sc;
	srv->live = sc;
	srv->active++;
	loop_timer_arm(&sc->timer, srv->timeout_ms);
}

void
scrape_flush(struct scrape_server *srv)
{
	struct scrape	*sc;

	while ((sc = srv->dead) != NULL) {
		srv->dead = sc->next;
		free(sc);
	}
}

void
scrape_server_close(struct scrape_server *srv)
{
	while (srv->live != NULL)
		retire(srv->live, SCRAPE_ABORTED);
	scrape_flush(srv);
}
