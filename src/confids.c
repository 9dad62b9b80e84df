/* confids.c: the users and groups a config names, each looked up once
 * per load (the passwd and group databases may be slow: NSS, LDAP).
 *
 * The lookups run in a child forked at the start of the load
 * (confids_start) and ended with it (confids_free): the NSS modules they load (libnss_systemd brings
 * libcap and libm, about 0.6 MB) are never mapped into the master, a
 * module that misbehaves takes only the child down, and every load sees
 * the databases anew. The master asks one question at a time over a
 * socket and waits at most IDS_TIMEOUT_MS for each answer. Should the
 * child not start (no memory, no processes left), the master asks the
 * databases itself rather than fail the load.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confids.h"
#include "fault.h"
#include "log.h"

#define IDS_TIMEOUT_MS	10000	/* for one answer: a hung LDAP server */
#define IDS_NAME_MAX	4096	/* longer is no user or group name */
#define IDS_GROUPS_MAX	65536	/* NGROUPS_MAX on Linux */

enum { IDS_USER = 1, IDS_GROUP, IDS_GROUPLIST };

/* A question (kind, gid for IDS_GROUPLIST, the name in len bytes after
 * it) or an answer (status: 1 found, 0 not; uid and gid; len bytes of
 * the passwd entry's name, or of the group list, after it). */
struct ids_msg {
	uint32_t	kind;
	int32_t		status;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	len;
};

static struct {
	struct conf_user *users;
	size_t		 nusers;
	struct group_id {
		char	*name;
		gid_t	 gid;
		int	 known;
	}		*groups;
	size_t		 ngroups;
	pid_t		 pid;		/* the lookup child, or 0 */
	int		 fd;		/* its socket; -1 */
	int		 started;	/* tried this load */
	const char	*error;		/* why lookups fail this load */
	int		 reported;	/* error said at least once */
} ids = { .fd = -1 };

/* Ends the lookup child: it exits at end of file on its socket. */
static void
child_end(int sig)
{
	if (ids.fd >= 0)
		close(ids.fd);
	ids.fd = -1;
	if (ids.pid > 0) {
		if (sig)
			(void)kill(ids.pid, sig);
		while (waitpid(ids.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	ids.pid = 0;
}

void
confids_free(void)
{
	size_t i;

	child_end(0);
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
	ids.fd = -1;
}

const char *
confids_error(void)
{
	return ids.error;
}

int
confids_error_unreported(void)
{
	int first = ids.error != NULL && !ids.reported;

	if (ids.error != NULL)
		ids.reported = 1;
	return first;
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
		if (want <= n || want > IDS_GROUPS_MAX) {
			free(g);
			return -1;
		}
		n = want;
	}
	*out = g;
	*nout = want;
	return 0;
}

/* The answer to question q about name, from the databases: in the
 * child, or in the master when there is no child. *data is malloc'd. */
static void
answer(const struct ids_msg *q, const char *name, struct ids_msg *a,
    void **data)
{
	struct passwd	*pw;
	struct group	*gr;
	unsigned long	 id;
	gid_t		*g;
	int		 n;

	memset(a, 0, sizeof(*a));
	a->kind = q->kind;
	*data = NULL;
	switch (q->kind) {
	case IDS_USER:
		pw = getpwnam(name);
		if (pw == NULL && parse_id(name, &id) == 0)
			pw = getpwuid((uid_t)id);
		if (pw == NULL || (*data = strdup(pw->pw_name)) == NULL)
			return;
		a->uid = pw->pw_uid;
		a->gid = pw->pw_gid;
		a->len = (uint32_t)strlen(pw->pw_name);
		a->status = 1;
		break;
	case IDS_GROUP:
		if ((gr = getgrnam(name)) == NULL)
			return;
		a->gid = gr->gr_gid;
		a->status = 1;
		break;
	case IDS_GROUPLIST:
		if (grouplist(name, q->gid, &g, &n) != 0)
			return;
		*data = g;
		a->len = (uint32_t)((size_t)n * sizeof(gid_t));
		a->status = 1;
		break;
	}
}

/* Reads or writes all of len bytes; the master waits at most timeout_ms
 * (-1: forever, in the child). 0, or -1 at end of file, error or time. */
static int
xfer(int fd, void *buf, size_t len, int out, int timeout_ms)
{
	struct pollfd	 p = { .fd = fd, .events = out ? POLLOUT : POLLIN };
	char		*b = buf;
	ssize_t		 n;
	int		 r;

	while (len > 0) {
		if (timeout_ms >= 0) {
			while ((r = poll(&p, 1, timeout_ms)) < 0 &&
			    errno == EINTR)
				;
			if (r == 0)
				errno = ETIMEDOUT;
			if (r <= 0)
				return -1;
		}
		n = out ? send(fd, b, len, MSG_NOSIGNAL) : read(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			return -1;
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The child: answers questions until the master closes the socket. */
static void __attribute__((noreturn))
child_serve(int fd)
{
	struct ids_msg	 q, a;
	char		 name[IDS_NAME_MAX + 1];
	void		*data;
	sigset_t	 none;
	int		 sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)prctl(PR_SET_NAME, "pinetd-ids");
	if (getppid() == 1)	/* the master is gone already */
		_exit(0);
	/* None of the master's listeners or clients stays open here. */
	if (dup2(fd, 3) != 3)
		_exit(1);
	closefrom(4);
	fd = 3;
	while (xfer(fd, &q, sizeof(q), 0, -1) == 0) {
		if (q.len > IDS_NAME_MAX ||
		    xfer(fd, name, q.len, 0, -1) != 0)
			_exit(1);
		name[q.len] = '\0';
		if (fault_hit("ids_hang"))
			pause();
		if (fault_hit("ids_crash"))
			_exit(1);
		answer(&q, name, &a, &data);
		if (xfer(fd, &a, sizeof(a), 1, -1) != 0 ||
		    xfer(fd, data, a.len, 1, -1) != 0)
			_exit(1);
		free(data);
	}
	_exit(0);
}

static int	in_process;

void
confids_in_process(void)
{
	in_process = 1;
}

void
confids_start(void)
{
	int sv[2];

	if (ids.started || in_process)
		return;
	ids.started = 1;
	if (fault_hit("ids_fork") ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return;
	switch ((ids.pid = fork())) {
	case -1:
		ids.pid = 0;
		close(sv[0]);
		close(sv[1]);
		return;
	case 0:
		log_forked();
		close(sv[0]);
		child_serve(sv[1]);
	}
	close(sv[1]);
	ids.fd = sv[0];
}

/* Asks kind about name: 1 found, 0 not found, -1 when the child failed
 * (ids.error says how; every later question of this load fails too). */
static int
ask(uint32_t kind, const char *name, gid_t gid, struct ids_msg *a,
    void **data)
{
	struct ids_msg	q = { .kind = kind, .gid = gid };
	size_t		len = strlen(name);

	*data = NULL;
	if (ids.error)
		return -1;
	if (len > IDS_NAME_MAX)
		return 0;
	q.len = (uint32_t)len;
	if (ids.fd < 0) {
		answer(&q, name, a, data);
		return a->status;
	}
	if (xfer(ids.fd, &q, sizeof(q), 1, IDS_TIMEOUT_MS) != 0 ||
	    xfer(ids.fd, (void *)(uintptr_t)name, len, 1, IDS_TIMEOUT_MS) != 0 ||
	    xfer(ids.fd, a, sizeof(*a), 0, IDS_TIMEOUT_MS) != 0 ||
	    a->kind != kind || a->len > IDS_GROUPS_MAX * sizeof(gid_t) ||
	    (a->len > 0 && (*data = malloc(a->len + 1)) == NULL) ||
	    xfer(ids.fd, *data, a->len, 0, IDS_TIMEOUT_MS) != 0)
		goto fail;
	if (*data != NULL)	/* a name: a string */
		((char *)*data)[a->len] = '\0';
	return a->status;
fail:
	ids.error = errno == ETIMEDOUT ? "the user and group lookup process "
	    "did not answer within 10 s" : "the user and group lookup "
	    "process failed";
	free(*data);
	*data = NULL;
	child_end(SIGKILL);
	return -1;
}

int
conf_group(const char *name, gid_t *gid)
{
	struct group_id	*g, *tmp;
	struct ids_msg	 a;
	unsigned long	 id;
	void		*data;
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
	} else if (ask(IDS_GROUP, name, 0, &a, &data) == 1) {
		g->gid = a.gid;
		g->known = 1;
	}
	*gid = g->gid;
	return g->known ? 0 : -1;
}

/* Fills u from the passwd entry of its name (or of the uid it is). */
static void
user_lookup(struct conf_user *u)
{
	struct ids_msg	 a;
	unsigned long	 id;
	void		*data;

	switch (ask(IDS_USER, u->name, 0, &a, &data)) {
	case 1:
		u->pw_name = data;
		u->uid = a.uid;
		u->gid = a.gid;
		u->known = 1;
		break;
	case 0:
		if (parse_id(u->name, &id) == 0) {
			/* a bare number with no passwd entry: its own group */
			u->uid = (uid_t)id;
			u->gid = (gid_t)id;
			u->known = 1;
		}
		break;
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

int
conf_user_groups(const struct conf_user *cu, gid_t gid, gid_t **groups,
    int *ngroups)
{
	struct conf_user	*u = (struct conf_user *)cu;	/* our own cache */
	struct ids_msg		 a;
	void			*data;

	if (u->groups == NULL || u->groups_gid != gid) {
		free(u->groups);
		u->groups = NULL;
		if (u->pw_name == NULL) {
			if ((u->groups = calloc(1, sizeof(gid_t))) == NULL)
				return -1;
			u->groups[0] = gid;
			u->ngroups = 1;
		} else if (ask(IDS_GROUPLIST, u->pw_name, gid, &a,
		    &data) == 1 && a.len > 0) {
			u->groups = data;
			u->ngroups = (int)(a.len / sizeof(gid_t));
		} else {
			free(data);
			return -1;
		}
		u->groups_gid = gid;
	}
	if ((*groups = calloc((size_t)u->ngroups, sizeof(gid_t))) == NULL)
		return -1;
	memcpy(*groups, u->groups, (size_t)u->ngroups * sizeof(gid_t));
	*ngroups = u->ngroups;
	return 0;
}
