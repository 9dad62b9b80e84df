/* confids.c: the users and groups a config names, each looked up once
 * per load (the passwd and group databases may be slow: NSS, LDAP).
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "confids.h"

static struct {
	struct conf_user *users;
	size_t		 nusers;
	struct group_id {
		char	*name;
		gid_t	 gid;
		int	 known;
	}		*groups;
	size_t		 ngroups;
} ids;

void
confids_free(void)
{
	size_t i;

	for (i = 0; i < ids.nusers; i++) {
		free(ids.users[i].name);
		free(ids.users[i].pw_name);
		free(ids.users[i].groups);
	}
	for (i = 0; i < ids.ngroups; i++)
		free(ids.groups[i].name);
	free(ids.users);
	free(ids.groups);
	memset(&ids, 0, sizeof(ids));
}

static int
parse_id(const char *s, unsigned long *id)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*id = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || *id >= (unsigned long)(uid_t)-1)
		return -1;
	return 0;
}

int
conf_group(const char *name, gid_t *gid)
{
	struct group_id	*g, *tmp;
	struct group	*gr;
	unsigned long	 id;
	size_t		 i;

	for (i = 0; i < ids.ngroups; i++)
		if (strcmp(ids.groups[i].name, name) == 0) {
			*gid = ids.groups[i].gid;
			return ids.groups[i].known ? 0 : -1;
		}
	if ((tmp = reallocarray(ids.groups, ids.ngroups + 1,
	    sizeof(*tmp))) == NULL)
		return -1;
	ids.groups = tmp;
	g = &tmp[ids.ngroups];
	memset(g, 0, sizeof(*g));
	if ((g->name = strdup(name)) == NULL)
		return -1;
	ids.ngroups++;
	if (parse_id(name, &id) == 0) {
		g->gid = (gid_t)id;
		g->known = 1;
	} else if ((gr = getgrnam(name)) != NULL) {
		g->gid = gr->gr_gid;
		g->known = 1;
	}
	*gid = g->gid;
	return g->known ? 0 : -1;
}

/* Fills u from the passwd entry of its name (or of the uid it is). */
static void
user_lookup(struct conf_user *u)
{
	struct passwd	*pw;
	unsigned long	 id;
	int		 numeric = parse_id(u->name, &id) == 0;

	pw = getpwnam(u->name);
	if (pw == NULL && numeric)
		pw = getpwuid((uid_t)id);
	if (pw != NULL) {
		if ((u->pw_name = strdup(pw->pw_name)) == NULL)
			return;
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		u->known = 1;
	} else if (numeric) {
		/* a bare number with no passwd entry: its own group */
		u->uid = (uid_t)id;
		u->gid = (gid_t)id;
		u->known = 1;
	}
}

const struct conf_user *
conf_user(const char *name)
{
	struct conf_user	*u, *tmp;
	size_t			 i;

	for (i = 0; i < ids.nusers; i++)
		if (strcmp(ids.users[i].name, name) == 0)
			return ids.users[i].known ? &ids.users[i] : NULL;
	if ((tmp = reallocarray(ids.users, ids.nusers + 1,
	    sizeof(*tmp))) == NULL)
		return NULL;
	ids.users = tmp;
	u = &tmp[ids.nusers];
	memset(u, 0, sizeof(*u));
	if ((u->name = strdup(name)) == NULL)
		return NULL;
	ids.nusers++;
	user_lookup(u);
	return u->known ? u : NULL;
}

/* getgrouplist into a fresh array. */
static int
grouplist(const char *user, gid_t gid, gid_t **out, int *nout)
{
	gid_t	*g = NULL;
	int	 n = 16, want;

	for (;;) {
		want = n;
		free(g);
		if ((g = calloc((size_t)n, sizeof(gid_t))) == NULL)
			return -1;
		if (getgrouplist(user, gid, g, &want) >= 0)
			break;
		if (want <= n) {
			free(g);
			return -1;
		}
		n = want;
	}
	*out = g;
	*nout = want;
	return 0;
}

int
conf_user_groups(const struct conf_user *cu, gid_t gid, gid_t **groups,
    int *ngroups)
{
	struct conf_user *u = (struct conf_user *)cu;	/* our own cache */

	if (u->groups == NULL || u->groups_gid != gid) {
		free(u->groups);
		u->groups = NULL;
		if (u->pw_name == NULL) {
			if ((u->groups = calloc(1, sizeof(gid_t))) == NULL)
				return -1;
			u->groups[0] = gid;
			u->ngroups = 1;
		} else if (grouplist(u->pw_name, gid, &u->groups,
		    &u->ngroups) != 0)
			return -1;
		u->groups_gid = gid;
	}
	if ((*groups = calloc((size_t)u->ngroups, sizeof(gid_t))) == NULL)
		return -1;
	memcpy(*groups, u->groups, (size_t)u->ngroups * sizeof(gid_t));
	*ngroups = u->ngroups;
	return 0;
}

