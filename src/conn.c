/* conn.c: a connection from accept to its end. The path, in order:
 * conn_readable accepts; behind a load balancer (proxy_protocol) the
 * connection first waits, without blocking the master, for its PROXY
 * header (pending_*), which names the client; conn_dispatch asks
 * policy.c to admit it (which counts it; refused for a limit, it is kept
 * and asked again a few times), then hands it to an idle worker, spawns
 * a handler, or has a builtin served in the master; the handler's exit,
 * or the builtin connection's end, comes back to conn_end, the one place
 * the counts are released. Datagram builtins and
 * mode wait are passed on.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "builtin.h"
#include "config.h"
#include "conn.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "policy.h"
#include "prefork.h"
#include "prom.h"
#include "proxy.h"
#include "reaper.h"
#include "runtime.h"
#include "scrape.h"
#include "spawn.h"
#include "supervise.h"

#define ACCEPT_BATCH	16	/* per readable event: others get their turn */
#define PAUSE_MS	100	/* after EMFILE/ENFILE/ENOMEM */
#define QUICK_FAIL_MS	1000	/* a handler failing sooner failed "at once" */
#define QUICK_FAILS	5	/* in a row: the service is looping */
#define LOOP_PAUSE_MIN	1000
#define LOOP_PAUSE_MAX	60000

/* What a connection that came through a load balancer carries to its
 * handler: the environment built from its PROXY header (the header's
 * buffer is gone by then) and the peer for the log. */
struct proxied {
	size_t	envlen;
	char	env[SPAWN_CONNENV];
	char	peer[CHILD_PEERLEN];
};

/* Whether a failure says the handler itself is broken. A client can make
 * a handler exit 1 (bad input), die of SIGPIPE (it left) or even crash,
 * and must not be able to pause the service for everybody; it cannot make
 * the setup or the exec fail, nor the statuses that mean "cannot run":
 * 111 and 100 (this daemon's and daemontools' temporary and permanent
 * failures), 126 and 127 (the shell could not run or find the program). */
static int
handler_broken(const struct child *c, int status)
{
	if (c->failed)
		return 1;
	if (!WIFEXITED(status))
		return 0;
	switch (WEXITSTATUS(status)) {
	case 100:
	case 111:
	case 126:
	case 127:
		return 1;
	default:
		return 0;
	}
}

/* A handler that keeps failing at once is looping: rather than a fork
 * storm, its listeners rest for a while, longer each time. */
static void
check_looping(struct child *c, int status, uint64_t ms)
{
	struct runtime *rt = c->rt;

	if (c->timed_out || (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	    ms >= QUICK_FAIL_MS) {
		rt->quick_fails = 0;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			rt->loop_backoff = 0;
		return;
	}
	if (!handler_broken(c, status))
		return;		/* neither counted nor a reset */
	if (++rt->quick_fails < QUICK_FAILS)
		return;
	rt->quick_fails = 0;
	rt->mc.crash_pauses++;
	backoff_next(&rt->loop_backoff, LOOP_PAUSE_MIN, LOOP_PAUSE_MAX);
	log_warnx("%s: looping: %d handlers in a row failed within a second; "
	    "not accepting for %u ms", rt->name, QUICK_FAILS,
	    rt->loop_backoff);
	listener_pause_service(rt, rt->loop_backoff);
}

/* A worker reports a failed setup or exec on its channel. */
static void
worker_report(struct child *c)
{
	struct spawn_report rep;

	if (c->chan < 0 || recv(c->chan, &rep, sizeof(rep), MSG_DONTWAIT) !=
	    (ssize_t)sizeof(rep))
		return;
	c->failed = 1;
	c->rt->stats.exec_failed++;
	errno = rep.err;
	log_warn("%s: %s %s for %s failed", c->svc->name,
	    spawn_stage_name(rep.stage), c->svc->path, c->peer);
}

static unsigned	npending;	/* PROXY headers being read */

/* Whether the listeners of rt's service wait: the service is full, or
 * it reads PROXY headers and as many as the bound are pending. */
static int
conn_full(const struct runtime *rt)
{
	return policy_full(rt) ||
	    (rt->svc->proxy && npending >= CONN_PROXY_PENDING_MAX);
}

/* Metrics: the outcome and run time of a connection's handler, and the
 * scrapes of a builtin metrics service, served in the master (scrape.c)
 * with what the module above renders. */
#define SCRAPE_TIMEOUT_MS	10000	/* without a timeout of its own */
#define SCRAPE_MAX		4	/* at once, without max_instances */

static int	(*scrape_render)(struct strbuf *, void *);
static void	*scrape_arg;

void
conn_set_render(int (*render)(struct strbuf *, void *), void *arg)
{
	scrape_render = render;
	scrape_arg = arg;
}

static void
count_exit(struct child *c, int status, uint64_t ms)
{
	struct metrics_counters	*m = &c->rt->mc;
	enum metrics_exit	 e;

	if (c->timed_out)
		e = METRICS_EXIT_TIMEOUT;
	else if (c->failed || (WIFEXITED(status) && WEXITSTATUS(status) != 0))
		e = METRICS_EXIT_FAILED;
	else if (WIFSIGNALED(status))
		e = METRICS_EXIT_SIGNALED;
	else
		e = METRICS_EXIT_OK;
	m->exits[e]++;
	prom_observe_ns(&m->duration, ms * 1000000);
}

static void
conn_scrape(struct listener *l, int fd)
{
	struct scrape_server	*srv = &l->rt->scrape;
	const struct service	*svc = l->svc;

	srv->path = "/metrics";
	srv->max = svc->max_instances ? (int)svc->max_instances : SCRAPE_MAX;
	srv->timeout_ms = svc->timeout ? (uint64_t)svc->timeout * 1000 :
	    SCRAPE_TIMEOUT_MS;
	srv->render = scrape_render;
	srv->arg = scrape_arg;
	scrape_serve(srv, fd);
}

/* The end of a connection's handler: the one place its counts go. */
static void
conn_end(struct child *c, int status, uint64_t ms)
{
	worker_report(c);
	policy_release(c->rt, c->owner);
	child_log_exit(c, status, ms);
	count_exit(c, status, ms);
	check_looping(c, status, ms);
	listener_release_held(conn_full);
}

/* Tracks the handler pid of an admitted connection; on failure the
 * connection ends here. */
static struct child *
conn_track(struct listener *l, pid_t pid, const char *peer,
    struct source *src)
{
	struct child *c;

	if ((c = child_new(pid, l->svc, l->rt, conn_end, src)) == NULL) {
		/* an untracked handler would escape every limit: end it */
		log_warnx("%s: out of memory tracking pid %ld; killing it",
		    l->svc->name, (long)pid);
		(void)kill(-pid, SIGKILL);
		policy_release(l->rt, src);
		return NULL;
	}
	c->group_ends = 1;
	child_begin(c, peer);
	return c;
}

/* Spawns a handler for fd right away: the path when no worker is idle. */
static void
conn_spawn(struct listener *l, int fd, const char *peer, struct source *src)
{
	struct service		*svc = l->svc;
	static struct ratelimit	 rl;
	struct child		*c;
	pid_t			 pid;
	int			 errfd, err = 0, stage = 0;

	pid = spawn_handler(svc, fd, &errfd, &err, &stage);
	if (pid < 0) {
		l->rt->stats.spawn_failed++;
		policy_release(l->rt, src);
		log_warn_rl(&rl, "%s: cannot start a handler for %s; not "
		    "accepting for %d ms", svc->name, peer, PAUSE_MS);
		/* out of processes or memory: back off, resume by itself */
		listener_pause(l, PAUSE_MS);
		return;
	}
	if ((c = conn_track(l, pid, peer, src)) == NULL) {
		if (errfd >= 0)
			close(errfd);
		return;
	}
	if (err != 0) {
		c->failed = 1;
		l->rt->stats.exec_failed++;
		errno = err;
		log_warn_rl(&rl, "%s: %s %s for %s failed", svc->name,
		    spawn_stage_name(stage), svc->path, peer);
	} else
		log_debug("%s: connection from %s, pid %ld (%u running)",
		    svc->name, peer, (long)pid, l->rt->running);
	if (errfd >= 0)
		child_watch_stderr(c, errfd);
}

/* Gives fd to an idle worker; 0 when one took it. */
static int
conn_handoff(struct listener *l, int fd, const char *env, size_t envlen,
    const char *peer, struct source *src)
{
	struct child *c;

	if ((c = prefork_handoff(l->rt, fd, env, envlen)) == NULL)
		return -1;
	c->exited = conn_end;
	c->owner = src;
	c->group_ends = 1;
	child_begin(c, peer);
	log_debug("%s: connection from %s, pid %ld (%u running, worker)",
	    l->svc->name, peer, (long)c->pid, l->rt->running);
	return 0;
}

/* A builtin is served in the master: its record has no pid, and its end
 * comes to conn_end as a handler's exit does. */
static void
conn_builtin(struct listener *l, int fd, const char *peer,
    struct source *src)
{
	static struct ratelimit	 rl;
	struct child		*c;

	if ((c = child_inplace(l->svc, l->rt, conn_end, src)) != NULL) {
		child_begin(c, peer);
		log_debug("%s: connection from %s (%u running, builtin)",
		    l->svc->name, peer, l->rt->running);
		if (builtin_stream(c, fd) == 0)
			return;
		c->failed = 1;		/* logged below, not as an exit */
		child_end(c, 0);
	} else {
		close(fd);
		policy_release(l->rt, src);
	}
	l->rt->stats.spawn_failed++;
	log_warn_rl(&rl, "%s: cannot serve %s", l->svc->name, peer);
}

/* "ip:port" of a TCP peer, or "unix" */
static void
peer_text(const struct sockaddr *sa, char *buf, size_t len)
{
	if (addr_format_peer(sa, buf, len) < 0)
		snprintf(buf, len, "unix");
}

/* Says why, if the service has a message, and closes: no fork spent. */
static void
conn_refuse(struct listener *l, int fd, const struct sockaddr *sa,
    int reason)
{
	static struct ratelimit	 rl[REFUSE_NREASONS];
	struct service		*svc = l->svc;
	char			 ip[ADDR_STRLEN], portstr[8];
	uint16_t		 port = 0;
	struct log_field	 f[] = { { "PINETD_SERVICE", svc->name },
				    { "REMOTE_ADDR", ip },
				    { "REMOTE_PORT", portstr } };

	l->rt->stats.refused[reason]++;
	if (svc->reject_msg)
		(void)send(fd, svc->reject_msg, svc->reject_len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
	if (addr_format(sa, ip, sizeof(ip), &port) < 0)
		strcpy(ip, "?");
	snprintf(portstr, sizeof(portstr), "%u", port);
	/* A refusal is the policy working, not a fault: notice, and few a
	 * second for each reason. */
	log_fields_rl(&rl[reason], LOG_LVL_NOTICE, f, 3,
	    "%s: refused %s port %u (%s)", svc->name, ip, port,
	    policy_reason(reason));
}

/* A connection refused only for a limit, kept a few milliseconds: a
 * handler that has closed its connection is still running until the
 * kernel has finished its exit, and its client may be back already. */
#define PARK_MAX	32
#define PARK_MS		5
#define PARK_TRIES	4

struct parked {
	struct listener		*l;
	int			 fd;
	int			 tries;
	struct sockaddr_storage	 ss;
	struct proxied		*px;	/* a copy, or NULL */
};

static struct parked	 parked[PARK_MAX];
static unsigned		 nparked;
static struct timer	 park_timer;

static void conn_dispatch(struct listener *, int, const struct sockaddr *,
    int, struct proxied *);

static void
park_retry(struct timer *t)
{
	struct parked	 batch[PARK_MAX];
	unsigned	 i, n = nparked;

	(void)t;
	memcpy(batch, parked, n * sizeof(batch[0]));
	nparked = 0;
	reaper_run();
	for (i = 0; i < n; i++) {
		conn_dispatch(batch[i].l, batch[i].fd,
		    (struct sockaddr *)&batch[i].ss, batch[i].tries + 1,
		    batch[i].px);
		free(batch[i].px);
	}
}

static int
conn_park(struct listener *l, int fd, const struct sockaddr *sa, int tries,
    const struct proxied *px)
{
	struct parked *p;

	if (nparked == PARK_MAX)
		return -1;
	p = &parked[nparked];
	p->px = NULL;
	if (px && (p->px = malloc(sizeof(*px))) == NULL)
		return -1;
	if (px)
		memcpy(p->px, px, sizeof(*px));
	nparked++;
	p->l = l;
	p->fd = fd;
	p->tries = tries;
	memcpy(&p->ss, sa, addr_len(sa));
	park_timer.cb = park_retry;
	if (!park_timer.armed)
		loop_timer_arm(&park_timer, PARK_MS);
	return 0;
}

static void pending_closing(struct listener *);

/* A listener is going: the connections it kept are closed, and its wait
 * or pool handlers are let go. */
static void
conn_closing(struct listener *l)
{
	unsigned i = 0;

	while (i < nparked)
		if (parked[i].l == l) {
			close(parked[i].fd);
			free(parked[i].px);
			parked[i] = parked[--nparked];
		} else
			i++;
	pending_closing(l);
	supervise_closing(l);
}

/* Admits the connection fd from sa (behind a load balancer: the client
 * its header named, with px what it carries) and hands it on. */
static void
conn_dispatch(struct listener *l, int fd, const struct sockaddr *sa,
    int tries, struct proxied *px)
{
	struct service		*svc = l->svc;
	struct spawn_local	 local = { l->addr.ss_family, l->localip,
				    l->localport, l->wildcard };
	struct source		*src;
	char			 envbuf[SPAWN_CONNENV];
	char			 peerbuf[ADDR_STRLEN + 8];
	const char		*env = envbuf, *peer = peerbuf;
	size_t			 envlen;
	int			 reason;

	reason = policy_admit(l->rt, sa, &src);
	if (reason == REFUSE_PER_SOURCE || reason == REFUSE_INSTANCES ||
	    reason == REFUSE_GLOBAL) {
		/* Handlers that exited a moment ago count until reaped, and
		 * their clients may be back before the SIGCHLD is read. */
		reaper_run();
		reason = policy_admit(l->rt, sa, &src);
		if (reason >= 0 && tries < PARK_TRIES &&
		    conn_park(l, fd, sa, tries, px) == 0)
			return;
	}
	if (reason >= 0) {
		conn_refuse(l, fd, sa, reason);
		return;
	}
	l->rt->stats.accepted++;
	if (svc->builtin == BUILTIN_METRICS) {
		policy_release(l->rt, src);	/* scrape.c bounds its own */
		conn_scrape(l, fd);
		return;
	}
	if (svc->builtin) {
		/* no process, so no environment: only the peer's name (a
		 * unix peer's is its credentials, which the environment has) */
		if (px)
			peer = px->peer;
		else if (l->addr.ss_family == AF_UNIX)
			(void)spawn_conn_env(svc, &local, fd, sa, envbuf,
			    peerbuf, sizeof(peerbuf));
		else
			peer_text(sa, peerbuf, sizeof(peerbuf));
		conn_builtin(l, fd, peer, src);		/* it owns fd now */
		return;
	}
	if (px) {
		env = px->env;
		envlen = px->envlen;
		peer = px->peer;
	} else
		envlen = spawn_conn_env(svc, &local, fd, sa, envbuf, peerbuf,
		    sizeof(peerbuf));
	if (conn_handoff(l, fd, env, envlen, peer, src) != 0) {
		spawn_set_env(svc, env, envlen);
		conn_spawn(l, fd, peer, src);
	}
	close(fd);	/* the handler has its own copy */
}

/* ---- the PROXY header ---- */

/* Connections whose PROXY header is being read, at most
 * CONN_PROXY_PENDING_MAX (a 1 KiB buffer each): at the bound the PROXY
 * listeners are held, and clients wait in the kernel's backlog. */
struct pending {
	struct evsrc		 ev;		/* first: the loop hands us this */
	struct listener		*l;
	struct sockaddr_storage	 ss;		/* the balancer */
	int			 versions;	/* PROXY_V1, PROXY_V2 */
	uint64_t		 deadline;
	struct proxy_buf	 buf;
	TAILQ_ENTRY(pending)	 entry;
};

static TAILQ_HEAD(, pending) pend_busy = TAILQ_HEAD_INITIALIZER(pend_busy);
static struct pending	 *pend_free[CONN_PROXY_PENDING_MAX];
static unsigned		  npend_free;
static struct timer	  pend_timer;

unsigned
conn_proxy_pending(void)
{
	return npending;
}

static void
pending_put(struct pending *p)
{
	TAILQ_REMOVE(&pend_busy, p, entry);
	npending--;
	pend_free[npend_free++] = p;
}

/* The header is read (r its length) or failed (r < 0): the connection
 * goes on as from the client it names, or is closed. */
static void
pending_done(struct pending *p, ssize_t r)
{
	static struct ratelimit	 rl;
	struct listener		*l = p->l;
	struct spawn_local	 local = { l->addr.ss_family, l->localip,
				    l->localport, l->wildcard };
	struct sockaddr_storage	 client;
	struct proxy_hdr	 h;
	struct proxied		 px;
	char			 real[ADDR_STRLEN + 8];
	size_t			 n;
	int			 fd = p->ev.fd, use;

	if (r > 0)
		r = proxy_parse(p->buf.data, p->buf.len, p->versions, &h);
	if (r < 0) {
		l->rt->stats.proxy_bad++;
		peer_text((struct sockaddr *)&p->ss, real, sizeof(real));
		errno = 0;
		log_warn_rl(&rl, "%s: PROXY header from %s: %s", l->svc->name,
		    real, proxy_strerror((int)r));
		close(fd);
		pending_put(p);
		listener_release_held(conn_full);
		return;
	}
	l->rt->stats.proxied++;
	use = proxy_use_header(&h);
	px.envlen = spawn_proxy_env(l->svc, &local, fd,
	    use ? (struct sockaddr *)&h.src : NULL,
	    use ? (struct sockaddr *)&h.dst : NULL,
	    (struct sockaddr *)&p->ss, px.env, px.peer, sizeof(px.peer));
	px.envlen += proxy_env(&h, px.env + px.envlen,
	    sizeof(px.env) - px.envlen);
	if (!use) {
		/* the real endpoints stand: say why */
		n = strlen(px.peer);
		snprintf(px.peer + n, sizeof(px.peer) - n, " (PROXY %s)",
		    proxy_kind(&h));
	}
	memcpy(&client, use ? &h.src : &p->ss, sizeof(client));
	pending_put(p);		/* the env is built: the buffer may go */
	conn_dispatch(l, fd, (struct sockaddr *)&client, 0, &px);
	listener_release_held(conn_full);
}

static void
pending_readable(struct evsrc *ev, uint32_t events)
{
	struct pending	*p = (struct pending *)ev;
	ssize_t		 r;

	(void)events;
	if ((r = proxy_read(p->ev.fd, &p->buf, p->versions)) == 0)
		return;	/* level-triggered: 0 only after EAGAIN */
	loop_del(&p->ev);
	pending_done(p, r);
}

/* Closes the connections whose header is late, and arms the timer for
 * the next deadline. */
static void
pending_expire(struct timer *t)
{
	static struct ratelimit	 rl;
	struct pending		*p, *next;
	uint64_t		 now = loop_now(), first = 0;
	char			 real[ADDR_STRLEN + 8];

	(void)t;
	for (p = TAILQ_FIRST(&pend_busy); p; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (p->deadline > now) {
			if (first == 0 || p->deadline < first)
				first = p->deadline;
			continue;
		}
		p->l->rt->stats.proxy_timeouts++;
		peer_text((struct sockaddr *)&p->ss, real, sizeof(real));
		errno = 0;
		log_warn_rl(&rl, "%s: PROXY header from %s: not complete "
		    "within %u s (%zu bytes); closing", p->l->svc->name, real,
		    p->l->svc->proxy_timeout, p->buf.len);
		loop_del(&p->ev);
		close(p->ev.fd);
		pending_put(p);
	}
	if (first)
		loop_timer_arm(&pend_timer, first - now);
	listener_release_held(conn_full);
}

/* A listener is going: the headers still read for it are not waited for. */
static void
pending_closing(struct listener *l)
{
	struct pending *p, *next;

	for (p = TAILQ_FIRST(&pend_busy); p; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (p->l != l)
			continue;
		loop_del(&p->ev);
		close(p->ev.fd);
		pending_put(p);
	}
}

/* Whether a balancer at sa may send the header: a unix socket trusts
 * whom its file mode lets in. */
static int
proxy_trusted(const struct service *svc, const struct sockaddr *sa)
{
	size_t i;

	if (sa->sa_family == AF_UNIX)
		return 1;
	for (i = 0; i < svc->nproxy_from; i++)
		if (cidr_match(&svc->proxy_from[i], sa))
			return 1;
	return 0;
}

/* A connection accepted on a PROXY port: nothing is read from an
 * untrusted source; the header is read at once (it usually comes with
 * the connection), else when the socket is readable. */
static void
pending_start(struct listener *l, int fd, const struct sockaddr *sa)
{
	static struct ratelimit	 rl;
	struct service		*svc = l->svc;
	struct pending		*p;
	char			 real[ADDR_STRLEN + 8];
	ssize_t			 r;

	if (!proxy_trusted(svc, sa)) {
		l->rt->stats.proxy_untrusted++;
		close(fd);
		peer_text(sa, real, sizeof(real));
		errno = 0;
		log_warn_rl(&rl, "%s: refused %s: not in proxy_from",
		    svc->name, real);
		return;
	}
	if (npend_free == 0) {
		if (npending >= CONN_PROXY_PENDING_MAX)
			goto full;
		if ((p = calloc(1, sizeof(*p))) == NULL)
			goto full;
	} else
		p = pend_free[--npend_free];
	p->ev.fd = fd;
	p->ev.cb = pending_readable;
	p->l = l;
	memcpy(&p->ss, sa, addr_len(sa));
	p->versions = svc->proxy;
	p->deadline = loop_now() + (uint64_t)svc->proxy_timeout * 1000;
	p->buf.len = 0;
	TAILQ_INSERT_TAIL(&pend_busy, p, entry);
	npending++;
	if ((r = proxy_read(fd, &p->buf, p->versions)) != 0) {
		pending_done(p, r);
		return;
	}
	if (loop_add(&p->ev, EPOLLIN) != 0) {
		log_warn_rl(&rl, "%s: epoll_ctl", svc->name);
		close(fd);
		pending_put(p);
		return;
	}
	pend_timer.cb = pending_expire;
	if (!pend_timer.armed || pend_timer.when > p->deadline)
		loop_timer_arm(&pend_timer, p->deadline - loop_now());
	return;
full:
	log_warn_rl(&rl, "%s: out of memory for a PROXY header", svc->name);
	close(fd);
}

static void
conn_readable(struct listener *l)
{
	static struct ratelimit	 rl;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 i, fd;

	if (l->svc->builtin && service_dgram(l->svc)) {
		builtin_dgram(l->svc, l->ev.fd, &l->rt->stats,
		    listener_own_dgram);
		return;
	}
	if (l->svc->mode == MODE_WAIT) {
		supervise_wait(l);
		return;
	}
	for (i = 0; i < ACCEPT_BATCH; i++) {
		if ((l->svc->on_limit == ON_LIMIT_QUEUE &&
		    policy_full(l->rt)) || (l->svc->proxy &&
		    npending >= CONN_PROXY_PENDING_MAX)) {
			listener_hold(l);
			return;
		}
		len = sizeof(ss);
		fd = accept4(l->ev.fd, (struct sockaddr *)&ss, &len,
		    SOCK_CLOEXEC);
		if (fd >= 0 && l->svc->proxy)
			pending_start(l, fd, (struct sockaddr *)&ss);
		else if (fd >= 0)
			conn_dispatch(l, fd, (struct sockaddr *)&ss, 0, NULL);
		if (fd >= 0)
			continue;
		switch (errno) {
		case EAGAIN:
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
			return;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			log_warn_rl(&rl, "%s: accept, pausing the listener "
			    "for %d ms", l->svc->name, PAUSE_MS);
			listener_pause(l, PAUSE_MS);
			return;
		default:
			log_warn_rl(&rl, "%s: accept", l->svc->name);
			return;
		}
	}
}

void
conn_init(void)
{
	static const struct listener_calls calls = {
		conn_readable, supervise_opened, conn_closing
	};

	listener_set_calls(&calls);
}
