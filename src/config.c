/* config.c: builds and validates struct config from the parsed files
 * (confparse.c), and owns its lifetime.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <confuse.h>

#include "addr.h"
#include "config.h"
#include "confids.h"
#include "conflex.h"
#include "confparse.h"
#include "hash.h"
#include "inetd.h"
#include "log.h"
#include "names.h"
#include "strbuf.h"

/* libconfuse's cfg_getstr() and the like, through confparse_opt(). */
#define opt_size(sec, name)	cfg_opt_size(confparse_opt(sec, name))
#define opt_str(sec, name)	cfg_opt_getnstr(confparse_opt(sec, name), 0)
#define opt_nstr(sec, name, i)	cfg_opt_getnstr(confparse_opt(sec, name), i)
#define opt_int(sec, name)	cfg_opt_getnint(confparse_opt(sec, name), 0)
#define opt_bool(sec, name)	cfg_opt_getnbool(confparse_opt(sec, name), 0)

#define HANDLER_PATH	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int
check_executable(const char *path, const char **why)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		*why = strerror(errno);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return -1;
	}
	if ((st.st_mode & 0111) == 0 || access(path, X_OK) != 0) {
		*why = "not executable";
		return -1;
	}
	return 0;
}

/* The handler must be an executable file, inside chroot when set. */
static int
check_exec(cfg_t *sec, const char *file, int fallback)
{
	const char	*why, *exec = opt_str(sec, "exec");
	const char	*root = opt_str(sec, "chroot");
	char		 path[PATH_MAX];

	if (exec == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s%s", root ? root : "", exec);
	if (check_executable(path, &why) == 0)
		return 0;
	conf_error(file, conf_exec_line(sec, fallback), "exec: '%s': %s", path,
	    why);
	return -1;
}

/* ---- building struct service ---- */

/* The service's value of an option, else the defaults' one. */
static cfg_t *
pick(cfg_t *sec, cfg_t *defs, const char *name)
{
	if (opt_size(sec, name) > 0 || defs == NULL)
		return sec;
	return defs;
}

static char *
strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
build_argv(struct service *svc, cfg_t *sec)
{
	const char	*exec = opt_str(sec, "exec");
	const char	*argv0 = opt_str(sec, "argv0");
	size_t		 nargs = opt_size(sec, "args"), i, n = 0;

	if (svc->builtin) {	/* nothing to exec */
		svc->path = strdup(names_get(names_builtin, svc->builtin));
		svc->argv = calloc(1, sizeof(char *));
		return svc->path && svc->argv ? 0 : -1;
	}
	if ((svc->argv = calloc(nargs + 5, sizeof(char *))) == NULL)
		return -1;
	if (exec) {
		const char *base = strrchr(exec, '/');

		svc->path = strdup(exec);
		svc->argv[n++] = strdup(argv0 ? argv0 : base ? base + 1 : exec);
	} else {
		/* $0 is the service name, args become $1... */
		svc->path = strdup("/bin/sh");
		svc->argv[n++] = strdup(argv0 ? argv0 : "sh");
		svc->argv[n++] = strdup("-c");
		svc->argv[n++] = strdup(opt_str(sec, "shell"));
		svc->argv[n++] = strdup(svc->name);
	}
	for (i = 0; i < nargs; i++)
		svc->argv[n++] = strdup(opt_nstr(sec, "args", i));
	for (i = 0; i < n; i++)
		if (svc->argv[i] == NULL)
			return -1;
	return svc->path ? 0 : -1;
}

/* Sets NAME=value in env[0..n): a later entry replaces an earlier one of
 * the same name (a service's env overrides the defaults' and PATH).
 * Returns the new count. */
static size_t
env_set(char **env, size_t n, const char *entry)
{
	size_t i, len = strcspn(entry, "=") + 1;

	for (i = 0; i < n; i++)
		if (env[i] && strncmp(env[i], entry, len) == 0) {
			free(env[i]);
			env[i] = strdup(entry);
			return n;
		}
	env[n] = strdup(entry);
	return n + 1;
}

static int
build_env(struct service *svc, cfg_t *sec, cfg_t *defs)
{
	size_t nd = defs ? opt_size(defs, "env") : 0;
	size_t ns = opt_size(sec, "env"), i, n = 0;
	char **env;

	if ((svc->envp = calloc(CONN_ENV_SLOTS + nd + ns + 3,
	    sizeof(char *))) == NULL)
		return -1;
	env = svc->envp + CONN_ENV_SLOTS;
	env[n++] = strdup(HANDLER_PATH);
	if (asprintf(&env[n++], "SERVICE=%s", svc->name) < 0)
		return -1;
	for (i = 0; i < nd; i++)
		n = env_set(env, n, opt_nstr(defs, "env", i));
	for (i = 0; i < ns; i++)
		n = env_set(env, n, opt_nstr(sec, "env", i));
	svc->nenv = n;
	for (i = 0; i < n; i++)
		if (env[i] == NULL)
			return -1;
	return 0;
}

/* Protocol, dispatch mode, builtin, and a unix socket's path and owner.
 * Returns 1 for a bad value (reported by the parse callbacks). */
static int
build_kind(struct service *svc, cfg_t *sec)
{
	const char		*mode = opt_str(sec, "mode");
	const char		*owner = opt_str(sec, "socket_owner");
	const char		*group = opt_str(sec, "socket_group");
	const char		*smode = opt_str(sec, "socket_mode");
	const struct conf_user	*u;
	int			 bad = 0;

	svc->protocol = names_lookup(names_protocol,
	    opt_str(sec, "protocol"));
	svc->builtin = BUILTIN_NONE;
	if (opt_size(sec, "builtin") && (svc->builtin =
	    names_lookup(names_builtin, opt_str(sec, "builtin"))) <= 0)
		bad = 1;	/* "none" is not a builtin to choose */
	if (mode)
		svc->mode = names_lookup(names_mode, mode);
	else if (service_dgram(svc) && svc->builtin <= 0)
		svc->mode = MODE_WAIT;
	else
		svc->mode = MODE_NOWAIT;
	svc->instances = (unsigned)opt_int(sec, "instances");
	svc->sock_uid = (uid_t)-1;
	svc->sock_gid = (gid_t)-1;
	svc->sock_mode = smode ? (int)strtol(smode, NULL, 8) : -1;
	if (owner && (u = conf_user(owner)) != NULL)
		svc->sock_uid = u->uid;
	else if (owner)
		bad = 1;
	if (group && conf_group(group, &svc->sock_gid) != 0)
		bad = 1;
	if (opt_size(sec, "path") &&
	    (svc->sock_path = strdup(opt_str(sec, "path"))) == NULL)
		return -1;
	if (svc->protocol < 0 || svc->mode < 0)
		bad = 1;
	return bad;
}

static int
build_addrs(struct service *svc, cfg_t *sec)
{
	size_t n = opt_size(sec, "address"), i;
	socklen_t len;

	if (svc->sock_path) {
		struct sockaddr_un *sun;

		if ((svc->addrs = calloc(1, sizeof(*svc->addrs))) == NULL)
			return -1;
		sun = (struct sockaddr_un *)&svc->addrs[0];
		sun->sun_family = AF_UNIX;
		if (strlen(svc->sock_path) >= sizeof(sun->sun_path)) {
			conf_error(svc->file, svc->line, "service '%s': path "
			    "'%s' is too long for a unix socket", svc->name,
			    svc->sock_path);
			return 1;
		}
		strcpy(sun->sun_path, svc->sock_path);
		svc->naddrs = 1;
		return 0;
	}

	svc->addrs_default = (n == 0);
	if (n == 0) {
		if ((svc->addrs = calloc(2, sizeof(*svc->addrs))) == NULL)
			return -1;
		addr_parse("0.0.0.0", svc->port, &svc->addrs[0], &len);
		addr_parse("::", svc->port, &svc->addrs[1], &len);
		svc->naddrs = 2;
		return 0;
	}
	if ((svc->addrs = calloc(n, sizeof(*svc->addrs))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (addr_parse(opt_nstr(sec, "address", i), svc->port,
		    &svc->addrs[i], &len) != 0)
			return 1;	/* already reported by cb_address */
	svc->naddrs = n;
	return 0;
}

static int
build_cidrs(cfg_t *sec, const char *name, struct cidr **out, size_t *n)
{
	size_t i, cnt = opt_size(sec, name);

	*n = 0;
	if (cnt == 0)
		return 0;
	if ((*out = calloc(cnt, sizeof(**out))) == NULL)
		return -1;
	for (i = 0; i < cnt; i++)
		if (conf_parse_cidr(opt_nstr(sec, name, i), &(*out)[*n]) == 0)
			(*n)++;
	return 0;
}

#define PICKINT(name)	opt_int(pick(sec, defs, name), name)
#define PICKSTR(name)	opt_str(pick(sec, defs, name), name)

/* The PROXY protocol applies to stream services in mode nowait; set in
 * defaults { }, it is left off for the others (check_proxy refuses it
 * set in one of them). A unix socket trusts whom its file mode lets in. */
static int
build_proxy(struct service *svc, cfg_t *sec, cfg_t *defs)
{
	int v = names_lookup(names_proxy, PICKSTR("proxy_protocol"));

	if (v <= 0 || (svc->protocol != PROTO_TCP &&
	    svc->protocol != PROTO_UNIX) || svc->mode != MODE_NOWAIT)
		return 0;
	svc->proxy = v;		/* "v1" 1, "v2" 2, "any" 3: PROXY_V* */
	svc->proxy_timeout = (unsigned)PICKINT("proxy_timeout");
	return build_cidrs(pick(sec, defs, "proxy_from"), "proxy_from",
	    &svc->proxy_from, &svc->nproxy_from);
}

/* proxy_protocol: only where a stream is accepted in the master, and
 * never without the balancers it trusts. Returns the errors reported. */
static int
check_proxy(cfg_t *sec, cfg_t *defs, const char *name, const char *file,
    int line)
{
	const char	*mode = opt_str(sec, "mode");
	const char	*v = PICKSTR("proxy_protocol");
	int		 proto = names_lookup(names_protocol,
			    opt_str(sec, "protocol"));
	int		 own = opt_size(sec, "proxy_protocol") > 0;

	if (v == NULL || strcmp(v, "off") == 0)
		return 0;
	if (own && (proto == PROTO_UDP || proto == PROTO_UNIX_DGRAM ||
	    (mode && strcmp(mode, "nowait") != 0))) {
		conf_error(file, line, "service '%s': proxy_protocol is for "
		    "tcp and unix stream services in mode nowait", name);
		return 1;
	}
	if (proto == PROTO_TCP && (own || mode == NULL ||
	    strcmp(mode, "nowait") == 0) && opt_size(pick(sec, defs,
	    "proxy_from"), "proxy_from") == 0) {
		conf_error(file, line, "service '%s': proxy_protocol needs "
		    "proxy_from, the load balancers trusted to send it", name);
		return 1;
	}
	return 0;
}

static int
build_policy(struct service *svc, cfg_t *sec, cfg_t *defs)
{
	static const char *rl_names[RL_N] = { "rlimit_nofile", "rlimit_nproc",
	    "rlimit_as", "rlimit_cpu", "rlimit_core" };
	const char	*msg = PICKSTR("reject_message");
	const char	*um = PICKSTR("umask");
	int		 i;

	/* a unix client has no address: the lists of defaults are not
	 * for it (its own section may not have any) */
	if (svc->protocol != PROTO_UNIX && svc->protocol != PROTO_UNIX_DGRAM &&
	    (build_cidrs(pick(sec, defs, "allow"), "allow", &svc->allow,
	    &svc->nallow) != 0 || build_cidrs(pick(sec, defs, "deny"), "deny",
	    &svc->deny, &svc->ndeny) != 0))
		return -1;
	svc->max_instances = (unsigned)PICKINT("max_instances");
	svc->per_source = (unsigned)PICKINT("per_source");
	svc->prefix6 = (int)PICKINT("per_source_prefix6");
	svc->rate = (unsigned)PICKINT("rate");
	svc->rate_window = (unsigned)PICKINT("rate_window") * 1000;
	svc->service_rate = (unsigned)PICKINT("service_rate");
	svc->on_limit = names_lookup(names_on_limit, PICKSTR("on_limit"));
	if (msg && *msg) {
		if (asprintf(&svc->reject_msg, "%s\r\n", msg) < 0)
			return -1;
		svc->reject_len = strlen(svc->reject_msg);
	}
	svc->timeout = (unsigned)PICKINT("timeout");
	svc->kill_grace = (unsigned)PICKINT("kill_grace");
	for (i = 0; i < RL_N; i++)
		svc->rlim[i] = PICKINT(rl_names[i]);
	svc->nice = (int)PICKINT("nice");
	svc->umask = um ? (int)strtol(um, NULL, 8) : -1;
	if (PICKSTR("chdir") && (svc->chdir = strdup(PICKSTR("chdir"))) == NULL)
		return -1;
	if (PICKSTR("chroot") &&
	    (svc->chroot = strdup(PICKSTR("chroot"))) == NULL)
		return -1;
	if (opt_size(sec, "bind_device") && (svc->bind_device =
	    strdup(opt_str(sec, "bind_device"))) == NULL)
		return -1;
	return build_proxy(svc, sec, defs);
}

/* Checks what only a whole section can show; returns the errors found. */
static int
check_section(cfg_t *sec, const char *name, const char *file, int line)
{
	int		 handlers = (opt_size(sec, "exec") > 0) +
			    (opt_size(sec, "shell") > 0) +
			    (opt_size(sec, "builtin") > 0);
	int		 proto = names_lookup(names_protocol,
			    opt_str(sec, "protocol"));
	int		 unix_sock = proto == PROTO_UNIX ||
			    proto == PROTO_UNIX_DGRAM;
	int		 dgram = proto == PROTO_UDP ||
			    proto == PROTO_UNIX_DGRAM;
	const char	*mode = opt_str(sec, "mode");
	int		 errs = 0;

#define SECTION_ERROR(...) do {					\
	conf_error(file, line, __VA_ARGS__);				\
	errs++;								\
} while (0)
	if (handlers == 0)
		SECTION_ERROR("service '%s': no handler: set exec, shell or "
		    "builtin", name);
	else if (handlers > 1)
		SECTION_ERROR("service '%s': exec, shell and builtin exclude "
		    "each other; choose one", name);
	if (!unix_sock && opt_size(sec, "port") == 0)
		SECTION_ERROR("service '%s': no port", name);
	if (unix_sock && opt_size(sec, "path") == 0)
		SECTION_ERROR("service '%s': a unix socket needs a path", name);
	if (unix_sock && (opt_size(sec, "port") || opt_size(sec, "address")))
		SECTION_ERROR("service '%s': a unix socket has a path, not a "
		    "port or address", name);
	if (!unix_sock && opt_size(sec, "path"))
		SECTION_ERROR("service '%s': path is for unix sockets", name);
	if (unix_sock && opt_size(sec, "bind_device"))
		SECTION_ERROR("service '%s': bind_device is for tcp and udp "
		    "sockets", name);
	if (unix_sock && (opt_size(sec, "allow") || opt_size(sec, "deny")))
		SECTION_ERROR("service '%s': allow and deny are for IP "
		    "clients; the socket's owner, group and mode say who may "
		    "connect to a unix socket", name);
	if (mode && opt_size(sec, "builtin") && strcmp(mode, "nowait") != 0)
		SECTION_ERROR("service '%s': a builtin runs in mode nowait",
		    name);
	else if (mode && dgram && !opt_size(sec, "builtin") &&
	    strcmp(mode, "wait") != 0)
		SECTION_ERROR("service '%s': a datagram service runs in mode "
		    "wait", name);
	if (opt_size(sec, "builtin") && unix_sock)
		SECTION_ERROR("service '%s': builtins serve tcp and udp", name);
	if (opt_size(sec, "builtin") && strcmp(opt_str(sec, "builtin"),
	    "metrics") == 0 && (proto != PROTO_TCP ||
	    (opt_size(sec, "prefork") && opt_int(sec, "prefork") > 0)))
		SECTION_ERROR("service '%s': builtin metrics is served over "
		    "tcp, without prefork", name);
#undef SECTION_ERROR
	return errs;
}

/* The lookups failed as a whole: said once per load, here when no line
 * naming a user or group has said it (the default user is written
 * nowhere). 1, as for an unknown name. */
static int
creds_not_looked_up(const struct service *svc, const char *user)
{
	if (confids_error_unreported())
		conf_error(svc->file, svc->line, "service '%s': user '%s' not "
		    "looked up: %s", svc->name, user, confids_error());
	return 1;
}

/* uid, gid and supplementary groups; 1 when a name is unknown (the parse
 * callbacks have reported it where it is written). */
static int
build_creds(struct service *svc, cfg_t *sec, cfg_t *defs)
{
	const char		*user = PICKSTR("user");
	const char		*group = PICKSTR("group");
	const struct conf_user	*u;
	gid_t			 gid;

	if ((svc->user = strdup(user ? user : "")) == NULL)
		return -1;
	if (user == NULL)
		return 1;
	if ((u = conf_user(user)) == NULL)
		return creds_not_looked_up(svc, user);
	svc->uid = u->uid;
	gid = u->gid;
	if (group && conf_group(group, &gid) != 0)
		return 1;
	svc->gid = gid;
	if (conf_user_groups(u, gid, &svc->groups, &svc->ngroups) == 0)
		return 0;
	return confids_error() ? creds_not_looked_up(svc, user) : -1;
}

/* Builds service NAME of FILE:LINE from its section, reporting every
 * error of it; NULL when there was one. */
static struct service *
service_build(cfg_t *sec, const char *name, const char *file, int line,
    cfg_t *defs)
{
	struct service	*svc;
	int		 rc, bad = 0, before = conf_nerrors();

	bad |= check_section(sec, name, file, line) != 0;
	bad |= check_proxy(sec, defs, name, file, line) != 0;
	if ((svc = calloc(1, sizeof(*svc))) == NULL)
		goto oom;
	svc->refs = 1;
	svc->name = strdup(name);
	svc->file = strdup(file);
	svc->line = line;
	if (svc->name == NULL || svc->file == NULL)
		goto oom;
	svc->enabled = opt_bool(sec, "enabled");
	if ((rc = build_kind(svc, sec)) < 0)
		goto oom;
	bad |= rc;
	if (svc->sock_path == NULL && opt_size(sec, "port") &&
	    conf_resolve_port(opt_str(sec, "port"), &svc->port) != 0)
		bad = 1;	/* reported by cb_port */
	svc->backlog = (int)PICKINT("backlog");
	svc->prefork = (int)PICKINT("prefork");
	svc->stderr_mode = names_lookup(names_stderr, PICKSTR("stderr"));
	if ((rc = build_creds(svc, sec, defs)) < 0)
		goto oom;
	bad |= rc;
	bad |= check_exec(sec, file, line) != 0;
	if (build_policy(svc, sec, defs) != 0)
		goto oom;
	if (bad || conf_nerrors() != before)
		goto bad;	/* what follows needs good values */
	if ((rc = build_addrs(svc, sec)) > 0)
		goto bad;
	if (rc < 0 || build_argv(svc, sec) != 0 ||
	    build_env(svc, sec, defs) != 0)
		goto oom;
	return svc;
oom:
	conf_error(file, line, "out of memory");
bad:
	if (conf_nerrors() == 0)	/* never load without it silently */
		conf_error(file, line, "service '%s': not built", name);
	if (svc) {
		svc->refs = 1;
		service_unref(svc);
	}
	return NULL;
}

/* A relative include_dir is taken from the main file's directory. */
static char *
resolve_dir(const char *file, const char *dir)
{
	const char	*slash;
	char		*out;

	if (dir == NULL || dir[0] == '/' || (slash = strrchr(file, '/')) == NULL)
		return strdup_or_null(dir);
	if (asprintf(&out, "%.*s/%s", (int)(slash - file), file, dir) < 0)
		return NULL;
	return out;
}

static int
config_add(struct config *conf, struct service *svc)
{
	struct service	**tmp;
	size_t		  cap;

	if (conf->nservices == conf->cap) {
		cap = conf->cap ? conf->cap * 2 : 16;
		if ((tmp = reallocarray(conf->services, cap,
		    sizeof(*tmp))) == NULL)
			return -1;
		conf->services = tmp;
		conf->cap = cap;
	}
	svc->index = conf->nservices;
	conf->services[conf->nservices++] = svc;
	return 0;
}

/* The longest key of conf->binds: a kind byte and a unix socket path. */
#define BINDKEY_MAX	(1 + sizeof(((struct sockaddr_un *)0)->sun_path))

/* A key of conf->binds: 'U' and a unix socket's path (unix and
 * unix-dgram share the name space); for an IP address, the service's
 * protocol (tcp and udp may share a port), the family and the port,
 * after 'P' (any address on that port), 'W' (a wildcard address on it)
 * or 'E' (then the address itself, as addr_equal compares it). */
static size_t
bind_key(unsigned char *k, int kind, const struct service *svc,
    const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	size_t				 n = 0;

	k[n++] = (unsigned char)kind;
	if (ss->ss_family == AF_UNIX) {
		/* sun_path is NUL-terminated: build_addrs checks its length */
		n += strlcpy((char *)k + n, svc->sock_path, BINDKEY_MAX - n);
		return n < BINDKEY_MAX ? n : BINDKEY_MAX - 1;
	}
	sin = (const struct sockaddr_in *)ss;
	k[n++] = (unsigned char)svc->protocol;
	k[n++] = (unsigned char)ss->ss_family;
	/* sin_port and sin6_port sit at the same offset */
	memcpy(k + n, &sin->sin_port, sizeof(sin->sin_port));
	n += sizeof(sin->sin_port);
	if (kind != 'E')
		return n;
	if (ss->ss_family == AF_INET) {
		memcpy(k + n, &sin->sin_addr, sizeof(sin->sin_addr));
		return n + sizeof(sin->sin_addr);
	}
	sin6 = (const struct sockaddr_in6 *)ss;
	memcpy(k + n, &sin6->sin6_addr, sizeof(sin6->sin6_addr));
	n += sizeof(sin6->sin6_addr);
	memcpy(k + n, &sin6->sin6_scope_id, sizeof(sin6->sin6_scope_id));
	return n + sizeof(sin6->sin6_scope_id);
}

/* Of two services (either may be NULL), the one loaded first. */
static struct service *
earlier(struct service *a, struct service *b)
{
	if (a == NULL || (b != NULL && b->index < a->index))
		return b;
	return a;
}

/* The first service loaded whose addresses conflict with address a of
 * svc (as addr_conflict has it), or NULL. */
static struct service *
bind_user(const struct config *conf, const struct service *svc,
    const struct sockaddr_storage *a)
{
	unsigned char k[BINDKEY_MAX];

	if (a->ss_family == AF_UNIX)
		return hash_get(&conf->binds, k, bind_key(k, 'U', svc, a));
	if (addr_is_any(a))
		return hash_get(&conf->binds, k, bind_key(k, 'P', svc, a));
	return earlier(hash_get(&conf->binds, k, bind_key(k, 'E', svc, a)),
	    hash_get(&conf->binds, k, bind_key(k, 'W', svc, a)));
}

/* Indexes a service added to conf by name and by address; a disabled
 * one binds nothing. Each key keeps the first service that has it. */
static int
config_index(struct config *conf, struct service *svc)
{
	unsigned char	k[BINDKEY_MAX];
	size_t		i;
	int		rc;

	rc = hash_add(&conf->names, svc->name, strlen(svc->name), svc);
	for (i = 0; svc->enabled && i < svc->naddrs && rc >= 0; i++) {
		if (svc->addrs[i].ss_family == AF_UNIX) {
			rc = hash_add(&conf->binds, k, bind_key(k, 'U', svc,
			    &svc->addrs[i]), svc);
			continue;
		}
		if (hash_add(&conf->binds, k, bind_key(k, 'P', svc,
		    &svc->addrs[i]), svc) < 0 ||
		    hash_add(&conf->binds, k, bind_key(k, 'E', svc,
		    &svc->addrs[i]), svc) < 0)
			rc = -1;
		else if (addr_is_any(&svc->addrs[i]))
			rc = hash_add(&conf->binds, k, bind_key(k, 'W', svc,
			    &svc->addrs[i]), svc);
	}
	return rc < 0 ? -1 : 0;
}

/* Duplicate names across files, and two services on one address:port:
 * the first service loaded that collides with svc is reported, found
 * through the indexes of config_index rather than by comparing svc with
 * every service before it. */
static void
check_collisions(struct config *conf, struct service *svc)
{
	struct service	*o;
	size_t		 a, b;
	char		 ip[ADDR_STRLEN];
	uint16_t	 port;

	o = hash_get(&conf->names, svc->name, strlen(svc->name));
	for (a = 0; svc->enabled && a < svc->naddrs; a++)
		o = earlier(o, bind_user(conf, svc, &svc->addrs[a]));
	if (o == NULL)
		return;
	if (strcmp(o->name, svc->name) == 0) {
		conf_error(svc->file, svc->line, "duplicate service '%s' (first "
		    "defined at %s:%d)", svc->name, o->file, o->line);
		return;
	}
	for (a = 0; a < svc->naddrs; a++)
		for (b = 0; b < o->naddrs; b++) {
			if (!addr_conflict(&svc->addrs[a], &o->addrs[b]))
				continue;
			addr_format((struct sockaddr *)&svc->addrs[a], ip,
			    sizeof(ip), &port);
			conf_error(svc->file, svc->line, "service '%s': address "
			    "%s port %u is already used by service '%s' "
			    "(%s:%d)", svc->name, ip, port, o->name, o->file,
			    o->line);
			return;
		}
}

static void
add_services(struct config *conf, struct conffile *f, cfg_t *defs)
{
	struct service	*svc;
	cfg_t		*sec;
	const char	*name;
	unsigned	 i, n = conffile_nservices(f);
	int		 before, line;

	for (i = 0; i < n; i++) {
		name = conffile_service(f, i, &sec, &line);
		svc = service_build(sec, name, f->name, line, defs);
		if (svc == NULL)
			continue;
		before = conf_nerrors();
		check_collisions(conf, svc);
		if (conf_nerrors() != before || config_add(conf, svc) != 0) {
			if (conf_nerrors() == before)
				conf_error(f->name, svc->line, "out of memory");
			service_unref(svc);
		} else if (config_index(conf, svc) != 0)
			conf_error(f->name, svc->line, "out of memory");
	}
}

static void
load_dropins(struct config *conf, cfg_t *defs, int line)
{
	struct conffile	**files;
	char		**names;
	size_t		  i;

	names = confparse_dropins(conf->file, line, conf->include_dir);
	if (names == NULL)
		return;
	if ((files = confparse_files((const char *const *)names,
	    CONF_DROPIN)) == NULL)
		conf_error(conf->file, line, "include_dir: out of memory");
	for (i = 0; names[i]; i++) {
		if (files && files[i]) {
			add_services(conf, files[i], defs);
			conffile_free(files[i]);
		}
		free(names[i]);
	}
	free(files);
	free(names);
}

static void
inetd_error(const char *line, void *arg)
{
	(void)arg;
	conf_error_line(line);
}

/* inetd.conf lines become service sections, each on its own source line,
 * parsed under the inetd.conf's name: errors are FILE:LINE of it. */
static void
load_inetd(struct config *conf, cfg_t *defs, int line)
{
	struct strbuf	 text = { 0 };
	struct conffile	*f;

	if (confparse_check_owner(conf->inetd_conf, 0, "inetd_conf",
	    conf->file, line) != 0)
		return;
	if (inetd_convert(conf->inetd_conf, INETD_ONELINE, &text, inetd_error,
	    NULL) != 0) {
		strbuf_free(&text);
		return;
	}
	if (text.failed)
		conf_error(conf->inetd_conf, 1, "out of memory");
	else if ((f = confparse_text(conf->inetd_conf, text.s ? text.s : "",
	    text.len, CONF_DROPIN)) != NULL) {
		add_services(conf, f, defs);
		conffile_free(f);
	}
	strbuf_free(&text);
}

/* Global options, then the services of the main file, the drop-ins and
 * the inetd.conf, in that order. */
static void
load_main(struct config *conf, struct conffile *f)
{
	cfg_t *cfg = f->cfg, *defs = cfg_getsec(cfg, "defaults");

	conf->include_dir = resolve_dir(conf->file, opt_str(cfg,
	    "include_dir"));
	conf->inetd_conf = resolve_dir(conf->file, opt_str(cfg,
	    "inetd_conf"));
	conf->pidfile = strdup_or_null(opt_str(cfg, "pidfile"));
	conf->max_children = (unsigned)opt_int(cfg, "max_children");
	conf->shutdown_timeout = (unsigned)opt_int(cfg, "shutdown_timeout");
	conf->log_level = opt_str(cfg, "log_level") ?
	    log_level_parse(opt_str(cfg, "log_level")) : -1;
	conf->allow_empty = opt_bool(cfg, "allow_empty");
	add_services(conf, f, defs);
	if (conf->include_dir)
		load_dropins(conf, defs, conflex_option_line(f->text,
		    "include_dir", 1));
	if (conf->inetd_conf)
		load_inetd(conf, defs, conflex_option_line(f->text,
		    "inetd_conf", 1));
}

struct config *
config_load(const char *file, config_errfn errfn, void *arg)
{
	struct config	*conf;
	struct conffile	*f;
	int		 nerrors;

	confparse_begin(errfn, arg);
	if ((conf = calloc(1, sizeof(*conf))) == NULL ||
	    (conf->file = strdup(file)) == NULL) {
		conf_error(file, 1, "out of memory");
		free(conf);
		confparse_end();
		return NULL;
	}
	if ((f = confparse_file(file, CONF_MAIN)) != NULL) {
		load_main(conf, f);
		conffile_free(f);
	}
	nerrors = conf_nerrors();
	confparse_end();
	hash_free(&conf->binds);
	if (nerrors > 0) {
		config_free(conf);
		conf = NULL;
	}
	/* parsing left freed heap behind; give it back (a reload, too) */
	malloc_trim(0);
	return conf;
}

struct service *
service_ref(struct service *svc)
{
	svc->refs++;
	return svc;
}

static void
strv_free_items(char **v)
{
	char **p;

	for (p = v; *p; p++)
		free(*p);
}

static void
strv_free(char **v)
{
	if (v == NULL)
		return;
	strv_free_items(v);
	free(v);
}

void
service_unref(struct service *svc)
{
	if (svc == NULL || --svc->refs > 0)
		return;
	free(svc->name);
	free(svc->file);
	free(svc->addrs);
	free(svc->path);
	strv_free(svc->argv);
	if (svc->envp) {
		strv_free_items(svc->envp + CONN_ENV_SLOTS);	/* slots: borrowed */
		free(svc->envp);
	}
	free(svc->user);
	free(svc->groups);
	free(svc->allow);
	free(svc->deny);
	free(svc->reject_msg);
	free(svc->chdir);
	free(svc->chroot);
	free(svc->bind_device);
	free(svc->proxy_from);
	free(svc->sock_path);
	free(svc);
}

void
config_free(struct config *conf)
{
	size_t i;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->nservices; i++)
		service_unref(conf->services[i]);
	free(conf->services);
	hash_free(&conf->names);
	hash_free(&conf->binds);
	free(conf->file);
	free(conf->include_dir);
	free(conf->inetd_conf);
	free(conf->pidfile);
	free(conf);
}
