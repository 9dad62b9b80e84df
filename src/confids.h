/* confids.h: users and groups of the config, each looked up once.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_CONFIDS_H
#define PINETD_CONFIDS_H

#include <sys/types.h>

struct conf_user {
	char	*name;		/* as written */
	char	*pw_name;	/* NULL: a bare number with no passwd entry */
	uid_t	 uid;
	gid_t	 gid;
	gid_t	*groups;	/* supplementary groups for groups_gid */
	int	 ngroups;
	gid_t	 groups_gid;
	int	 known;
};
const struct conf_user *conf_user(const char *name);	/* NULL: unknown */
int		 conf_group(const char *name, gid_t *gid);
/* The supplementary groups of user with primary group gid (a copy). */
int		 conf_user_groups(const struct conf_user *u, gid_t gid,
		    gid_t **groups, int *ngroups);

/* Makes every later load look up in this process: for the fuzz target,
 * where a fork per input of a sanitized process costs 20 ms. */
void		 confids_in_process(void);

/* Forks the lookup process of a load. Called from the main thread (a
 * process forked from another thread would lose its parent with it). */
void		 confids_start(void);

/* Why the lookups of this load fail as a whole (the process that makes
 * them hung or died), or NULL: a name is then not unknown, only not
 * looked up. */
const char	*confids_error(void);
/* True the first time it is called after the lookups failed, in a load:
 * whoever reports the failure calls it, so that it is reported at least
 * once (a default user is written nowhere) and a service adds no second
 * line where its option's line has said it. */
int		 confids_error_unreported(void);

/* Forgets every lookup and ends the process that made them: the next
 * load sees the databases anew. */
void		 confids_free(void);

#endif
