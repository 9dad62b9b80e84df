/* status.c: the master's status report, as a table, as JSON and as a
 * one-line summary; built from the config and the counters it holds.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/un.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "conn.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "names.h"
#include "policy.h"
#include "prefork.h"
#include "reaper.h"
#include "reload.h"
#include "runtime.h"
#include "status.h"
#include "strbuf.h"

enum column {
	COL_NAME, COL_PROTO, COL_LISTEN, COL_MODE, COL_RUNNING, COL_POOL,
	COL_ACCEPTED, COL_REFUSED, COL_OK, COL_FAIL, COL_KILLED, COL_EXECFAIL,
	COL_LAST, NCOLS
};

static const char *col_names[NCOLS] = {
	"SERVICE", "PROTO", "LISTEN", "MODE", "RUNNING", "POOL", "ACCEPTED",
	"REFUSED", "OK", "FAIL", "KILLED", "EXECFAIL", "LAST"
};

/* Columns of counts are aligned to the right. */
static const int col_right[NCOLS] = { 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0 };

/* "[ip6]:port", or a unix socket's path */
#define ADDR_TEXT	(sizeof(((struct sockaddr_un *)0)->sun_path) + 1)

/* As in the configuration. */

static struct config	**conf;
static uint64_t		  started;

void
status_init(struct config **confp)
{
	conf = confp;
	started = loop_now();
}

static size_t
nservices(void)
{
	return conf && *conf ? (*conf)->nservices : 0;
}

static struct service *
service_at(size_t i)
{
	return (*conf)->services[i];
}

static unsigned
max_children(void)
{
	return conf && *conf ? (*conf)->max_children : 0;
}

/* The runtime record of a configured service (one always exists). */
static const struct runtime *
rt_of(const struct service *svc)
{
	static const struct runtime	 none;
	const struct runtime		*rt = runtime_find(svc->name);

	return rt ? rt : &none;
}

static unsigned long
refused(const struct service *svc)
{
	unsigned long	n = 0;
	int		r;

	for (r = 0; r < REFUSE_NREASONS; r++)
		n += rt_of(svc)->stats.refused[r];
	return n;
}

static unsigned long
uptime(void)
{
	return (unsigned long)((loop_now() - started) / 1000);
}

static const char *
proto_name(const struct service *svc)
{
	return names_get(names_protocol, svc->protocol);
}

static const char *
mode_name(const struct service *svc)
{
	return names_get(names_mode, svc->mode);
}

/* The limit shown after the running count: the copies a pool keeps, else
 * max_instances; 0 for none. */
static unsigned
running_max(const struct service *svc)
{
	return svc->mode == MODE_POOL ? svc->instances : svc->max_instances;
}

/* "ip:port", "[ip6]:port" or a unix socket's path */
static void
format_addr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_un	*sun = (const struct sockaddr_un *)ss;

	if (ss->ss_family == AF_UNIX)
		snprintf(buf, len, "%.*s", (int)sizeof(sun->sun_path),
		    sun->sun_path);
	else if (addr_format_peer((const struct sockaddr *)ss, buf, len) < 0)
		snprintf(buf, len, "?");
}

static int
service_exits(const struct service *svc)
{
	return rt_of(svc)->stats.exited_ok || rt_of(svc)->stats.exited_fail ||
	    rt_of(svc)->stats.killed;
}

static void
cell_last(struct strbuf *sb, const struct service *svc)
{
	int st = rt_of(svc)->stats.last_status;

	if (!service_exits(svc))
		strbuf_printf(sb, "-");
	else if (WIFSIGNALED(st))
		strbuf_printf(sb, "signal %d", WTERMSIG(st));
	else
		strbuf_printf(sb, "exit %d", WEXITSTATUS(st));
}

struct addrs_out {
	struct strbuf	*sb;
	int		 json;
	size_t		 n;
};

static void
addr_out(const struct sockaddr_storage *ss, void *arg)
{
	struct addrs_out	*o = arg;
	char			 a[ADDR_TEXT];

	format_addr(ss, a, sizeof(a));
	if (o->json) {
		strbuf_printf(o->sb, "%s\"", o->n ? "," : "");
		strbuf_json(o->sb, a);
		strbuf_printf(o->sb, "\"");
	} else
		strbuf_printf(o->sb, "%s%s", o->n ? "," : "", a);
	o->n++;
}

/* The addresses the service listens on, as bound (a socket passed by
 * systemd shows its own address); the configured ones while it has no
 * listener at all. */
static void
service_addrs(const struct service *svc, struct strbuf *sb, int json)
{
	struct addrs_out	o = { sb, json, 0 };
	size_t			i;

	if (listener_addrs(svc, addr_out, &o) > 0)
		return;
	for (i = 0; i < svc->naddrs; i++)
		addr_out(&svc->addrs[i], &o);
}

static void
row_fill(struct strbuf *cell, const struct service *svc)
{
	const struct service_stats	*st = &rt_of(svc)->stats;

	strbuf_printf(&cell[COL_NAME], "%s", svc->name);
	strbuf_printf(&cell[COL_PROTO], "%s", proto_name(svc));
	if (svc->enabled)
		service_addrs(svc, &cell[COL_LISTEN], 0);
	if (!svc->enabled)
		strbuf_printf(&cell[COL_LISTEN], "disabled");
	strbuf_printf(&cell[COL_MODE], "%s", mode_name(svc));
	if (running_max(svc))
		strbuf_printf(&cell[COL_RUNNING], "%u/%u", rt_of(svc)->running,
		    running_max(svc));
	else
		strbuf_printf(&cell[COL_RUNNING], "%u/-", rt_of(svc)->running);
	if (svc->enabled && svc->prefork > 0)
		strbuf_printf(&cell[COL_POOL], "%u/%d", prefork_idle(rt_of(svc)),
		    svc->prefork);
	else
		strbuf_printf(&cell[COL_POOL], "-");
	strbuf_printf(&cell[COL_ACCEPTED], "%lu", st->accepted);
	strbuf_printf(&cell[COL_REFUSED], "%lu", refused(svc));
	strbuf_printf(&cell[COL_OK], "%lu", st->exited_ok);
	strbuf_printf(&cell[COL_FAIL], "%lu", st->exited_fail);
	strbuf_printf(&cell[COL_KILLED], "%lu", st->killed);
	strbuf_printf(&cell[COL_EXECFAIL], "%lu", st->exec_failed);
	cell_last(&cell[COL_LAST], svc);
}

static void
uptime_text(struct strbuf *sb, unsigned long s)
{
	if (s >= 86400)
		strbuf_printf(sb, "%lud", s / 86400);
	if (s >= 3600)
		strbuf_printf(sb, "%luh", s / 3600 % 24);
	if (s >= 60)
		strbuf_printf(sb, "%lum", s / 60 % 60);
	strbuf_printf(sb, "%lus", s % 60);
}

/* Rows are built first, cell by cell, so that columns can be padded to
 * their widest cell. */
static void
table_print(struct strbuf *sb, struct strbuf (*rows)[NCOLS], size_t nrows)
{
	size_t	width[NCOLS] = { 0 }, r;
	int	c;

	for (r = 0; r < nrows; r++)
		for (c = 0; c < NCOLS; c++)
			if (rows[r][c].len > width[c])
				width[c] = rows[r][c].len;
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < NCOLS; c++) {
			const char *s = rows[r][c].s ? rows[r][c].s : "";

			if (c == NCOLS - 1)
				strbuf_printf(sb, "%s", s);
			else if (col_right[c])
				strbuf_printf(sb, "%*s  ", (int)width[c], s);
			else
				strbuf_printf(sb, "%-*s  ", (int)width[c], s);
		}
		strbuf_printf(sb, "\n");
	}
}

static void	proxy_text(struct strbuf *);

void
status_text(struct strbuf *sb)
{
	struct strbuf	(*rows)[NCOLS];
	size_t		 n = nservices(), r;
	int		 c;

	strbuf_printf(sb, "pinetd %s: pid %ld, up ", PACKAGE_VERSION,
	    (long)getpid());
	uptime_text(sb, uptime());
	strbuf_printf(sb, ", %zu services, %u handlers running", n,
	    policy_running());
	if (max_children())
		strbuf_printf(sb, " (max %u)", max_children());
	strbuf_printf(sb, ", %u children\n", reaper_count());
	if ((rows = calloc(n + 1, sizeof(*rows))) == NULL) {
		sb->failed = 1;
		return;
	}
	for (c = 0; c < NCOLS; c++)
		strbuf_printf(&rows[0][c], "%s", col_names[c]);
	for (r = 0; r < n; r++)
		row_fill(rows[r + 1], service_at(r));
	for (r = 0; r <= n; r++)
		for (c = 0; c < NCOLS; c++)
			if (rows[r][c].failed)
				sb->failed = 1;
	table_print(sb, rows, n + 1);
	proxy_text(sb);
	for (r = 0; r <= n; r++)
		for (c = 0; c < NCOLS; c++)
			strbuf_free(&rows[r][c]);
	free(rows);
}

static const char *
proxy_versions(const struct service *svc)
{
	return names_get(names_proxy, svc->proxy);
}

/* Services behind a load balancer: the bound of headers read at once,
 * then a row each with its timeout and counters. */
static void
proxy_text(struct strbuf *sb)
{
	const struct service_stats	*st;
	struct service			*svc;
	size_t				 n = nservices(), i, w = 7;
	int				 any = 0;

	for (i = 0; i < n; i++)
		if (service_at(i)->proxy) {
			any = 1;
			if (strlen(service_at(i)->name) > w)
				w = strlen(service_at(i)->name);
		}
	if (!any)
		return;
	strbuf_printf(sb, "PROXY headers: %u being read (max %u)\n",
	    conn_proxy_pending(), CONN_PROXY_PENDING_MAX);
	strbuf_printf(sb, "%-*s  %-7s  %7s  %7s  %7s  %8s  %9s\n", (int)w,
	    "SERVICE", "PROXY", "TIMEOUT", "PROXIED", "BAD", "TIMEDOUT",
	    "UNTRUSTED");
	for (i = 0; i < n; i++) {
		if (!(svc = service_at(i))->proxy)
			continue;
		st = &rt_of(svc)->stats;
		strbuf_printf(sb, "%-*s  %-7s  %6us  %7lu  %7lu  %8lu  %9lu\n",
		    (int)w, svc->name, proxy_versions(svc), svc->proxy_timeout,
		    st->proxied, st->proxy_bad, st->proxy_timeouts,
		    st->proxy_untrusted);
	}
}

static void
json_string(struct strbuf *sb, const char *key, const char *value)
{
	strbuf_printf(sb, "\"%s\":\"", key);
	strbuf_json(sb, value);
	strbuf_printf(sb, "\"");
}

static void
json_service(struct strbuf *sb, const struct service *svc)
{
	const struct service_stats	*st = &rt_of(svc)->stats;
	int				 r;

	strbuf_printf(sb, "{");
	json_string(sb, "name", svc->name);
	strbuf_printf(sb, ",\"enabled\":%s,\"protocol\":\"%s\",\"listen\":[",
	    svc->enabled ? "true" : "false", proto_name(svc));
	if (svc->enabled)
		service_addrs(svc, sb, 1);
	strbuf_printf(sb, "],\"mode\":\"%s\",\"running\":%u,\"max\":",
	    mode_name(svc), rt_of(svc)->running);
	if (running_max(svc))
		strbuf_printf(sb, "%u", running_max(svc));
	else
		strbuf_printf(sb, "null");
	strbuf_printf(sb, ",\"idle\":%u,\"prefork\":%d,\"accepted\":%lu,"
	    "\"refused\":{", prefork_idle(rt_of(svc)), svc->prefork, st->accepted);
	for (r = 0; r < REFUSE_NREASONS; r++)
		strbuf_printf(sb, "%s\"%s\":%lu", r ? "," : "",
		    policy_reason(r), st->refused[r]);
	strbuf_printf(sb, "},\"exited_ok\":%lu,\"exited_fail\":%lu,"
	    "\"killed\":%lu,\"timeouts\":%lu,\"exec_failed\":%lu,"
	    "\"spawn_failed\":%lu,\"dropped\":%lu,\"last_exit\":",
	    st->exited_ok, st->exited_fail, st->killed, st->timeouts,
	    st->exec_failed, st->spawn_failed, st->dropped);
	if (!service_exits(svc))
		strbuf_printf(sb, "null");
	else if (WIFSIGNALED(st->last_status))
		strbuf_printf(sb, "{\"signal\":%d}", WTERMSIG(st->last_status));
	else
		strbuf_printf(sb, "{\"status\":%d}",
		    WEXITSTATUS(st->last_status));
	strbuf_printf(sb, ",\"proxy\":");
	if (svc->proxy)
		strbuf_printf(sb, "{\"versions\":\"%s\",\"timeout\":%u,"
		    "\"proxied\":%lu,\"bad_headers\":%lu,"
		    "\"header_timeouts\":%lu,\"untrusted\":%lu}",
		    proxy_versions(svc), svc->proxy_timeout, st->proxied,
		    st->proxy_bad, st->proxy_timeouts, st->proxy_untrusted);
	else
		strbuf_printf(sb, "null");
	strbuf_printf(sb, "}");
}

void
status_json(struct strbuf *sb)
{
	size_t n = nservices(), i;

	strbuf_printf(sb, "{\"version\":\"%s\",\"pid\":%ld,\"uptime\":%lu,"
	    "\"handlers_running\":%u,\"max_children\":", PACKAGE_VERSION,
	    (long)getpid(), uptime(), policy_running());
	if (max_children())
		strbuf_printf(sb, "%u", max_children());
	else
		strbuf_printf(sb, "null");
	strbuf_printf(sb, ",\"children\":%u,\"proxy_pending\":%u,"
	    "\"proxy_pending_max\":%u,\"services\":[", reaper_count(),
	    conn_proxy_pending(), CONN_PROXY_PENDING_MAX);
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_printf(sb, ",");
		json_service(sb, service_at(i));
	}
	strbuf_printf(sb, "]}\n");
}

void
status_summary(char *buf, size_t len)
{
	unsigned long	accepted = 0;
	size_t		n = nservices(), i;

	for (i = 0; i < n; i++)
		accepted += rt_of(service_at(i))->stats.accepted;
	snprintf(buf, len, "%zu services, %u handlers running, %lu accepted, "
	    "last reload: %s", n, policy_running(), accepted, reload_last());
}

void
status_log(void)
{
	struct strbuf	 sb = { 0 };
	char		*line, *nl;

	status_text(&sb);
	if (sb.failed)
		log_warnx("status: out of memory");
	for (line = sb.s; line && *line; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		log_info("%s", line);
	}
	strbuf_free(&sb);
}
