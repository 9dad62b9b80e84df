/* listener.c: opening and closing listening sockets, and the accept path
 * from a readable listener to a running handler. */
#include "ac-config.h"

#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "config.h"
#include "fault.h"
#include "listener.h"
#include "log.h"
#include "notify.h"
#include "loop.h"
#include "policy.h"
#include "prefork.h"
#include "reaper.h"
#include "spawn.h"

#define ACCEPT_BATCH	16	/* per readable event: others get their turn */
#define PAUSE_MS	100	/* after EMFILE/ENFILE/ENOMEM */
#define POOL_STABLE_MS	1000	/* a pool handler living less crashed */
#define POOL_BACKOFF_MIN 100
#define POOL_BACKOFF_MAX 30000
#define WAIT_BURST	50	/* quick wait handlers in a row before a rest */
#define WAIT_PAUSE_MIN	1000
#define WAIT_PAUSE_MAX	60000

static struct listener	*listeners;
static unsigned		 nlisteners;
static unsigned		 nheld;		/* listeners held by a full service */

static void listener_readable(struct evsrc *, uint32_t);
static void park_forget(struct listener *);
static void pool_fill(struct listener *);
static void pool_retry(struct timer *);

unsigned
listener_count(void)
{
	return nlisteners;
}

static int
dgram(const struct service *svc)
{
	return svc->protocol == PROTO_UDP || svc->protocol == PROTO_UNIX_DGRAM;
}

/* True when something still serves the socket at the service's path. */
static int
unix_live(const struct service *svc)
{
	struct sockaddr_un	sun;
	int			fd, live;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", svc->sock_path);
	fd = socket(AF_UNIX, (dgram(svc) ? SOCK_DGRAM : SOCK_STREAM) |
	    SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	/* Only a refused connection means nobody is there: EAGAIN is a
	 * full backlog, EPROTOTYPE a live socket of the other type. */
	live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ||
	    (errno != ECONNREFUSED && errno != ENOENT);
	close(fd);
	return live;
}

/* A stale socket file of an earlier run is replaced; anything else that
 * sits on the path is left alone. */
static int
unix_prepare(const struct service *svc)
{
	struct stat st;

	if (lstat(svc->sock_path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	if (unix_live(svc)) {
		errno = EADDRINUSE;
		return -1;
	}
	return unlink(svc->sock_path);
}

/* Binds fd at the service's path with its owner and mode. Changing them
 * by path after bind would let whoever can write the directory swap in a
 * link, and root would change the owner and mode of its target. So the
 * socket is made in a directory of our own next to the path (bound
 * through /proc/self/fd, changed through that directory's fd), and only
 * then renamed into place. */
static int
unix_bind(int fd, const struct service *svc)
{
	struct sockaddr_un	 sun;
	char			 dir[sizeof(sun.sun_path) + 16], *slash;
	int			 dfd = -1, rc = -1, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (svc->sock_uid == (uid_t)-1 && svc->sock_gid == (gid_t)-1 &&
	    svc->sock_mode < 0) {
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
		    svc->sock_path);
		return bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	}
	snprintf(dir, sizeof(dir), "%s", svc->sock_path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".pinetd.XXXXXX");
	else
		snprintf(slash + 1, sizeof(dir) - (size_t)(slash + 1 - dir),
		    ".pinetd.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		goto out;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/proc/self/fd/%d/s",
	    dfd);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		goto out;
	if ((svc->sock_uid != (uid_t)-1 || svc->sock_gid != (gid_t)-1) &&
	    fchownat(dfd, "s", svc->sock_uid, svc->sock_gid,
	    AT_SYMLINK_NOFOLLOW) != 0)
		goto out_unlink;
	if (svc->sock_mode >= 0 &&
	    fchmodat(dfd, "s", (mode_t)svc->sock_mode, 0) != 0)
		goto out_unlink;
	if (renameat(dfd, "s", AT_FDCWD, svc->sock_path) != 0)
		goto out_unlink;
	rc = 0;
	goto out;
out_unlink:
	saved = errno;
	(void)unlinkat(dfd, "s", 0);
	errno = saved;
out:
	saved = errno;
	if (dfd >= 0)
		close(dfd);
	(void)rmdir(dir);
	errno = saved;
	return rc;
}

static int
listener_socket(const struct service *svc, const struct sockaddr_storage *ss)
{
	socklen_t	len = ss->ss_family == AF_INET ?
			    sizeof(struct sockaddr_in) :
			    ss->ss_family == AF_INET6 ?
			    sizeof(struct sockaddr_in6) :
			    sizeof(struct sockaddr_un);
	int		fd, on = 1, saved;
	int		type = dgram(svc) ? SOCK_DGRAM : SOCK_STREAM;

	if (ss->ss_family == AF_UNIX && unix_prepare(svc) != 0)
		return -1;
	fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if ((ss->ss_family != AF_UNIX && setsockopt(fd, SOL_SOCKET,
	    SO_REUSEADDR, &on, sizeof(on)) != 0) ||
	    (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) != 0))
		goto fail;
	if (ss->ss_family == AF_UNIX ? unix_bind(fd, svc) != 0 :
	    bind(fd, (const struct sockaddr *)ss, len) != 0)
		goto fail;
	if (type == SOCK_STREAM && listen(fd, svc->backlog) != 0)
		goto fail_unlink;
	/* pool handlers accept by themselves, blocking as programs expect */
	if (svc->mode == MODE_POOL && fcntl(fd, F_SETFL, 0) != 0)
		goto fail_unlink;
	return fd;
fail_unlink:
	saved = errno;
	if (ss->ss_family == AF_UNIX)
		(void)unlink(svc->sock_path);
	errno = saved;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static void
listener_free(struct listener *l)
{
	loop_timer_cancel(&l->resume);
	loop_timer_cancel(&l->pool_timer);
	park_forget(l);
	/* its wait or pool handlers run on; they no longer report here */
	reaper_forget_listener(l, l->svc->mode == MODE_POOL);
	if (l->ev.fd >= 0) {
		loop_del(&l->ev);
		close(l->ev.fd);
		if (l->addr.ss_family == AF_UNIX && !l->adopted)
			(void)unlink(l->svc->sock_path);
	}
	service_unref(l->svc);
	free(l);
}

int
listener_own_dgram(const struct sockaddr_storage *ss)
{
	const struct listener	*l;
	struct sockaddr_storage	 any;

	for (l = listeners; l; l = l->next) {
		if (!l->svc->builtin || !dgram(l->svc) ||
		    l->addr.ss_family != ss->ss_family)
			continue;
		if (addr_equal(&l->addr, ss))
			return 1;
		if (!l->wildcard)
			continue;
		/* a wildcard one answers from any local address: match
		 * its port, from anywhere */
		any = *ss;
		if (any.ss_family == AF_INET)
			((struct sockaddr_in *)&any)->sin_addr =
			    ((const struct sockaddr_in *)&l->addr)->sin_addr;
		else
			((struct sockaddr_in6 *)&any)->sin6_addr =
			    ((const struct sockaddr_in6 *)&l->addr)->sin6_addr;
		if (addr_equal(&l->addr, &any))
			return 1;
	}
	return 0;
}

/* A listener is polled unless paused (a timer runs) or held (its service
 * is full and queues: clients wait in the kernel's backlog). */
static void
listener_poll(struct listener *l)
{
	if (loop_mod(&l->ev, l->paused || l->held || l->waiting ? 0 :
	    EPOLLIN) != 0)
		log_warn("%s: epoll_ctl listener", l->svc->name);
}

static void
listener_resume(struct timer *t)
{
	struct listener *l = (struct listener *)((char *)t -
	    offsetof(struct listener, resume));

	l->paused = 0;
	listener_poll(l);
}

/* Stops polling l for a while: a level-triggered listener that cannot
 * accept would otherwise spin the master at 100% CPU. */
static void
listener_pause(struct listener *l, uint64_t ms)
{
	l->paused = 1;
	listener_poll(l);
	loop_timer_arm(&l->resume, ms);
}

void
listener_pause_service(struct service *svc, uint64_t ms)
{
	struct listener *l;

	for (l = listeners; l; l = l->next)
		if (l->svc == svc)
			listener_pause(l, ms);
}

static void
listener_hold(struct listener *l)
{
	if (l->held)
		return;
	l->held = 1;
	nheld++;
	listener_poll(l);
}

void
listener_slot_freed(void)
{
	struct listener *l;

	if (nheld == 0)
		return;
	for (l = listeners; l; l = l->next)
		if (l->held && l->svc->mode != MODE_POOL &&
		    !policy_full(l->svc)) {
			l->held = 0;
			nheld--;
			listener_poll(l);
		}
}

static struct listener *
listener_new(struct service *svc, const struct sockaddr_storage *ss, int fd)
{
	struct listener	*l;
	uint16_t	 port;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->ev.fd = fd;
	l->ev.cb = listener_readable;
	l->svc = service_ref(svc);
	l->addr = *ss;
	l->resume.cb = listener_resume;
	l->pool_timer.cb = pool_retry;
	addr_format((const struct sockaddr *)ss, l->localip,
	    sizeof(l->localip), &port);
	l->localport = port;
	l->wildcard = strcmp(l->localip, "0.0.0.0") == 0 ||
	    strcmp(l->localip, "::") == 0;
	return l;
}

/* Watches a new listener and links it in; a pool's handlers are started
 * on it (they accept: the master never polls that socket). On failure l
 * is freed. */
static int
listener_insert(struct listener *l)
{
	int pool = l->svc->mode == MODE_POOL;

	if (loop_add(&l->ev, pool ? 0 : EPOLLIN) != 0) {
		log_warn("%s: epoll_ctl", l->svc->name);
		listener_free(l);
		return -1;
	}
	if (pool) {
		l->held = 1;
		nheld++;
	}
	l->next = listeners;
	listeners = l;
	nlisteners++;
	if (pool)
		pool_fill(l);
	return 0;
}

static int
listener_open(struct service *svc, const struct sockaddr_storage *ss)
{
	struct listener	*l;
	char		 ip[ADDR_STRLEN];
	uint16_t	 port;
	int		 fd;

	addr_format((const struct sockaddr *)ss, ip, sizeof(ip), &port);
	if ((fd = listener_socket(svc, ss)) < 0) {
		/* the implicit "::" of a host without IPv6 is not an error */
		if (svc->addrs_default && ss->ss_family == AF_INET6 &&
		    errno == EAFNOSUPPORT) {
			log_warnx("%s: no IPv6 on this host; listening on "
			    "IPv4 only", svc->name);
			return 0;
		}
		log_warn("%s: cannot listen on %s port %u", svc->name, ip,
		    port);
		return -1;
	}
	if ((l = listener_new(svc, ss, fd)) == NULL) {
		close(fd);
		log_warn("%s: listener", svc->name);
		return -1;
	}
	if (listener_insert(l) != 0)
		return -1;
	log_debug("%s: listening on %s port %u", svc->name, ip, port);
	return 0;
}

/* Sockets passed by systemd, until adopted. */
static int	 *passed;
static char	**passed_names;
static int	  npassed;

/* Makes l out of a passed fd: its address is what the socket says. */
static int
listener_adopt(struct service *svc, int idx, int how)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct listener		*l;
	int			 fd = passed[idx], type;
	socklen_t		 tlen = sizeof(type);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 ||
	    type != (dgram(svc) ? SOCK_DGRAM : SOCK_STREAM)) {
		log_warnx("%s: passed fd %d is not a %s socket; not adopted",
		    svc->name, fd, dgram(svc) ? "datagram" : "stream");
		return -1;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fd, F_SETFL, svc->mode == MODE_POOL ? 0 : O_NONBLOCK) != 0 ||
	    (l = listener_new(svc, &ss, fd)) == NULL)
		return -1;
	passed[idx] = -1;	/* the listener owns it now, even on failure */
	l->adopted = how;
	if (listener_insert(l) != 0)
		return -1;
	log_info("%s: adopted passed socket %s (fd %d)", svc->name,
	    passed_names && passed_names[idx] ? passed_names[idx] : "unnamed",
	    fd);
	return 0;
}

/* A passed fd named after the service, else one bound to the address. */
static int
passed_find(const struct service *svc, const struct sockaddr_storage *ss)
{
	struct sockaddr_storage	got;
	socklen_t		len;
	int			i;

	for (i = 0; i < npassed; i++) {
		if (passed[i] < 0)
			continue;
		if (ss == NULL) {
			if (passed_names && passed_names[i] &&
			    strcmp(passed_names[i], svc->name) == 0)
				return i;
			continue;
		}
		len = sizeof(got);
		memset(&got, 0, sizeof(got));
		if (getsockname(passed[i], (struct sockaddr *)&got, &len) == 0 &&
		    addr_equal(&got, ss))
			return i;
	}
	return -1;
}

static int
service_open(struct service *svc)
{
	size_t	a;
	int	i, named = 0;

	/* sockets systemd named after the service replace its addresses */
	while ((i = passed_find(svc, NULL)) >= 0) {
		if (listener_adopt(svc, i, ADOPTED_BY_NAME) != 0)
			return -1;
		named++;
	}
	if (named)
		return 0;
	for (a = 0; a < svc->naddrs; a++) {
		if ((i = passed_find(svc, &svc->addrs[a])) >= 0) {
			if (listener_adopt(svc, i, ADOPTED_BY_ADDRESS) != 0)
				return -1;
		} else if (listener_open(svc, &svc->addrs[a]) != 0)
			return -1;
	}
	return 0;
}

static void
passed_release(void)
{
	int i;

	for (i = 0; i < npassed; i++) {
		if (passed[i] >= 0) {
			log_warnx("passed socket %s (fd %d) matches no service; "
			    "closing it", passed_names && passed_names[i] ?
			    passed_names[i] : "unnamed", passed[i]);
			close(passed[i]);
		}
		if (passed_names)
			free(passed_names[i]);
	}
	free(passed);
	free(passed_names);
	passed = NULL;
	passed_names = NULL;
	npassed = 0;
}

int
listener_open_all(struct config *conf)
{
	size_t	i;
	int	rc = 0;

	npassed = notify_listen_fds(&passed, &passed_names);
	for (i = 0; i < conf->nservices && rc == 0; i++)
		if (conf->services[i]->enabled &&
		    service_open(conf->services[i]) != 0)
			rc = -1;
	passed_release();
	if (rc != 0)
		listener_close_all();
	return rc;
}

void
listener_close_all(void)
{
	struct listener *l;

	while ((l = listeners) != NULL) {
		listeners = l->next;
		listener_free(l);
	}
	nlisteners = 0;
	nheld = 0;
}

/* True when a listener already carried over serves svc on ss. */
static int
carried_addr(const struct service *svc, const struct sockaddr_storage *ss)
{
	struct listener *l;

	for (l = listeners; l; l = l->next)
		if (l->svc == svc && addr_equal(&l->addr, ss))
			return 1;
	return 0;
}

static struct service *
find_service(struct config *conf, const char *name)
{
	size_t i;

	for (i = 0; conf && i < conf->nservices; i++)
		if (strcmp(conf->services[i]->name, name) == 0)
			return conf->services[i];
	return NULL;
}

/* Everything a listening socket was made from, and what its mode hangs
 * on it (a wait or pool handler holds the socket itself). */
static int
same_socket(const struct service *a, const struct service *b)
{
	return a->protocol == b->protocol && a->mode == b->mode &&
	    a->backlog == b->backlog && a->instances == b->instances &&
	    a->sock_uid == b->sock_uid && a->sock_gid == b->sock_gid &&
	    a->sock_mode == b->sock_mode;
}

static struct listener *
find_carried(struct service *svc, const struct sockaddr_storage *ss)
{
	struct listener *l;

	for (l = listeners; l; l = l->next)
		if (!l->keep && strcmp(l->svc->name, svc->name) == 0 &&
		    same_socket(l->svc, svc) && addr_equal(&l->addr, ss))
			return l;
	return NULL;
}

/* Carries l over to svc, the new record of its service. */
static void
listener_carry(struct listener *l, struct service *svc)
{
	l->keep = 1;
	service_unref(l->svc);
	l->svc = service_ref(svc);
	if (l->held && svc->mode != MODE_POOL) {	/* a new record: its own
							 * count of handlers */
		l->held = 0;
		nheld--;
		listener_poll(l);
	}
}

/* Closes every listener not carried over, before anything is opened:
 * an address may move from one service to another. */
static void
listener_sweep(void)
{
	struct listener **pp = &listeners, *l;

	while ((l = *pp) != NULL) {
		if (l->keep) {
			pp = &l->next;
			continue;
		}
		*pp = l->next;
		if (l->held)
			nheld--;
		nlisteners--;
		listener_free(l);
	}
}

int
listener_reload(struct config *old, struct config *new)
{
	struct listener	*l;
	struct service	*svc, *o;
	size_t		 i, a;
	int		 *carried;

	/* before anything changes: a failure keeps the running config */
	if (fault_hit("reload") ||
	    (carried = calloc(new->nservices + 1, sizeof(int))) == NULL)
		return -1;
	for (l = listeners; l; l = l->next)
		l->keep = 0;
	for (i = 0; i < new->nservices; i++) {
		svc = new->services[i];
		/* a socket systemd named after the service stays its own */
		for (l = listeners; svc->enabled && l; l = l->next)
			if (!l->keep && l->adopted == ADOPTED_BY_NAME &&
			    strcmp(l->svc->name, svc->name) == 0 &&
			    l->svc->protocol == svc->protocol) {
				listener_carry(l, svc);
				carried[i] = -1;
			}
		for (a = 0; svc->enabled && carried[i] >= 0 &&
		    a < svc->naddrs; a++)
			if ((l = find_carried(svc, &svc->addrs[a])) != NULL) {
				listener_carry(l, svc);
				carried[i]++;
			}
	}
	listener_sweep();
	for (i = 0; i < new->nservices; i++) {
		svc = new->services[i];
		o = find_service(old, svc->name);
		for (a = 0; svc->enabled && carried[i] >= 0 &&
		    a < svc->naddrs; a++)
			if (!carried_addr(svc, &svc->addrs[a]) &&
			    listener_open(svc, &svc->addrs[a]) != 0)
				log_warnx("reload: %s stays down on that "
				    "address", svc->name);
		if (o == NULL)
			log_info("reload: %s added", svc->name);
		else if (svc->enabled && o->enabled && (carried[i] < 0 ||
		    (size_t)carried[i] == svc->naddrs))
			log_info("reload: %s kept (listeners carried over)",
			    svc->name);
		else
			log_info("reload: %s changed", svc->name);
	}
	for (i = 0; old && i < old->nservices; i++)
		if (find_service(new, old->services[i]->name) == NULL)
			log_info("reload: %s removed", old->services[i]->name);
	free(carried);
	return 0;
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
		svc->stats.spawn_failed++;
		policy_release(svc, src);
		log_warn_rl(&rl, "%s: cannot start a handler for %s; not "
		    "accepting for %d ms", svc->name, peer, PAUSE_MS);
		/* out of processes or memory: back off, resume by itself */
		listener_pause(l, PAUSE_MS);
		return;
	}
	if ((c = child_new(pid, svc, CHILD_HANDLER)) == NULL) {
		/* an untracked handler would escape every limit: end it */
		log_warnx("%s: out of memory tracking pid %ld; killing it",
		    svc->name, (long)pid);
		(void)kill(-pid, SIGKILL);
		policy_release(svc, src);
		if (errfd >= 0)
			close(errfd);
		return;
	}
	child_begin(c, peer, src);
	if (err != 0) {
		c->failed = 1;
		svc->stats.exec_failed++;
		errno = err;
		log_warn_rl(&rl, "%s: %s %s for %s failed", svc->name,
		    spawn_stage_name(stage), svc->path, peer);
	} else
		log_info("%s: connection from %s, pid %ld (%u running)",
		    svc->name, peer, (long)pid, svc->running);
	if (errfd >= 0)
		child_watch_stderr(c, errfd);
}

static void
conn_builtin(struct service *svc, int fd, const char *peer,
    struct source *src)
{
	struct child	*c;
	int		 pid = builtin_stream(svc, fd);

	if (pid <= 0 || (c = child_new(pid, svc, CHILD_HANDLER)) == NULL) {
		policy_release(svc, src);
		if (pid < 0)
			log_warn("%s: cannot fork for %s", svc->name, peer);
		else
			log_info("%s: answered %s", svc->name, peer);
		return;
	}
	child_begin(c, peer, src);
	log_info("%s: connection from %s, pid %ld (%u running, builtin)",
	    svc->name, peer, (long)pid, svc->running);
}

/* Says why, if the service has a message, and closes: no fork spent. */
static void
conn_refuse(struct service *svc, int fd, const struct sockaddr *sa,
    int reason)
{
	static struct ratelimit	 rl[REFUSE_NREASONS];
	char			 ip[ADDR_STRLEN];
	uint16_t		 port = 0;

	svc->stats.refused[reason]++;
	if (svc->reject_msg)
		(void)send(fd, svc->reject_msg, svc->reject_len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
	if (addr_format(sa, ip, sizeof(ip), &port) < 0)
		strcpy(ip, "?");
	errno = 0;
	log_warn_rl(&rl[reason], "%s: refused %s port %u (%s)", svc->name,
	    ip, port, policy_reason(reason));
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
};

static struct parked	 parked[PARK_MAX];
static unsigned		 nparked;
static struct timer	 park_timer;

static void conn_dispatch(struct listener *, int, const struct sockaddr *,
    int);

static void
park_retry(struct timer *t)
{
	struct parked	 batch[PARK_MAX];
	unsigned	 i, n = nparked;

	(void)t;
	memcpy(batch, parked, n * sizeof(batch[0]));
	nparked = 0;
	reaper_run();
	for (i = 0; i < n; i++)
		conn_dispatch(batch[i].l, batch[i].fd,
		    (struct sockaddr *)&batch[i].ss, batch[i].tries + 1);
}

static int
conn_park(struct listener *l, int fd, const struct sockaddr *sa, int tries)
{
	struct parked *p;

	if (nparked == PARK_MAX)
		return -1;
	p = &parked[nparked++];
	p->l = l;
	p->fd = fd;
	p->tries = tries;
	memcpy(&p->ss, sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sa->sa_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_un));
	park_timer.cb = park_retry;
	if (!park_timer.armed)
		loop_timer_arm(&park_timer, PARK_MS);
	return 0;
}

/* A listener is going: the connections it kept are closed. */
static void
park_forget(struct listener *l)
{
	unsigned i = 0;

	while (i < nparked)
		if (parked[i].l == l) {
			close(parked[i].fd);
			parked[i] = parked[--nparked];
		} else
			i++;
}

static void
conn_dispatch(struct listener *l, int fd, const struct sockaddr *sa,
    int tries)
{
	struct service	*svc = l->svc;
	struct source	*src;
	char		 env[SPAWN_CONNENV], peer[ADDR_STRLEN + 8];
	size_t		 envlen;
	int		 reason;

	reason = policy_admit(svc, sa, &src);
	if (reason == REFUSE_PER_SOURCE || reason == REFUSE_INSTANCES ||
	    reason == REFUSE_GLOBAL) {
		/* Handlers that exited a moment ago count until reaped, and
		 * their clients may be back before the SIGCHLD is read. */
		reaper_run();
		reason = policy_admit(svc, sa, &src);
		if (reason >= 0 && tries < PARK_TRIES &&
		    conn_park(l, fd, sa, tries) == 0)
			return;
	}
	if (reason >= 0) {
		conn_refuse(svc, fd, sa, reason);
		return;
	}
	svc->stats.accepted++;
	envlen = spawn_conn_env(l, fd, sa, env, peer, sizeof(peer));
	if (svc->builtin) {
		conn_builtin(svc, fd, peer, src);
		close(fd);
		return;
	}
	if (prefork_handoff(svc, fd, env, envlen, peer, src) != 0) {
		spawn_set_env(svc, env, envlen);
		conn_spawn(l, fd, peer, src);
	}
	close(fd);	/* the handler has its own copy */
}

/* Runs a handler that gets the listening socket itself: mode wait (until
 * it exits, the master leaves the socket alone) and mode pool. Returns
 * the child, or NULL when none could be started. */
static struct child *
listener_handler(struct listener *l, const char *what)
{
	static struct ratelimit	 rl;
	struct service		*svc = l->svc;
	struct child		*c;
	char			 env[SPAWN_CONNENV];
	pid_t			 pid;
	int			 errfd, err = 0, stage = 0;

	spawn_set_env(svc, env, spawn_listener_env(l, env));
	pid = spawn_handler(svc, l->ev.fd, &errfd, &err, &stage);
	if (pid < 0 || (c = child_new(pid, svc, CHILD_HANDLER)) == NULL) {
		svc->stats.spawn_failed++;
		log_warn_rl(&rl, "%s: cannot start a %s handler", svc->name,
		    what);
		return NULL;
	}
	child_begin(c, what, NULL);
	c->listener = l;
	if (err != 0) {
		c->failed = 1;
		svc->stats.exec_failed++;
		errno = err;
		log_warn_rl(&rl, "%s: %s %s for the %s handler failed",
		    svc->name, spawn_stage_name(stage), svc->path, what);
	} else
		log_info("%s: %s handler pid %ld started", svc->name, what,
		    (long)pid);
	if (errfd >= 0)
		child_watch_stderr(c, errfd);
	return c;
}

static void
conn_wait(struct listener *l)
{
	struct child	*c;
	char		 junk[1];

	/* the handler reads it as programs do: blocking */
	(void)fcntl(l->ev.fd, F_SETFL, 0);
	c = listener_handler(l, "wait");
	if (c == NULL || c->failed) {
		/* a datagram nobody will read would wake us forever */
		if (dgram(l->svc))
			(void)recv(l->ev.fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (c == NULL) {
			(void)fcntl(l->ev.fd, F_SETFL, O_NONBLOCK);
			listener_pause(l, PAUSE_MS);
			return;
		}
	}
	l->waiting = 1;
	listener_poll(l);
}

static void
pool_fill(struct listener *l)
{
	while (l->pool_running < l->svc->instances) {
		if (listener_handler(l, "pool") == NULL) {
			loop_timer_arm(&l->pool_timer, PAUSE_MS);
			return;
		}
		l->pool_running++;
	}
}

static void
pool_retry(struct timer *t)
{
	pool_fill((struct listener *)((char *)t -
	    offsetof(struct listener, pool_timer)));
}

/* A wait handler that returns at once while its socket stays readable (it
 * read nothing, or failed to start) would be started again at once, for
 * ever: past WAIT_BURST quick runs in a row the listener rests, longer
 * each time, and logs it. A handler that lived a while resets this. */
static void
wait_throttle(struct listener *l, uint64_t ms)
{
	if (ms >= POOL_STABLE_MS) {
		l->quick_runs = 0;
		l->pool_backoff = 0;
		return;
	}
	if (++l->quick_runs < WAIT_BURST)
		return;
	l->quick_runs = 0;
	l->pool_backoff = l->pool_backoff ? l->pool_backoff * 2 :
	    WAIT_PAUSE_MIN;
	if (l->pool_backoff > WAIT_PAUSE_MAX)
		l->pool_backoff = WAIT_PAUSE_MAX;
	log_warnx("%s: %d wait handlers in a row returned within a second; "
	    "not watching the socket for %u ms", l->svc->name, WAIT_BURST,
	    l->pool_backoff);
	l->paused = 1;
	loop_timer_arm(&l->resume, l->pool_backoff);
}

void
listener_handler_done(struct listener *l, uint64_t ms)
{
	if (l->svc->mode == MODE_WAIT) {
		l->waiting = 0;
		(void)fcntl(l->ev.fd, F_SETFL, O_NONBLOCK);
		wait_throttle(l, ms);
		listener_poll(l);
		return;
	}
	l->pool_running--;
	if (ms >= POOL_STABLE_MS) {
		l->pool_backoff = 0;
		pool_fill(l);
		return;
	}
	/* exited at once: restart it later, later each time */
	l->pool_backoff = l->pool_backoff ? l->pool_backoff * 2 :
	    POOL_BACKOFF_MIN;
	if (l->pool_backoff > POOL_BACKOFF_MAX)
		l->pool_backoff = POOL_BACKOFF_MAX;
	log_warnx("%s: pool handler exited after %llu ms; crash-looping, "
	    "restarting in %u ms", l->svc->name, (unsigned long long)ms,
	    l->pool_backoff);
	loop_timer_arm(&l->pool_timer, l->pool_backoff);
}

static void
listener_readable(struct evsrc *src, uint32_t events)
{
	static struct ratelimit	 rl;
	struct listener		*l = (struct listener *)src;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 i, fd;

	(void)events;
	if (l->svc->builtin && dgram(l->svc)) {
		builtin_dgram(l);
		return;
	}
	if (l->svc->mode == MODE_WAIT) {
		conn_wait(l);
		return;
	}
	for (i = 0; i < ACCEPT_BATCH; i++) {
		if (l->svc->on_limit == ON_LIMIT_QUEUE && policy_full(l->svc)) {
			listener_hold(l);
			return;
		}
		len = sizeof(ss);
		fd = accept4(src->fd, (struct sockaddr *)&ss, &len,
		    SOCK_CLOEXEC);
		if (fd >= 0) {
			conn_dispatch(l, fd, (struct sockaddr *)&ss, 0);
			continue;
		}
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
