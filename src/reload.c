/* reload.c: SIGHUP and "pinetctl reload": a new struct config is loaded
 * beside the running one; if it has any error the running one stays, else
 * services are matched by name, listeners carried over, pools resized, and
 * running handlers finish under the service record they started with.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "listener.h"
#include "log.h"
#include "policy.h"
#include "prefork.h"
#include "proctitle.h"
#include "reload.h"
#include "runtime.h"

static struct config	**confp;
static const char	 *conf_path;
static const char	 *last = "none";
static struct reload_counts counts;

struct errbuf {
	char	*buf;
	size_t	 len, used;
};

void
reload_init(struct config **conf, const char *path)
{
	confp = conf;
	conf_path = path;
	counts.last_ok = time(NULL);	/* the start is the first load */
}

const struct reload_counts *
reload_counts(void)
{
	return &counts;
}

const char *
reload_last(void)
{
	return last;
}

static void
reload_error(const char *line, void *arg)
{
	struct errbuf	*e = arg;
	int		 n;

	log_warnx("reload: %s", line);
	if (e->used >= e->len)
		return;
	n = snprintf(e->buf + e->used, e->len - e->used, "%s\n", line);
	if (n > 0)
		e->used += (size_t)n < e->len - e->used ? (size_t)n :
		    e->len - e->used - 1;
}

int
reload_run(char *msg, size_t len)
{
	struct config	*old = *confp, *new;
	struct errbuf	 e = { msg, len, 0 };
	char		 line[PATH_MAX + 100];

	if (len)
		msg[0] = '\0';
	log_info("reloading %s", conf_path);
	if ((new = config_load(conf_path, reload_error, &e)) != NULL &&
	    new->nservices == 0 && !new->allow_empty) {
		/* an empty file (half-written, truncated) would stop all */
		snprintf(line, sizeof(line), "%s:1: no service defined; set "
		    "allow_empty = true to run with none", conf_path);
		reload_error(line, &e);
		config_free(new);
		new = NULL;
	}
	if (new == NULL) {
		log_warnx("reload failed: keeping the running configuration");
		last = "failed";
		counts.failures++;
		return -1;
	}
	/* Counters and counts belong to the service, not to one of its
	 * records: its runtime record goes on. */
	if (runtime_prepare(new) != 0 || listener_reload(old, new) != 0) {
		runtime_abort();
		log_warnx("reload failed: out of memory; keeping the running "
		    "configuration");
		snprintf(msg, len, "reload failed: out of memory\n");
		config_free(new);
		last = "failed";
		counts.failures++;
		return -1;
	}
	runtime_commit(new);
	prefork_stop();
	*confp = new;
	log_config_level(new->log_level);
	policy_init(new);
	if (prefork_start(new) != 0)
		log_warnx("reload: worker pools could not all be set up");
	config_free(old);
	proctitle_set("master [%zu services]", new->nservices);
	snprintf(msg, len, "reloaded: %zu services, %u listeners\n",
	    new->nservices, listener_count());
	log_info("reload done: %zu services, %u listeners", new->nservices,
	    listener_count());
	last = "ok";
	counts.reloads++;
	counts.last_ok = time(NULL);
	return 0;
}
