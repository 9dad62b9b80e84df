/* confparse.c: the libconfuse option tables and parse callbacks, reading
 * and checking the files, and the error report of one load. Callbacks
 * report at the line being parsed and keep going, so that one run shows
 * every error of a file.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/stat.h>
#include <net/if.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <confuse.h>

#include "addr.h"
#include "confids.h"
#include "conflex.h"
#include "confparse.h"
#include "hash.h"
#include "log.h"
#include "names.h"

#define DEFAULT_USER	"nobody"
#define DEFAULT_BACKLOG	128
#define DEFAULT_PREFORK	0	/* a spawn is faster: docs/PERFORMANCE.md */

/* The state of one load: libconfuse callbacks carry no user pointer. */
struct loadctx {
	confparse_errfn	 errfn;
	void		*arg;
	int		 nerrors;
	const char	*file;		/* being parsed */
	int		 line_base;	/* lines of the file before the text
					 * being parsed (libconfuse counts
					 * from 1 whatever it is told) */
	struct hash	 execs;		/* section -> line of its exec (int) */
	int		 holding;	/* errors kept in held, not reported */
	struct held {			/* in the order reported */
		int	 line;
		size_t	 seq;
		char	*msg;
	}		*held;
	size_t		 nheld, capheld;
};
static struct loadctx ctx;

void
confparse_begin(confparse_errfn errfn, void *arg)
{
	memset(&ctx, 0, sizeof(ctx));
	ctx.errfn = errfn;
	ctx.arg = arg;
	confids_start();
}

void
confparse_end(void)
{
	size_t i;

	confids_free();
	for (i = 0; i < ctx.execs.cap; i++)
		free(ctx.execs.slots[i].val);
	hash_free(&ctx.execs);
	free(ctx.held);
	memset(&ctx, 0, sizeof(ctx));
}

int
conf_nerrors(void)
{
	return ctx.nerrors;
}

/* Copies s into out with what is not printable escaped (\n, \t, \xHH):
 * a message never carries a raw line break or binary byte to a log. */
static void
escape(char *out, size_t size, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0;

	for (; *p && o + 5 < size; p++) {
		if (*p == '\n')
			o += (size_t)snprintf(out + o, size - o, "\\n");
		else if (*p == '\t')
			o += (size_t)snprintf(out + o, size - o, "\\t");
		else if (*p < 0x20 || *p >= 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", *p);
		else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
}

/* Reports an escaped line about line (INT_MAX: unknown), or keeps it
 * while errors are held; a held line without memory is reported. */
static void
report(const char *safe, int line)
{
	struct held	*tmp;
	size_t		 cap;

	if (ctx.holding && ctx.nheld == ctx.capheld) {
		cap = ctx.capheld ? ctx.capheld * 2 : 16;
		if ((tmp = reallocarray(ctx.held, cap, sizeof(*tmp))) != NULL) {
			ctx.held = tmp;
			ctx.capheld = cap;
		}
	}
	if (ctx.holding && ctx.nheld < ctx.capheld &&
	    (ctx.held[ctx.nheld].msg = strdup(safe)) != NULL) {
		ctx.held[ctx.nheld].line = line;
		ctx.held[ctx.nheld].seq = ctx.nheld;
		ctx.nheld++;
		return;
	}
	ctx.nerrors++;
	if (ctx.errfn)
		ctx.errfn(safe, ctx.arg);
}

/* Errors are held while a file is parsed in pieces (parse_plain): then
 * they are reported in the order of their lines, as one parse of the
 * whole file reports them, or forgotten. */
static void
errors_hold(void)
{
	ctx.holding = 1;
	ctx.nheld = 0;
}

static int
held_cmp(const void *a, const void *b)
{
	const struct held *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
errors_release(int keep)
{
	size_t i;

	ctx.holding = 0;
	if (keep && ctx.nheld > 0)
		qsort(ctx.held, ctx.nheld, sizeof(*ctx.held), held_cmp);
	for (i = 0; i < ctx.nheld; i++) {
		if (keep)
			report(ctx.held[i].msg, ctx.held[i].line);
		free(ctx.held[i].msg);
	}
	ctx.nheld = 0;
}

void
conf_error(const char *file, int line, const char *fmt, ...)
{
	char	msg[1024], out[PATH_MAX + 1100], safe[4 * sizeof(out)];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(out, sizeof(out), "%s:%d: %s", file ? file : "(config)",
	    line, msg);
	escape(safe, sizeof(safe), out);
	report(safe, line);
}

void
conf_error_line(const char *line)
{
	char safe[4 * (PATH_MAX + 1100)];

	escape(safe, sizeof(safe), line);
	report(safe, INT_MAX);
}

static void
cfg_errfn(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* a section made by cfg_init (defaults) has no file name */
	conf_error(cfg->filename ? cfg->filename : ctx.file,
	    ctx.line_base + cfg->line, "%s",
	    msg);
}

/* ---- users, groups and ports, each name looked up once per load ---- */

int
conf_resolve_port(const char *s, uint16_t *port)
{
	struct servent *se;

	if (s == NULL)
		return -1;
	if (addr_parse_port(s, port) == 0)
		return 0;
	if (isdigit((unsigned char)*s) || *s == '-')
		return -1;
	if ((se = getservbyname(s, "tcp")) == NULL &&
	    (se = getservbyname(s, "udp")) == NULL)
		return -1;
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

/* ---- parse callbacks: report with the line being parsed, keep going ---- */

static int
cb_port(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	uint16_t port;

	if (conf_resolve_port(value, &port) != 0)
		cfg_error(cfg, "%s: bad port '%s': not a number in 1..65535 "
		    "nor a service in /etc/services", opt->name, value);
	*(const char **)res = value;
	return 0;
}

/* A user or group the databases do not have, or that could not be
 * looked up at all. */
static void
id_error(cfg_t *cfg, cfg_opt_t *opt, const char *what, const char *value)
{
	if (confids_error() != NULL) {
		(void)confids_error_unreported();
		cfg_error(cfg, "%s: %s '%s' not looked up: %s", opt->name,
		    what, value, confids_error());
	}
	else
		cfg_error(cfg, "%s: unknown %s '%s'", opt->name, what, value);
}

static int
cb_user(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (conf_user(value) == NULL)
		id_error(cfg, opt, "user", value);
	*(const char **)res = value;
	return 0;
}

static int
cb_group(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	gid_t gid;

	if (conf_group(value, &gid) != 0)
		id_error(cfg, opt, "group", value);
	*(const char **)res = value;
	return 0;
}

/* A relative exec path is taken from the directory of the file naming
 * it, so a drop-in and its handlers can live side by side. */
static int
cb_exec(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	static char	 path[PATH_MAX];
	const char	*slash = strrchr(cfg->filename, '/');
	int		*line;

	(void)opt;
	if (value[0] != '/') {
		if (slash)
			snprintf(path, sizeof(path), "%.*s/%s",
			    (int)(slash - cfg->filename), cfg->filename, value);
		else
			snprintf(path, sizeof(path), "./%s", value);
		value = path;	/* libconfuse copies it right away */
	}
	/* Checked when the section is built: chroot may follow. The line
	 * of the last exec of a section; without memory, the section's. */
	if ((line = hash_get(&ctx.execs, &cfg, sizeof(cfg))) != NULL)
		*line = ctx.line_base + cfg->line;
	else if ((line = malloc(sizeof(*line))) != NULL) {
		*line = ctx.line_base + cfg->line;
		if (hash_add(&ctx.execs, &cfg, sizeof(cfg), line) != 0)
			free(line);
	}
	*(const char **)res = value;
	return 0;
}

int
conf_exec_line(cfg_t *sec, int fallback)
{
	const int *line = hash_get(&ctx.execs, &sec, sizeof(sec));

	return line ? *line : fallback;
}

static int
cb_address(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	struct sockaddr_storage	ss;
	socklen_t		len;

	if (addr_parse(value, 0, &ss, &len) != 0)
		cfg_error(cfg, "%s: bad address '%s': not a numeric IPv4 or "
		    "IPv6 address", opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
valid_env(const char *s)
{
	const char *p;

	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (p = s; *p && *p != '='; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return *p == '=';
}

static int
cb_env(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	static const char *reserved[] = { "PROTO", "TCPREMOTEIP",
	    "TCPREMOTEPORT", "TCPLOCALIP", "TCPLOCALPORT", "UNIXREMOTEEUID",
	    "UNIXREMOTEEGID", "UNIXREMOTEPID", "SERVICE", NULL };
	size_t len = strcspn(value, "=");
	int i;

	if (!valid_env(value)) {
		cfg_error(cfg, "%s: bad entry '%s': want NAME=value", opt->name,
		    value);
		goto out;
	}
	for (i = 0; reserved[i]; i++)
		if (strlen(reserved[i]) == len &&
		    strncmp(value, reserved[i], len) == 0)
			cfg_error(cfg, "%s: '%s' is set by pinetd for each "
			    "connection", opt->name, reserved[i]);
out:
	*(const char **)res = value;
	return 0;
}

int
conf_parse_cidr(const char *s, struct cidr *c)
{
	struct sockaddr_storage	 ss;
	struct in6_addr		*a6;
	socklen_t		 len;
	char			 buf[ADDR_STRLEN + 8];

	if (cidr_parse(s, c) != 0)
		return -1;
	if (c->family != AF_INET6)
		return 0;
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(s, "/"), s);
	if (addr_parse(buf, 0, &ss, &len) != 0)
		return -1;
	a6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	if (!IN6_IS_ADDR_V4MAPPED(a6))
		return 0;
	if (c->bits < 96)
		return -2;
	/* the IPv4 address it carries: peers are matched unmapped */
	c->family = AF_INET;
	c->bits -= 96;
	memmove(c->addr, c->addr + 12, 4);
	memset(c->addr + 4, 0, 12);
	return 0;
}

static int
cb_cidr(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	struct cidr	c;
	int		rc = conf_parse_cidr(value, &c);

	if (rc == -1)
		cfg_error(cfg, "%s: bad entry '%s': want an IPv4 or IPv6 "
		    "address or prefix (ADDRESS/BITS)", opt->name, value);
	else if (rc == -2)
		cfg_error(cfg, "%s: bad entry '%s': an IPv4-mapped prefix "
		    "needs at least 96 bits", opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_umask(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	char		*end;
	unsigned long	 v = strtoul(value, &end, 8);

	if (*value < '0' || *value > '7' || *end != '\0' || v > 0777)
		cfg_error(cfg, "%s: bad value '%s': want an octal mode such "
		    "as 022", opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_abspath(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (value[0] != '/')
		cfg_error(cfg, "%s: '%s' is not an absolute path", opt->name,
		    value);
	*(const char **)res = value;
	return 0;
}

/* A network interface's name, as the kernel takes it: 1 to 15 bytes, no
 * '/', ':' or white space. */
static int
cb_ifname(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	size_t len = strlen(value);

	if (len == 0 || len >= IFNAMSIZ || strpbrk(value, "/: \t") != NULL ||
	    strcmp(value, ".") == 0 || strcmp(value, "..") == 0)
		cfg_error(cfg, "%s: '%s' is not an interface name (1 to %d "
		    "characters, no '/', ':' or space)", opt->name, value,
		    IFNAMSIZ - 1);
	*(const char **)res = value;
	return 0;
}

static int
cb_stderr(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (names_lookup(names_stderr, value) < 0)
		cfg_error(cfg, "%s: bad value '%s': want log, client or null",
		    opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_log_level(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (log_level_parse(value) < 0)
		cfg_error(cfg, "%s: bad value '%s': want error, warning, "
		    "notice, info or debug", opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_on_limit(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (names_lookup(names_on_limit, value) < 0)
		cfg_error(cfg, "%s: bad value '%s': want queue or reject",
		    opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_mode(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (names_lookup(names_mode, value) < 0)
		cfg_error(cfg, "%s: bad value '%s': want nowait, wait or pool",
		    opt->name, value);
	*(const char **)res = value;
	return 0;
}

/* "none" is BUILTIN_NONE, the absence of a builtin: not a choice. */
static int
cb_builtin(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (names_lookup(names_builtin, value) <= 0)
		cfg_error(cfg, "%s: unknown builtin '%s': want echo, discard, "
		    "daytime, time, chargen or metrics", opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_proxy(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (names_lookup(names_proxy, value) < 0)
		cfg_error(cfg, "%s: bad value '%s': want v1, v2, any or off",
		    opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_protocol(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (names_lookup(names_protocol, value) < 0)
		cfg_error(cfg, "%s: unsupported protocol '%s': want tcp, udp, "
		    "unix or unix-dgram", opt->name, value);
	*(const char **)res = value;
	return 0;
}

struct int_range {
	const char	*name;
	long		 min, max;
};
static const struct int_range int_ranges[] = {
	{ "backlog",		1,	65535 },
	{ "prefork",		0,	1024 },
	{ "instances",		1,	1024 },
	{ "max_instances",	0,	1000000 },
	{ "max_children",	0,	1000000 },
	{ "shutdown_timeout",	0,	86400 },
	{ "per_source",		0,	1000000 },
	{ "per_source_prefix6",	1,	128 },
	{ "rate",		0,	1000000000 },
	{ "rate_window",	1,	86400 },
	{ "service_rate",	0,	1000000000 },
	{ "timeout",		0,	31536000 },
	{ "kill_grace",		0,	3600 },
	{ "nice",		-20,	19 },
	{ "proxy_timeout",	1,	3600 },
	{ "rlimit_nofile",	-1,	1048576 },
	{ "rlimit_nproc",	-1,	4194304 },
	{ "rlimit_as",		-1,	LONG_MAX / 2 },
	{ "rlimit_cpu",		-1,	LONG_MAX / 2 },
	{ "rlimit_core",	-1,	LONG_MAX / 2 },
	{ NULL,			0,	0 }
};

/* Integers are decimal only: libconfuse would read "010" as 8. */
static int
cb_int(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	const struct int_range	*r;
	char			*end;
	long			 v;

	for (r = int_ranges; r->name; r++)
		if (strcmp(r->name, opt->name) == 0)
			break;
	errno = 0;
	v = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno != 0 || v < r->min ||
	    v > r->max) {
		cfg_error(cfg, "%s: bad value '%s': want an integer in %ld..%ld",
		    opt->name, value, r->min, r->max);
		v = r->min;
	}
	*(long *)res = v;
	return 0;
}

/* ---- option tables ---- */

/* Admission policy and handler limits: in defaults { } and services. */
#define POLICY_OPTS(dflt, nodef) \
	CFG_STR_LIST_CB("allow", NULL, nodef, cb_cidr), \
	CFG_STR_LIST_CB("deny", NULL, nodef, cb_cidr), \
	CFG_INT_CB("max_instances", 0, dflt, cb_int), \
	CFG_INT_CB("per_source", 0, dflt, cb_int), \
	CFG_INT_CB("per_source_prefix6", 64, dflt, cb_int), \
	CFG_INT_CB("rate", 0, dflt, cb_int), \
	CFG_INT_CB("rate_window", 60, dflt, cb_int), \
	CFG_INT_CB("service_rate", 0, dflt, cb_int), \
	CFG_STR_CB("on_limit", "queue", dflt, cb_on_limit), \
	CFG_STR("reject_message", NULL, nodef), \
	CFG_INT_CB("timeout", 0, dflt, cb_int), \
	CFG_INT_CB("kill_grace", 2, dflt, cb_int), \
	CFG_INT_CB("rlimit_nofile", -1, dflt, cb_int), \
	CFG_INT_CB("rlimit_nproc", -1, dflt, cb_int), \
	CFG_INT_CB("rlimit_as", -1, dflt, cb_int), \
	CFG_INT_CB("rlimit_cpu", -1, dflt, cb_int), \
	CFG_INT_CB("rlimit_core", -1, dflt, cb_int), \
	CFG_INT_CB("nice", 0, dflt, cb_int), \
	CFG_STR_CB("umask", NULL, nodef, cb_umask), \
	CFG_STR_CB("chdir", NULL, nodef, cb_abspath), \
	CFG_STR_CB("chroot", NULL, nodef, cb_abspath), \
	CFG_STR_CB("proxy_protocol", "off", dflt, cb_proxy), \
	CFG_STR_LIST_CB("proxy_from", NULL, nodef, cb_cidr), \
	CFG_INT_CB("proxy_timeout", 3, dflt, cb_int)

/* A service takes these from defaults { } unless it sets them. */
#define SERVICE_OPTS \
	POLICY_OPTS(CFGF_NODEFAULT, CFGF_NODEFAULT), \
	CFG_STR_CB("user", NULL, CFGF_NODEFAULT, cb_user), \
	CFG_STR_CB("group", NULL, CFGF_NODEFAULT, cb_group), \
	CFG_STR_LIST_CB("env", NULL, CFGF_NODEFAULT, cb_env), \
	CFG_STR_CB("stderr", NULL, CFGF_NODEFAULT, cb_stderr), \
	CFG_INT_CB("backlog", 0, CFGF_NODEFAULT, cb_int), \
	CFG_INT_CB("prefork", 0, CFGF_NODEFAULT, cb_int)

static cfg_opt_t defaults_opts[] = {
	POLICY_OPTS(CFGF_NONE, CFGF_NODEFAULT),
	CFG_STR_CB("user", DEFAULT_USER, CFGF_NONE, cb_user),
	CFG_STR_CB("group", NULL, CFGF_NODEFAULT, cb_group),
	CFG_STR_LIST_CB("env", NULL, CFGF_NODEFAULT, cb_env),
	CFG_STR_CB("stderr", "log", CFGF_NONE, cb_stderr),
	CFG_INT_CB("backlog", DEFAULT_BACKLOG, CFGF_NONE, cb_int),
	CFG_INT_CB("prefork", DEFAULT_PREFORK, CFGF_NONE, cb_int),
	CFG_END()
};

static cfg_opt_t service_opts[] = {
	SERVICE_OPTS,
	CFG_STR_CB("port", NULL, CFGF_NODEFAULT, cb_port),
	CFG_STR_LIST_CB("address", NULL, CFGF_NODEFAULT, cb_address),
	CFG_STR_CB("protocol", "tcp", CFGF_NONE, cb_protocol),
	CFG_STR_CB("mode", NULL, CFGF_NODEFAULT, cb_mode),
	CFG_INT_CB("instances", 1, CFGF_NONE, cb_int),
	CFG_STR_CB("builtin", NULL, CFGF_NODEFAULT, cb_builtin),
	CFG_STR_CB("path", NULL, CFGF_NODEFAULT, cb_abspath),
	CFG_STR_CB("socket_owner", NULL, CFGF_NODEFAULT, cb_user),
	CFG_STR_CB("socket_group", NULL, CFGF_NODEFAULT, cb_group),
	CFG_STR_CB("socket_mode", NULL, CFGF_NODEFAULT, cb_umask),
	CFG_STR_CB("bind_device", NULL, CFGF_NODEFAULT, cb_ifname),
	CFG_STR_CB("exec", NULL, CFGF_NODEFAULT, cb_exec),
	CFG_STR_LIST("args", NULL, CFGF_NODEFAULT),
	CFG_STR("argv0", NULL, CFGF_NODEFAULT),
	CFG_STR("shell", NULL, CFGF_NODEFAULT),
	CFG_BOOL("enabled", cfg_true, CFGF_NONE),
	CFG_END()
};

/* Titled, libconfuse compares each title with every one before it; the
 * loader reads the titles itself (conflex_titles_index) and parses with
 * untitled sections when it can, else with titled ones. */
#define SERVICE_TITLED	(CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES)
#define SERVICE_PLAIN	CFGF_MULTI

#define MAIN_OPTS(service_flags) { \
	CFG_STR("include_dir", NULL, CFGF_NODEFAULT), \
	CFG_STR("inetd_conf", NULL, CFGF_NODEFAULT), \
	CFG_STR("pidfile", NULL, CFGF_NODEFAULT), \
	CFG_BOOL("allow_empty", cfg_false, CFGF_NONE), \
	CFG_INT_CB("max_children", 0, CFGF_NONE, cb_int), \
	CFG_INT_CB("shutdown_timeout", 10, CFGF_NONE, cb_int), \
	CFG_STR_CB("log_level", NULL, CFGF_NODEFAULT, cb_log_level), \
	CFG_SEC("defaults", defaults_opts, CFGF_NONE), \
	CFG_SEC("service", service_opts, service_flags), \
	CFG_END() \
}
#define DROPIN_OPTS(service_flags) { \
	CFG_SEC("service", service_opts, service_flags), \
	CFG_END() \
}

static cfg_opt_t main_opts[] = MAIN_OPTS(SERVICE_TITLED);
static cfg_opt_t main_plain_opts[] = MAIN_OPTS(SERVICE_PLAIN);
static cfg_opt_t dropin_opts[] = DROPIN_OPTS(SERVICE_TITLED);
static cfg_opt_t dropin_plain_opts[] = DROPIN_OPTS(SERVICE_PLAIN);

/* ---- option lookup ---- */

/*
 * libconfuse's cfg_getopt() copies the name to look for a "section|option"
 * path, then compares it with each option of the section in turn: about
 * 900 instructions a call, and config.c asks some 90 times per service,
 * which was 40% of a load's instructions. Every section holds its options
 * at the places of its definition array, so where a name was found once
 * is where it is in every section of its kind: remembered per name (a
 * string constant, by its address) and checked by one comparison, with
 * the number of options of the last two sections asked about (a service
 * and defaults { }) counted once so that none is read past its end.
 */
#define OPT_SEEN	256	/* more than all option names together */

static struct opt_seen {
	const char	*name;	/* NULL: free */
	unsigned	 i;
}			 opt_seen[OPT_SEEN];
static struct opt_sec {
	const cfg_t	*sec;	/* forgotten when sections are freed */
	unsigned	 nopts;
}			 opt_secs[2];

static void
opt_forget(void)
{
	memset(opt_secs, 0, sizeof(opt_secs));
}

cfg_opt_t *
confparse_opt(cfg_t *sec, const char *name)
{
	struct opt_seen	*e = NULL;
	struct opt_sec	 t;
	size_t		 h, k;
	unsigned	 i, nopts;

	if (sec == NULL)
		return NULL;
	if (sec != opt_secs[0].sec) {
		if (sec != opt_secs[1].sec) {
			for (i = 0; sec->opts[i].name != NULL; i++)
				;
			opt_secs[1].sec = sec;
			opt_secs[1].nopts = i;
		}
		t = opt_secs[0];
		opt_secs[0] = opt_secs[1];
		opt_secs[1] = t;
	}
	nopts = opt_secs[0].nopts;
	h = (size_t)(((uint64_t)(uintptr_t)name *
	    UINT64_C(0x9e3779b97f4a7c15)) >> 56);
	for (k = 0; k < OPT_SEEN; k++) {
		e = &opt_seen[(h + k) % OPT_SEEN];
		if (e->name == name || e->name == NULL)
			break;
	}
	if (k < OPT_SEEN && e->name == name && e->i < nopts &&
	    strcmp(sec->opts[e->i].name, name) == 0)
		return &sec->opts[e->i];
	for (i = 0; i < nopts; i++)
		if (strcmp(sec->opts[i].name, name) == 0) {
			if (k < OPT_SEEN) {
				e->name = name;
				e->i = i;
			}
			return &sec->opts[i];
		}
	return cfg_getopt(sec, name);
}

/* ---- files ---- */

int
confparse_check_owner(const char *path, int dir, const char *what,
    const char *where, int line)
{
	struct stat	 st;
	const char	*at = where ? where : path;
	char		 pre[PATH_MAX + 32] = "";

	/* "include_dir 'DIR': " when reported where the option is set */
	if (what)
		snprintf(pre, sizeof(pre), "%s '%s': ", what, path);
	if (stat(path, &st) != 0) {
		conf_error(at, line, "%s%s%s", pre, what ? "" : "cannot read: ",
		    strerror(errno));
		return -1;
	}
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		conf_error(at, line, "%snot a %s", pre, dir ? "directory" :
		    "regular file");
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		conf_error(at, line, "%swritable by group or others (mode "
		    "%04o); refusing it", pre, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		conf_error(at, line, "%sowned by uid %u, not by root or by the "
		    "daemon's user; refusing it", pre, (unsigned)st.st_uid);
		return -1;
	}
	return 0;
}

/* Reads fp whole, NUL-terminated; NULL on error. */
static char *
read_all(FILE *fp, size_t *len)
{
	char	*buf = NULL, *tmp;
	size_t	 cap = 0, n = 0, got;

	do {
		if (cap - n < 1024) {
			cap = cap ? cap * 2 : 8192;
			if ((tmp = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = tmp;
		}
		n += (got = fread(buf + n, 1, cap - n, fp));
	} while (got > 0);
	if (ferror(fp)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void
chunks_free(struct conffile *f)
{
	size_t i;

	for (i = 0; i < f->nchunks; i++)
		if (f->chunks[i])
			cfg_free(f->chunks[i]);
	opt_forget();
	free(f->chunks);
	f->chunks = NULL;
	f->nchunks = 0;
}

void
conffile_free(struct conffile *f)
{
	if (f == NULL)
		return;
	if (f->cfg)
		cfg_free(f->cfg);
	chunks_free(f);		/* and opt_forget() */
	conflex_titles_free(&f->titles);
	free(f->text);
	free(f->name);
	free(f);
}

/* Service sections parsed by one cfg_t: libconfuse grows the list of a
 * section's values by one at a time (realloc), so that one list of every
 * service would be copied over and over. */
#define CHUNK	128

unsigned
conffile_nservices(const struct conffile *f)
{
	return f->plain ? f->titles.n : cfg_size(f->cfg, "service");
}

const char *
conffile_service(struct conffile *f, unsigned i, cfg_t **sec, int *line)
{
	if (f->plain) {
		*sec = cfg_getnsec(f->chunks[i / CHUNK], "service", i % CHUNK);
		*line = f->titles.v[i].line;
		return f->titles.v[i].name;
	}
	*sec = cfg_getnsec(f->cfg, "service", i);
	*line = conflex_title_line(&f->titles, cfg_title(*sec), (*sec)->line);
	return cfg_title(*sec);
}

/* Runs libconfuse over text (len bytes, line 1 of it being line of the
 * file) as f's into *cfg, the result in *rc; -1 when out of memory. */
static int
confuse(struct conffile *f, char *text, size_t len, int line,
    cfg_opt_t *opts, int *rc, cfg_t **cfg)
{
	FILE *fp;

	*rc = CFG_PARSE_ERROR;
	if ((fp = fmemopen(text, len, "r")) == NULL)
		return -1;
	if ((*cfg = cfg_init(opts, CFGF_NONE)) == NULL) {
		fclose(fp);
		return -1;
	}
	cfg_set_error_function(*cfg, cfg_errfn);
	free((*cfg)->filename);
	if (((*cfg)->filename = strdup(f->name)) == NULL) {
		fclose(fp);
		return -1;
	}
	ctx.file = f->name;
	ctx.line_base = line - 1;
	*rc = cfg_parse_fp(*cfg, fp);
	ctx.line_base = 0;
	ctx.file = NULL;
	fclose(fp);
	return 0;
}

/* Parses part of a file (len bytes of text from line): 0 when it has
 * nsec service sections, else -1. */
static int
parse_piece(struct conffile *f, char *text, size_t len, int line,
    cfg_opt_t *opts, size_t nsec, cfg_t **cfg)
{
	int rc;

	if (confuse(f, text, len, line, opts, &rc, cfg) != 0 ||
	    rc != CFG_SUCCESS || cfg_size(*cfg, "service") != nsec)
		return -1;
	return 0;
}

/* Parses sections i to i + n - 1 of text (titles blanked) into the next
 * chunk; what lies between them is parsed with the rest of the file. */
static int
parse_chunk(struct conffile *f, const char *text, size_t i, size_t n)
{
	const struct conflex_title	*v = f->titles.v;
	size_t				 a = v[i].start, b = v[i + n - 1].end, k;
	char				*piece;
	int				 rc;

	if ((piece = malloc(b - a + 1)) == NULL)
		return -1;
	memcpy(piece, text + a, b - a);
	piece[b - a] = '\0';
	for (k = i; k + 1 < i + n; k++)
		conflex_blank(piece, v[k].end - a, v[k + 1].start - a);
	rc = parse_piece(f, piece, b - a, v[i].line, dropin_plain_opts, n,
	    &f->chunks[f->nchunks++]);
	free(piece);
	return rc;
}

/* Parses f->text with its titles blanked out and untitled sections, the
 * services in chunks of CHUNK, the rest of the file on its own: 0, or -1
 * when that might not read as the titled parse does (a title the index
 * cannot read as libconfuse would, an error, or another count of
 * sections), its errors forgotten. */
static int
parse_plain(struct conffile *f, size_t len, enum conf_kind kind)
{
	const struct conflex_titles	*t = &f->titles;
	char				*text = NULL, *rest = NULL;
	size_t				 i;
	int				 rc = -1;

	if (!t->plain || (text = malloc(len + 1)) == NULL ||
	    (rest = malloc(len + 1)) == NULL || (f->chunks = calloc(t->n /
	    CHUNK + 1, sizeof(*f->chunks))) == NULL)
		goto out;
	memcpy(text, f->text, len + 1);
	conflex_titles_blank(text, t);
	memcpy(rest, text, len + 1);
	for (i = 0; i < t->n; i++)
		conflex_blank(rest, t->v[i].start, t->v[i].end);
	errors_hold();
	rc = parse_piece(f, rest, len, 1, kind == CONF_MAIN ? main_plain_opts :
	    dropin_plain_opts, 0, &f->cfg);
	for (i = 0; rc == 0 && i < t->n; i += CHUNK)
		rc = parse_chunk(f, text, i, t->n - i < CHUNK ? t->n - i :
		    CHUNK);
	errors_release(rc == 0);
out:
	free(text);
	free(rest);
	if (rc == 0) {
		f->plain = 1;
		return 0;
	}
	if (f->cfg)
		cfg_free(f->cfg);
	f->cfg = NULL;
	chunks_free(f);
	return -1;
}

/* Runs libconfuse over f->text: untitled when it can, else titled. */
static int
parse_text(struct conffile *f, size_t len, enum conf_kind kind)
{
	int rc = CFG_SUCCESS, open_line, before = ctx.nerrors;

	open_line = conflex_blank_comments(f->text);
	if (conflex_titles_index(f->text, &f->titles) != 0)
		goto oom;
	if (parse_plain(f, len, kind) != 0 && confuse(f, f->text, len, 1,
	    kind == CONF_MAIN ? main_opts : dropin_opts, &rc, &f->cfg) != 0)
		goto oom;
	if (rc == CFG_SUCCESS && open_line > 0) {
		conf_error(f->name, open_line, "unexpected end of file: this "
		    "'{' is never closed");
		rc = CFG_PARSE_ERROR;
	}
	if (rc != CFG_SUCCESS) {
		if (ctx.nerrors == before)
			conf_error(f->name, f->cfg->line, "parse error");
		return -1;
	}
	return 0;
oom:
	conf_error(f->name, 1, "out of memory");
	return -1;
}

struct conffile *
confparse_text(const char *file, const char *text, size_t len,
    enum conf_kind kind)
{
	struct conffile	*f;
	int		 line, byte;

	if (conflex_check_text(text, len, &line, &byte) != 0) {
		if (byte == 0)
			conf_error(file, line, "NUL byte: the file must be text");
		else
			conf_error(file, line, "control character 0x%02x: the "
			    "file must be text", (unsigned)byte);
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->name = strdup(file)) == NULL ||
	    (f->text = malloc(len + 1)) == NULL) {
		conf_error(file, 1, "out of memory");
		conffile_free(f);
		return NULL;
	}
	memcpy(f->text, text, len);
	f->text[len] = '\0';
	if (parse_text(f, len, kind) != 0) {
		conffile_free(f);
		return NULL;
	}
	return f;
}

static struct conffile *
parse_file(const char *file, enum conf_kind kind)
{
	struct conffile	*f;
	FILE		*fp;
	char		*text;
	size_t		 len;

	if (confparse_check_owner(file, 0, NULL, NULL, 1) != 0)
		return NULL;
	if ((fp = fopen(file, "re")) == NULL) {
		conf_error(file, 1, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if ((text = read_all(fp, &len)) == NULL)
		conf_error(file, 1, "cannot read: %s", strerror(errno));
	fclose(fp);
	if (text == NULL)
		return NULL;
	f = confparse_text(file, text, len, kind);
	free(text);
	return f;
}

/*
 * Files are parsed in a thread of their own, which the master waits for:
 * glibc gives the thread a malloc arena of its own, so the parse's many
 * short-lived allocations (libconfuse keeps about 10 KB for each service
 * until the services are built) are not interleaved with what the master
 * keeps, and that arena is given back whole after the load (malloc_trim)
 * instead of leaving the master's heap full of holes. The drop-ins are
 * parsed by one thread, all of them, not one thread each. Nothing runs
 * beside the thread; it inherits the master's blocked signals.
 */
#define PARSE_STACK	(1024 * 1024)

struct parse_job {
	const char *const	*files;	/* NULL-terminated */
	enum conf_kind		 kind;
	struct conffile		**out;	/* one for each file */
};

static void *
parse_job_run(void *arg)
{
	struct parse_job	*j = arg;
	size_t			 i;

	for (i = 0; j->files[i]; i++)
		j->out[i] = parse_file(j->files[i], j->kind);
	return NULL;
}

/* Runs the job in a thread and waits for it, or here when none starts
 * (the heap is only fuller). */
static void
parse_apart(struct parse_job *j)
{
	pthread_attr_t	a;
	pthread_t	t;
	int		rc;

	if (pthread_attr_init(&a) != 0) {
		(void)parse_job_run(j);
		return;
	}
	(void)pthread_attr_setstacksize(&a, PARSE_STACK);
	rc = pthread_create(&t, &a, parse_job_run, j);
	(void)pthread_attr_destroy(&a);
	if (rc != 0)
		(void)parse_job_run(j);
	else
		(void)pthread_join(t, NULL);
}

struct conffile *
confparse_file(const char *file, enum conf_kind kind)
{
	const char	*files[2] = { file, NULL };
	struct conffile	*f = NULL;
	struct parse_job j = { files, kind, &f };

	parse_apart(&j);
	return f;
}

struct conffile **
confparse_files(const char *const *files, enum conf_kind kind)
{
	struct parse_job	 j = { files, kind, NULL };
	size_t			 n;

	for (n = 0; files[n]; n++)
		;
	if ((j.out = calloc(n + 1, sizeof(*j.out))) == NULL)
		return NULL;
	parse_apart(&j);
	return j.out;
}

static int
conf_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_conf_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

char **
confparse_dropins(const char *file, int line, const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char	       **names = NULL, **tmp;
	size_t		 n = 0, i;

	if ((d = opendir(dir)) == NULL) {
		conf_error(file, line, "include_dir '%s': %s", dir,
		    strerror(errno));
		return NULL;
	}
	if (confparse_check_owner(dir, 1, "include_dir", file, line) != 0) {
		closedir(d);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_conf_name(de->d_name))
			continue;
		if ((tmp = reallocarray(names, n + 2, sizeof(*names))) == NULL)
			goto fail;
		names = tmp;
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
			goto fail;
		names[++n] = NULL;
	}
	closedir(d);
	if (names == NULL)
		names = calloc(1, sizeof(*names));
	else
		qsort(names, n, sizeof(*names), conf_name_cmp);
	return names;
fail:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	conf_error(file, line, "include_dir '%s': out of memory", dir);
	return NULL;
}
