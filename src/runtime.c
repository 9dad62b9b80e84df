/* runtime.c: the runtime record of each service, by name. The config
 * records stay as loaded; what changes while the master runs is here.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hash.h"
#include "runtime.h"
#include "scrape.h"

struct rt_entry {
	struct runtime	 rt;
	int		 configured;	/* in the running config */
};

static LIST_HEAD(, runtime) records = LIST_HEAD_INITIALIZER(records);
static struct hash by_name;	/* name -> the record of that name */
static void	(*free_fn)(struct runtime *);

void
runtime_on_free(void (*fn)(struct runtime *))
{
	free_fn = fn;
}

struct service *
config_service(const struct config *conf, const char *name)
{
	return conf ? hash_get(&conf->names, name, strlen(name)) : NULL;
}

static struct rt_entry *
entry_of(struct runtime *rt)
{
	return (struct rt_entry *)rt;
}

/* Takes rt out of the table (the last one out frees the index). */
static void
forget(struct runtime *rt)
{
	LIST_REMOVE(rt, entry);
	hash_del(&by_name, rt->name, strlen(rt->name));
	if (by_name.n == 0)
		hash_free(&by_name);
}

static struct runtime *
lookup(const char *name)
{
	return hash_get(&by_name, name, strlen(name));
}

struct runtime *
runtime_find(const char *name)
{
	struct runtime *rt = lookup(name);

	return rt && entry_of(rt)->configured ? rt : NULL;
}

struct runtime *
runtime_get(const char *name)
{
	return lookup(name);
}

struct runtime *
runtime_ref(struct runtime *rt)
{
	rt->refs++;
	return rt;
}

void
runtime_unref(struct runtime *rt)
{
	if (rt == NULL || --rt->refs > 0)
		return;
	forget(rt);
	scrape_server_close(&rt->scrape);
	if (free_fn)
		free_fn(rt);
	service_unref(rt->svc);
	free(rt->name);
	free(entry_of(rt));
}

static struct runtime *
runtime_new(struct service *svc)
{
	struct rt_entry *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->rt.name = strdup(svc->name)) == NULL ||
	    hash_add(&by_name, svc->name, strlen(svc->name), &e->rt) != 0) {
		free(e->rt.name);
		free(e);
		return NULL;
	}
	e->rt.svc = service_ref(svc);
	LIST_INSERT_HEAD(&records, &e->rt, entry);
	return &e->rt;
}

static void
entry_free(struct runtime *rt)
{
	forget(rt);
	service_unref(rt->svc);
	free(rt->name);
	free(entry_of(rt));
}

int
runtime_prepare(struct config *conf)
{
	struct runtime	*rt, **made;
	size_t		 i, nmade = 0;

	if ((made = calloc(conf->nservices + 1, sizeof(*made))) == NULL)
		return -1;
	for (i = 0; i < conf->nservices; i++) {
		if (lookup(conf->services[i]->name) != NULL)
			continue;
		if ((rt = runtime_new(conf->services[i])) == NULL) {
			while (nmade > 0)
				entry_free(made[--nmade]);
			free(made);
			return -1;
		}
		made[nmade++] = rt;
	}
	free(made);
	return 0;
}

void
runtime_abort(void)
{
	struct runtime *rt, *next;

	for (rt = LIST_FIRST(&records); rt; rt = next) {
		next = LIST_NEXT(rt, entry);
		if (!entry_of(rt)->configured && rt->refs == 0)
			entry_free(rt);
	}
}

void
runtime_commit(struct config *conf)
{
	struct runtime *rt, *next;

	/* the table's reference follows the configuration */
	LIST_FOREACH(rt, &records, entry)
		rt->refs++;
	for (rt = LIST_FIRST(&records); rt; rt = next) {
		struct service *svc = config_service(conf, rt->name);

		next = LIST_NEXT(rt, entry);
		if (svc != NULL && svc != rt->svc) {
			service_unref(rt->svc);
			rt->svc = service_ref(svc);
		}
		if (entry_of(rt)->configured)
			rt->refs--;
		entry_of(rt)->configured = svc != NULL;
		if (svc == NULL) {
			/* its scrapes go with it, not with its last child */
			scrape_server_close(&rt->scrape);
			runtime_unref(rt);
		}
	}
}

int
runtime_update(struct config *conf)
{
	if (runtime_prepare(conf) != 0)
		return -1;
	runtime_commit(conf);
	return 0;
}

void
runtime_foreach(void (*fn)(struct runtime *, void *), void *arg)
{
	struct runtime *rt, *next;

	for (rt = LIST_FIRST(&records); rt; rt = next) {
		next = LIST_NEXT(rt, entry);
		fn(rt, arg);
	}
}

void
runtime_clear(void)
{
	struct runtime *rt, *next;

	for (rt = LIST_FIRST(&records); rt; rt = next) {
		next = LIST_NEXT(rt, entry);
		if (entry_of(rt)->configured) {
			entry_of(rt)->configured = 0;
			runtime_unref(rt);
		}
	}
}
