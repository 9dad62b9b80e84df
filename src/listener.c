/* listener.c: listening sockets: opening them, adopting those systemd
 * passed, carrying them over a reload, polling and closing them.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fault.h"
#include "hash.h"
#include "listener.h"
#include "log.h"
#include "notify.h"
#include "loop.h"
#include "runtime.h"
#include "sockstat.h"

struct listenerlist	 listeners = LIST_HEAD_INITIALIZER(listeners);
static unsigned		 nlisteners;
static unsigned		 nheld;		/* listeners held by a full service */
static struct listener_calls calls;

/* The listeners of each service name, newest first as in listeners:
 * the first one here, the others through same_name. A reload and the
 * status of a service look at those of its name only. */
static struct hash	 by_name;

void
listener_set_calls(const struct listener_calls *c)
{
	calls = *c;
}

static struct listener *
named(const char *name)
{
	return hash_get(&by_name, name, strlen(name));
}

static int
named_add(struct listener *l)
{
	const char *name = l->svc->name;

	l->same_name = named(name);
	if (l->same_name != NULL)
		return hash_replace(&by_name, name, strlen(name), l);
	return hash_add(&by_name, name, strlen(name), l) == 0 ? 0 : -1;
}

static void
named_del(struct listener *l)
{
	const char	*name = l->svc->name;
	struct listener	*p = named(name);

	if (p != l) {
		while (p != NULL && p->same_name != l)
			p = p->same_name;
		if (p != NULL)
			p->same_name = l->same_name;
	} else if (l->same_name != NULL)
		hash_replace(&by_name, name, strlen(name), l->same_name);
	else {
		hash_del(&by_name, name, strlen(name));
		if (by_name.n == 0)
			hash_free(&by_name);	/* nothing left listening */
	}
	l->same_name = NULL;
}

static void
listener_readable(struct evsrc *src, uint32_t events)
{
	(void)events;
	calls.readable((struct listener *)src);
}

void
listener_release_held(int (*full)(const struct runtime *))
{
	struct listener *l;

	if (nheld == 0)
		return;
	LIST_FOREACH(l, &listeners, entry)
		if (l->held && l->svc->mode != MODE_POOL && !full(l->rt))
			listener_unhold(l);
}

/* The addresses svc really listens on, for status: the configured ones in
 * their order, then those of sockets passed by systemd (what the socket
 * is bound to, not what the config says). */
size_t
listener_addrs(const struct service *svc,
    void (*cb)(const struct sockaddr_storage *, void *), void *arg)
{
	struct listener	*l;
	size_t		 i, n = 0;

	for (i = 0; i < svc->naddrs; i++)
		for (l = named(svc->name); l; l = l->same_name)
			if (!l->adopted && addr_equal(&l->addr, &svc->addrs[i])) {
				cb(&l->addr, arg);
				n++;
				break;
			}
	for (l = named(svc->name); l; l = l->same_name)
		if (l->adopted) {
			cb(&l->addr, arg);
			n++;
		}
	return n;
}

unsigned
listener_count(void)
{
	return nlisteners;
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
	if (sockstat_unix_live(svc->sock_path,
	    service_dgram(svc) ? SOCK_DGRAM : SOCK_STREAM) != 0) {
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

/* A balancer speaks first: woken only once its PROXY header has come,
 * the master reads it at once, without a wait in the loop; a silent
 * connection is accepted a second later, and its proxy_timeout starts.
 * Off for every other service (a reload may turn PROXY off on a socket
 * it keeps), where the server may be the one to speak first. Best
 * effort: without it, the header is waited for. */
static void
defer_accept(int fd, const struct service *svc, int family)
{
	int secs = svc->proxy ? 1 : 0;

	if (family != AF_UNIX && !service_dgram(svc))
		(void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
		    sizeof(secs));
}

static int
listener_socket(const struct service *svc, const struct sockaddr_storage *ss)
{
	socklen_t	len = addr_len((const struct sockaddr *)ss);
	int		fd, on = 1, saved;
	int		type = service_dgram(svc) ? SOCK_DGRAM : SOCK_STREAM;

	if (ss->ss_family == AF_UNIX && unix_prepare(svc) != 0)
		return -1;
	fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if ((ss->ss_family != AF_UNIX && setsockopt(fd, SOL_SOCKET,
	    SO_REUSEADDR, &on, sizeof(on)) != 0) ||
	    (svc->bind_device && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE,
	    svc->bind_device, (socklen_t)strlen(svc->bind_device)) != 0) ||
	    (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) != 0))
		goto fail;
	if (ss->ss_family == AF_UNIX ? unix_bind(fd, svc) != 0 :
	    bind(fd, (const struct sockaddr *)ss, len) != 0)
		goto fail;
	if (type == SOCK_STREAM && listen(fd, svc->backlog) != 0)
		goto fail_unlink;
	defer_accept(fd, svc, ss->ss_family);
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
	calls.closing(l);
	if (l->ev.fd >= 0) {
		loop_del(&l->ev);
		close(l->ev.fd);
		if (l->addr.ss_family == AF_UNIX && !l->adopted)
			(void)unlink(l->svc->sock_path);
	}
	runtime_unref(l->rt);
	service_unref(l->svc);
	free(l);
}

int
listener_own_dgram(const struct sockaddr_storage *ss)
{
	const struct listener	*l;
	struct sockaddr_storage	 any;

	LIST_FOREACH(l, &listeners, entry) {
		if (!l->svc->builtin || !service_dgram(l->svc) ||
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

/* A listener is polled unless paused (a timer runs), held (its service
 * is full and queues: clients wait in the kernel's backlog) or lent. */
void
listener_poll(struct listener *l)
{
	if (loop_mod(&l->ev, l->paused || l->held || l->lent ? 0 :
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

void
listener_pause(struct listener *l, uint64_t ms)
{
	l->paused = 1;
	listener_poll(l);
	loop_timer_arm(&l->resume, ms);
}

void
listener_pause_service(struct runtime *rt, uint64_t ms)
{
	struct listener *l;

	for (l = named(rt->name); l; l = l->same_name)
		if (l->rt == rt)
			listener_pause(l, ms);
}

void
listener_hold(struct listener *l)
{
	if (l->held)
		return;
	l->held = 1;
	nheld++;
	listener_poll(l);
}

void
listener_unhold(struct listener *l)
{
	if (!l->held)
		return;
	l->held = 0;
	nheld--;
	listener_poll(l);
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
	l->rt = runtime_ref(runtime_get(svc->name));
	l->addr = *ss;
	l->resume.cb = listener_resume;
	addr_format((const struct sockaddr *)ss, l->localip,
	    sizeof(l->localip), &port);
	l->localport = port;
	l->wildcard = strcmp(l->localip, "0.0.0.0") == 0 ||
	    strcmp(l->localip, "::") == 0;
	return l;
}

/* Watches a new listener and links it in; a pool's socket is never
 * polled (its handlers accept). On failure l is freed. */
static int
listener_insert(struct listener *l)
{
	int pool = l->svc->mode == MODE_POOL;

	if (named_add(l) != 0) {
		log_warnx("%s: out of memory", l->svc->name);
		listener_free(l);
		return -1;
	}
	if (loop_add(&l->ev, pool ? 0 : EPOLLIN) != 0) {
		log_warn("%s: epoll_ctl", l->svc->name);
		named_del(l);
		listener_free(l);
		return -1;
	}
	if (pool) {
		l->held = 1;
		nheld++;
	}
	LIST_INSERT_HEAD(&listeners, l, entry);
	nlisteners++;
	calls.opened(l);
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
	    type != (service_dgram(svc) ? SOCK_DGRAM : SOCK_STREAM)) {
		log_warnx("%s: passed fd %d is not a %s socket; not adopted",
		    svc->name, fd, service_dgram(svc) ? "datagram" : "stream");
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

	while ((l = LIST_FIRST(&listeners)) != NULL) {
		LIST_REMOVE(l, entry);
		named_del(l);
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

	for (l = named(svc->name); l; l = l->same_name)
		if (l->svc == svc && addr_equal(&l->addr, ss))
			return 1;
	return 0;
}

/* Everything a listening socket was made from, and what its mode hangs
 * on it (a wait or pool handler holds the socket itself). */
static int
same_socket(const struct service *a, const struct service *b)
{
	return a->protocol == b->protocol && a->mode == b->mode &&
	    a->backlog == b->backlog && a->instances == b->instances &&
	    a->sock_uid == b->sock_uid && a->sock_gid == b->sock_gid &&
	    a->sock_mode == b->sock_mode &&
	    (a->bind_device == NULL) == (b->bind_device == NULL) &&
	    (a->bind_device == NULL ||
	    strcmp(a->bind_device, b->bind_device) == 0);
}

static struct listener *
find_carried(struct service *svc, const struct sockaddr_storage *ss)
{
	struct listener *l;

	for (l = named(svc->name); l; l = l->same_name)
		if (!l->keep && same_socket(l->svc, svc) &&
		    addr_equal(&l->addr, ss))
			return l;
	return NULL;
}

/* Carries l over to svc, the new record of its service. */
static void
listener_carry(struct listener *l, struct service *svc)
{
	l->keep = 1;
	if (l->svc->proxy != svc->proxy)
		defer_accept(l->ev.fd, svc, l->addr.ss_family);
	service_unref(l->svc);
	l->svc = service_ref(svc);
	/* the new record may allow more: the next accept decides again */
	if (svc->mode != MODE_POOL)
		listener_unhold(l);
}

/* Closes every listener not carried over, before anything is opened:
 * an address may move from one service to another. */
static void
listener_sweep(void)
{
	struct listener *l, *next;

	for (l = LIST_FIRST(&listeners); l; l = next) {
		next = LIST_NEXT(l, entry);
		if (l->keep)
			continue;
		LIST_REMOVE(l, entry);
		named_del(l);
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
	LIST_FOREACH(l, &listeners, entry)
		l->keep = 0;
	for (i = 0; i < new->nservices; i++) {
		svc = new->services[i];
		/* a socket systemd named after the service stays its own */
		for (l = named(svc->name); l; l = l->same_name)
			if (svc->enabled && !l->keep && l->adopted == ADOPTED_BY_NAME &&
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
		o = config_service(old, svc->name);
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
		if (config_service(new, old->services[i]->name) == NULL)
			log_info("reload: %s removed", old->services[i]->name);
	free(carried);
	return 0;
}

