/* config.c: libconfuse option tables, loading, validation, struct config. */
#include "ac-config.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <malloc.h>
#include <netdb.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <confuse.h>

#include "addr.h"
#include "config.h"

#define DEFAULT_USER	"nobody"
#define DEFAULT_BACKLOG	128
#define DEFAULT_PREFORK	2
#define HANDLER_PATH	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The state of one load: libconfuse callbacks carry no user pointer. */
struct loadctx {
	config_errfn	 errfn;
	void		*arg;
	int		 nerrors;
	const char	*file;		/* being parsed */
	struct exec_line {		/* where each section named exec */
		cfg_t	*sec;
		int	 line;
	}		*execs;
	size_t		 nexecs;
	char		*tfile;		/* the file titles[] indexes */
	struct title_line {
		char	*name;
		int	 line;
	}		*titles;
	size_t		 ntitles;
};
static struct loadctx *ctx;

static void
load_error(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
load_error(const char *file, int line, const char *fmt, ...)
{
	char	msg[512], out[PATH_MAX + 600];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(out, sizeof(out), "%s:%d: %s", file ? file : "(config)",
	    line, msg);
	ctx->nerrors++;
	ctx->errfn(out, ctx->arg);
}

static void
cfg_errfn(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* a section made by cfg_init (defaults) has no file name */
	load_error(cfg->filename ? cfg->filename : ctx->file, cfg->line, "%s",
	    msg);
}

/* ---- value resolution, shared by the parse callbacks and the build ---- */

static int
resolve_port(const char *s, uint16_t *port)
{
	struct servent *se;

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

static int
resolve_group(const char *s, gid_t *gid)
{
	struct group	*gr;
	unsigned long	 id;

	if (parse_id(s, &id) == 0) {
		*gid = (gid_t)id;
		return 0;
	}
	if ((gr = getgrnam(s)) == NULL)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

/* Fills uid, gid and the supplementary groups for user, with group (may be
 * NULL) overriding the primary group. */
static int
resolve_creds(struct service *svc, const char *user, const char *group)
{
	struct passwd	*pw;
	unsigned long	 id;
	int		 n = 16;
	gid_t		 gid;

	pw = getpwnam(user);
	if (pw == NULL && parse_id(user, &id) == 0)
		pw = getpwuid((uid_t)id);
	if (pw == NULL) {
		if (parse_id(user, &id) != 0)
			return -1;
		/* a bare number with no passwd entry: no supplementary groups */
		svc->uid = (uid_t)id;
		svc->gid = (gid_t)id;
		if (group && resolve_group(group, &svc->gid) != 0)
			return -1;
		svc->groups = calloc(1, sizeof(gid_t));
		if (svc->groups == NULL)
			return -1;
		svc->groups[0] = svc->gid;
		svc->ngroups = 1;
		return 0;
	}
	svc->uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (group && resolve_group(group, &gid) != 0)
		return -1;
	svc->gid = gid;
	for (;;) {
		int want = n;

		free(svc->groups);
		if ((svc->groups = calloc((size_t)n, sizeof(gid_t))) == NULL)
			return -1;
		if (getgrouplist(pw->pw_name, gid, svc->groups, &want) >= 0) {
			svc->ngroups = want;
			return 0;
		}
		if (want <= n)
			return -1;
		n = want;
	}
}

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

/* ---- parse callbacks: report with the line being parsed, keep going ---- */

static int
cb_port(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	uint16_t port;

	if (resolve_port(value, &port) != 0)
		cfg_error(cfg, "%s: bad port '%s': not a number in 1..65535 "
		    "nor a service in /etc/services", opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_user(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	unsigned long id;

	if (getpwnam(value) == NULL && parse_id(value, &id) != 0)
		cfg_error(cfg, "%s: unknown user '%s'", opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_group(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	gid_t gid;

	if (resolve_group(value, &gid) != 0)
		cfg_error(cfg, "%s: unknown group '%s'", opt->name, value);
	*(const char **)res = value;
	return 0;
}

/* A relative exec path is taken from the directory of the file naming
 * it, so a drop-in and its handlers can live side by side. */
static int
cb_exec(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	(void)opt;
	static char	 path[PATH_MAX];
	const char	*slash = strrchr(cfg->filename, '/');

	if (value[0] != '/') {
		if (slash)
			snprintf(path, sizeof(path), "%.*s/%s",
			    (int)(slash - cfg->filename), cfg->filename, value);
		else
			snprintf(path, sizeof(path), "./%s", value);
		value = path;	/* libconfuse copies it right away */
	}
	struct exec_line *tmp;

	/* Checked when the section is built: chroot may follow. */
	tmp = reallocarray(ctx->execs, ctx->nexecs + 1, sizeof(*tmp));
	if (tmp != NULL) {
		ctx->execs = tmp;
		ctx->execs[ctx->nexecs].sec = cfg;
		ctx->execs[ctx->nexecs].line = cfg->line;
		ctx->nexecs++;
	}
	*(const char **)res = value;
	return 0;
}

/* The handler must be an executable file, inside chroot when set. */
static int
check_exec(cfg_t *sec, const char *file, int fallback)
{
	const char	*why, *exec = cfg_getstr(sec, "exec");
	const char	*root = cfg_getstr(sec, "chroot");
	char		 path[PATH_MAX];
	size_t		 i;
	int		 line = fallback;

	if (exec == NULL)
		return 0;
	for (i = 0; i < ctx->nexecs; i++)
		if (ctx->execs[i].sec == sec)
			line = ctx->execs[i].line;
	snprintf(path, sizeof(path), "%s%s", root ? root : "", exec);
	if (check_executable(path, &why) == 0)
		return 0;
	load_error(file, line, "exec: '%s': %s", path, why);
	return -1;
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

static int
cb_cidr(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	struct cidr c;

	if (cidr_parse(value, &c) != 0)
		cfg_error(cfg, "%s: bad entry '%s': want an IPv4 or IPv6 "
		    "address or prefix (ADDRESS/BITS)", opt->name, value);
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

static const char *stderr_names[] = { "log", "client", "null", NULL };
static const char *on_limit_names[] = { "queue", "reject", NULL };
static const char *protocol_names[] = { "tcp", "udp", "unix", "unix-dgram",
	NULL };
static const char *mode_names[] = { "nowait", "wait", "pool", NULL };
static const char *builtin_names[] = { "none", "echo", "discard", "daytime",
	"time", "chargen", "metrics", NULL };

static int
lookup_name(const char **names, const char *value)
{
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(names[i], value) == 0)
			return i;
	return -1;
}

static int
cb_stderr(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (lookup_name(stderr_names, value) < 0)
		cfg_error(cfg, "%s: bad value '%s': want log, client or null",
		    opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_on_limit(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (lookup_name(on_limit_names, value) < 0)
		cfg_error(cfg, "%s: bad value '%s': want queue or reject",
		    opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_mode(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (lookup_name(mode_names, value) < 0)
		cfg_error(cfg, "%s: bad value '%s': want nowait, wait or pool",
		    opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_builtin(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (lookup_name(builtin_names, value) <= 0)
		cfg_error(cfg, "%s: unknown builtin '%s': want echo, discard, "
		    "daytime, time, chargen or metrics", opt->name, value);
	*(const char **)res = value;
	return 0;
}

static int
cb_protocol(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *res)
{
	if (lookup_name(protocol_names, value) < 0)
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

/* A service takes these from defaults { } unless it sets them. */
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
	CFG_STR_CB("chroot", NULL, nodef, cb_abspath)

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
	CFG_STR_CB("exec", NULL, CFGF_NODEFAULT, cb_exec),
	CFG_STR_LIST("args", NULL, CFGF_NODEFAULT),
	CFG_STR("argv0", NULL, CFGF_NODEFAULT),
	CFG_STR("shell", NULL, CFGF_NODEFAULT),
	CFG_BOOL("enabled", cfg_true, CFGF_NONE),
	CFG_END()
};

#define SERVICE_SECTION \
	CFG_SEC("service", service_opts, \
	    CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES)

static cfg_opt_t main_opts[] = {
	CFG_STR("include_dir", NULL, CFGF_NODEFAULT),
	CFG_STR("pidfile", NULL, CFGF_NODEFAULT),
	CFG_INT_CB("max_children", 0, CFGF_NONE, cb_int),
	CFG_INT_CB("shutdown_timeout", 10, CFGF_NONE, cb_int),
	CFG_SEC("defaults", defaults_opts, CFGF_NONE),
	SERVICE_SECTION,
	CFG_END()
};

static cfg_opt_t dropin_opts[] = {
	SERVICE_SECTION,
	CFG_END()
};

/* ---- files ---- */

/* This daemon runs programs as root: refuse a file others could edit. */
static int
check_file(const char *file)
{
	struct stat st;

	if (stat(file, &st) != 0) {
		load_error(file, 1, "cannot read: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		load_error(file, 1, "not a regular file");
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		load_error(file, 1, "writable by group or others (mode %04o); "
		    "refusing it", (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		load_error(file, 1, "owned by uid %u, not by root or by the "
		    "daemon's user; refusing it", (unsigned)st.st_uid);
		return -1;
	}
	return 0;
}

/* Skips the quoted string at s as libconfuse's lexer does ("${...}" in
 * double quotes runs to the next '}'); returns what follows it. */
static char *
skip_string(char *s, int *line)
{
	char q = *s++, *e;

	for (; *s != '\0' && *s != q; s++) {
		if (q == '"' && s[0] == '$' && s[1] == '{' &&
		    (e = strchr(s, '}')) != NULL) {
			for (; s < e; s++)
				*line += (*s == '\n');
		} else if (*s == '\\' && s[1] != '\0')
			s++;
		*line += (*s == '\n');
	}
	return *s ? s + 1 : s;
}

/* libconfuse 3.3 counts each "#" or "//" comment as three lines and a block
 * comment as one line too many, and takes a file that ends inside a section
 * for a complete one. So the parser gets the text with its comments blanked
 * out (newlines kept), and braces are counted here. Returns the line of a
 * '{' still open at the end, or 0. */
static int
blank_comments(char *s)
{
	int line = 1, depth = 0, open_line = 0, tokstart = 1;

	while (*s != '\0') {
		if (*s == '"' || *s == '\'') {
			s = skip_string(s, &line);
			tokstart = 1;
		} else if (*s == '#' || (tokstart && s[0] == '/' && s[1] == '/')) {
			for (; *s != '\0' && *s != '\n'; s++)
				*s = ' ';
		} else if (tokstart && s[0] == '/' && s[1] == '*') {
			*s++ = ' ';
			*s++ = ' ';
			for (; *s != '\0' && !(s[0] == '*' && s[1] == '/'); s++)
				if (*s == '\n')
					line++;
				else
					*s = ' ';
			if (*s != '\0') {
				*s++ = ' ';
				*s++ = ' ';
			}
		} else {
			if (*s == '\n')
				line++;
			else if (*s == '{' && depth++ == 0)
				open_line = line;
			else if (*s == '}' && depth > 0)
				depth--;
			tokstart = strchr(" \t\r\n{}()=,+*", *s) != NULL;
			s++;
		}
	}
	return depth > 0 ? open_line : 0;
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

static cfg_t *
parse_file(cfg_opt_t *opts, const char *file)
{
	cfg_t	*cfg;
	FILE	*fp;
	char	*text;
	size_t	 len;
	int	 rc, open_line, before = ctx->nerrors;

	if (check_file(file) != 0)
		return NULL;
	if ((fp = fopen(file, "re")) == NULL) {
		load_error(file, 1, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if ((text = read_all(fp, &len)) == NULL)
		load_error(file, 1, "cannot read: %s", strerror(errno));
	fclose(fp);
	if (text == NULL)
		return NULL;
	open_line = blank_comments(text);
	if ((fp = fmemopen(text, len, "r")) == NULL ||
	    (cfg = cfg_init(opts, CFGF_NONE)) == NULL) {
		if (fp)
			fclose(fp);
		free(text);
		load_error(file, 1, "out of memory");
		return NULL;
	}
	cfg_set_error_function(cfg, cfg_errfn);
	free(cfg->filename);
	cfg->filename = strdup(file);
	cfg->line = 1;
	ctx->file = file;
	rc = cfg_parse_fp(cfg, fp);
	ctx->file = NULL;
	fclose(fp);
	free(text);
	if (rc == CFG_SUCCESS && open_line > 0) {
		load_error(file, open_line, "unexpected end of file: this '{' "
		    "is never closed");
		rc = CFG_PARSE_ERROR;
	}
	if (rc != CFG_SUCCESS) {
		if (ctx->nerrors == before)
			load_error(file, cfg->line, "parse error");
		cfg_free(cfg);
		return NULL;
	}
	return cfg;
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

/* Lists DIR/ *.conf in lexical order; NULL-terminated, NULL on error. */
static char **
list_dropins(const char *file, int line, const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char	       **names = NULL, **tmp;
	size_t		 n = 0, i;

	if ((d = opendir(dir)) == NULL) {
		load_error(file, line, "include_dir '%s': %s", dir,
		    strerror(errno));
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
	load_error(file, line, "include_dir '%s': out of memory", dir);
	return NULL;
}

/* The line where option WORD is set in file, for errors about the
 * value of a global option (libconfuse does not keep it). */
static int
option_line(const char *file, const char *word, int fallback)
{
	FILE	*fp;
	char	 buf[1024];
	int	 line = 0;
	size_t	 wlen = strlen(word);

	if ((fp = fopen(file, "re")) == NULL)
		return fallback;
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		char *p = buf;

		line++;
		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, word, wlen) == 0 &&
		    (isspace((unsigned char)p[wlen]) || p[wlen] == '='))
			break;
	}
	if (feof(fp))
		line = fallback;
	fclose(fp);
	return line;
}

static void
titles_free(void)
{
	size_t i;

	for (i = 0; i < ctx->ntitles; i++)
		free(ctx->titles[i].name);
	free(ctx->titles);
	free(ctx->tfile);
	ctx->titles = NULL;
	ctx->tfile = NULL;
	ctx->ntitles = 0;
}

/* One pass over file recording the line of every "service NAME". */
static void
titles_index(const char *file)
{
	struct title_line	*tmp;
	FILE			*fp;
	char			 buf[1024], *p, *end;
	int			 line = 0;

	titles_free();
	if ((ctx->tfile = strdup(file)) == NULL ||
	    (fp = fopen(file, "re")) == NULL)
		return;
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		line++;
		for (p = buf; isspace((unsigned char)*p); p++)
			;
		if (strncmp(p, "service", 7) != 0 ||
		    !isspace((unsigned char)p[7]))
			continue;
		for (p += 7; isspace((unsigned char)*p); p++)
			;
		if (*p == '"' || *p == '\'')
			p++;
		end = p + strcspn(p, "\"' \t{\r\n");
		tmp = reallocarray(ctx->titles, ctx->ntitles + 1, sizeof(*tmp));
		if (tmp == NULL)
			break;
		ctx->titles = tmp;
		if ((tmp[ctx->ntitles].name = strndup(p, (size_t)(end - p))) ==
		    NULL)
			break;
		tmp[ctx->ntitles++].line = line;
	}
	fclose(fp);
}

/* The line of "service NAME" in file: the file is indexed once, not read
 * again for every service (that made loading quadratic). */
static int
title_line(const char *file, const char *name, int fallback)
{
	size_t i;

	if (ctx->tfile == NULL || strcmp(ctx->tfile, file) != 0)
		titles_index(file);
	for (i = 0; i < ctx->ntitles; i++)
		if (strcmp(ctx->titles[i].name, name) == 0)
			return ctx->titles[i].line;
	return fallback;
}

/* ---- building struct service ---- */

/* The service's value of an option, else the defaults' one. */
static cfg_t *
pick(cfg_t *sec, cfg_t *defs, const char *name)
{
	if (cfg_size(sec, name) > 0 || defs == NULL)
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
	const char	*exec = cfg_getstr(sec, "exec");
	const char	*argv0 = cfg_getstr(sec, "argv0");
	size_t		 nargs = cfg_size(sec, "args"), i, n = 0;

	if (svc->builtin) {	/* nothing to exec */
		svc->path = strdup(builtin_names[svc->builtin]);
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
		svc->argv[n++] = strdup(cfg_getstr(sec, "shell"));
		svc->argv[n++] = strdup(svc->name);
	}
	for (i = 0; i < nargs; i++)
		svc->argv[n++] = strdup(cfg_getnstr(sec, "args", i));
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
	size_t nd = defs ? cfg_size(defs, "env") : 0;
	size_t ns = cfg_size(sec, "env"), i, n = 0;
	char **env;

	if ((svc->envp = calloc(CONN_ENV_SLOTS + nd + ns + 3,
	    sizeof(char *))) == NULL)
		return -1;
	env = svc->envp + CONN_ENV_SLOTS;
	env[n++] = strdup(HANDLER_PATH);
	if (asprintf(&env[n++], "SERVICE=%s", svc->name) < 0)
		return -1;
	for (i = 0; i < nd; i++)
		n = env_set(env, n, cfg_getnstr(defs, "env", i));
	for (i = 0; i < ns; i++)
		n = env_set(env, n, cfg_getnstr(sec, "env", i));
	svc->nenv = n;
	for (i = 0; i < n; i++)
		if (env[i] == NULL)
			return -1;
	return 0;
}

/* Protocol, dispatch mode, builtin, and a unix socket's path and owner. */
static int
build_kind(struct service *svc, cfg_t *sec)
{
	const char	*mode = cfg_getstr(sec, "mode");
	const char	*owner = cfg_getstr(sec, "socket_owner");
	const char	*group = cfg_getstr(sec, "socket_group");
	const char	*smode = cfg_getstr(sec, "socket_mode");
	struct passwd	*pw;

	svc->protocol = lookup_name(protocol_names, cfg_getstr(sec,
	    "protocol"));
	svc->builtin = cfg_size(sec, "builtin") ?
	    lookup_name(builtin_names, cfg_getstr(sec, "builtin")) :
	    BUILTIN_NONE;
	if (mode)
		svc->mode = lookup_name(mode_names, mode);
	else if ((svc->protocol == PROTO_UDP ||
	    svc->protocol == PROTO_UNIX_DGRAM) && !svc->builtin)
		svc->mode = MODE_WAIT;
	else
		svc->mode = MODE_NOWAIT;
	svc->instances = (unsigned)cfg_getint(sec, "instances");
	svc->sock_uid = (uid_t)-1;
	svc->sock_gid = (gid_t)-1;
	svc->sock_mode = smode ? (int)strtol(smode, NULL, 8) : -1;
	if (owner && (pw = getpwnam(owner)) != NULL)
		svc->sock_uid = pw->pw_uid;
	else if (owner)
		svc->sock_uid = (uid_t)strtoul(owner, NULL, 10);
	if (group)
		(void)resolve_group(group, &svc->sock_gid);
	if (cfg_size(sec, "path") &&
	    (svc->sock_path = strdup(cfg_getstr(sec, "path"))) == NULL)
		return -1;
	if (svc->protocol < 0 || svc->builtin < 0 || svc->mode < 0)
		return 1;
	return 0;
}

static int
build_addrs(struct service *svc, cfg_t *sec)
{
	size_t n = cfg_size(sec, "address"), i;
	socklen_t len;

	if (svc->sock_path) {
		struct sockaddr_un *sun;

		if ((svc->addrs = calloc(1, sizeof(*svc->addrs))) == NULL)
			return -1;
		sun = (struct sockaddr_un *)&svc->addrs[0];
		sun->sun_family = AF_UNIX;
		if (strlen(svc->sock_path) >= sizeof(sun->sun_path)) {
			load_error(svc->file, svc->line, "service '%s': path "
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
		if (addr_parse(cfg_getnstr(sec, "address", i), svc->port,
		    &svc->addrs[i], &len) != 0)
			return 1;	/* already reported by cb_address */
	svc->naddrs = n;
	return 0;
}

static int
build_cidrs(cfg_t *sec, const char *name, struct cidr **out, size_t *n)
{
	size_t i, cnt = cfg_size(sec, name);

	*n = 0;
	if (cnt == 0)
		return 0;
	if ((*out = calloc(cnt, sizeof(**out))) == NULL)
		return -1;
	for (i = 0; i < cnt; i++)
		if (cidr_parse(cfg_getnstr(sec, name, i), &(*out)[*n]) == 0)
			(*n)++;
	return 0;
}

#define PICKINT(name)	cfg_getint(pick(sec, defs, name), name)
#define PICKSTR(name)	cfg_getstr(pick(sec, defs, name), name)

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
	svc->on_limit = lookup_name(on_limit_names, PICKSTR("on_limit"));
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
	return 0;
}

/* Checks what only a whole section can show; 0 when it may be built. */
static int
check_section(cfg_t *sec, const char *file)
{
	const char	*name = cfg_title(sec);
	int		 line = title_line(file, name, sec->line);
	int		 handlers = (cfg_size(sec, "exec") > 0) +
			    (cfg_size(sec, "shell") > 0) +
			    (cfg_size(sec, "builtin") > 0);
	int		 proto = lookup_name(protocol_names,
			    cfg_getstr(sec, "protocol"));
	int		 unix_sock = proto == PROTO_UNIX ||
			    proto == PROTO_UNIX_DGRAM;
	int		 dgram = proto == PROTO_UDP ||
			    proto == PROTO_UNIX_DGRAM;
	const char	*mode = cfg_getstr(sec, "mode");
	int		 errs = 0;

#define SECTION_ERROR(...) do {					\
	load_error(file, line, __VA_ARGS__);				\
	errs++;								\
} while (0)
	if (handlers == 0)
		SECTION_ERROR("service '%s': no handler: set exec, shell or "
		    "builtin", name);
	else if (handlers > 1)
		SECTION_ERROR("service '%s': exec, shell and builtin exclude "
		    "each other; choose one", name);
	if (!unix_sock && cfg_size(sec, "port") == 0)
		SECTION_ERROR("service '%s': no port", name);
	if (unix_sock && cfg_size(sec, "path") == 0)
		SECTION_ERROR("service '%s': a unix socket needs a path", name);
	if (unix_sock && (cfg_size(sec, "port") || cfg_size(sec, "address")))
		SECTION_ERROR("service '%s': a unix socket has a path, not a "
		    "port or address", name);
	if (!unix_sock && cfg_size(sec, "path"))
		SECTION_ERROR("service '%s': path is for unix sockets", name);
	if (unix_sock && (cfg_size(sec, "allow") || cfg_size(sec, "deny")))
		SECTION_ERROR("service '%s': allow and deny are for IP "
		    "clients; the socket's owner, group and mode say who may "
		    "connect to a unix socket", name);
	if (mode && cfg_size(sec, "builtin") && strcmp(mode, "nowait") != 0)
		SECTION_ERROR("service '%s': a builtin runs in mode nowait",
		    name);
	else if (mode && dgram && !cfg_size(sec, "builtin") &&
	    strcmp(mode, "wait") != 0)
		SECTION_ERROR("service '%s': a datagram service runs in mode "
		    "wait", name);
	if (cfg_size(sec, "builtin") && unix_sock)
		SECTION_ERROR("service '%s': builtins serve tcp and udp", name);
	if (cfg_size(sec, "builtin") && strcmp(cfg_getstr(sec, "builtin"),
	    "metrics") == 0 && (proto != PROTO_TCP ||
	    (cfg_size(sec, "prefork") && cfg_getint(sec, "prefork") > 0)))
		SECTION_ERROR("service '%s': builtin metrics is served over "
		    "tcp, without prefork", name);
#undef SECTION_ERROR
	return errs ? -1 : 0;
}

/* True when cb_user or cb_group has already reported one of the names. */
static int
creds_reported(const char *user, const char *group)
{
	unsigned long	id;
	gid_t		gid;

	return (getpwnam(user) == NULL && parse_id(user, &id) != 0) ||
	    (group != NULL && resolve_group(group, &gid) != 0);
}

static struct service *
service_build(cfg_t *sec, cfg_t *defs, const char *file)
{
	struct service	*svc;
	const char	*user, *group;
	int		 rc, line = title_line(file, cfg_title(sec), sec->line);

	if (check_section(sec, file) != 0)
		return NULL;
	if ((svc = calloc(1, sizeof(*svc))) == NULL)
		goto oom;
	svc->refs = 1;
	svc->name = strdup(cfg_title(sec));
	svc->file = strdup(file);
	svc->line = line;
	if (svc->name == NULL || svc->file == NULL)
		goto oom;
	svc->enabled = cfg_getbool(sec, "enabled");
	if ((rc = build_kind(svc, sec)) > 0)
		goto bad;	/* a bad value, already reported */
	if (rc < 0)
		goto oom;
	if (svc->sock_path == NULL &&
	    resolve_port(cfg_getstr(sec, "port"), &svc->port) != 0)
		goto bad;	/* already reported by cb_port */
	svc->backlog = (int)cfg_getint(pick(sec, defs, "backlog"), "backlog");
	svc->prefork = (int)cfg_getint(pick(sec, defs, "prefork"), "prefork");
	svc->stderr_mode = lookup_name(stderr_names,
	    cfg_getstr(pick(sec, defs, "stderr"), "stderr"));
	user = cfg_getstr(pick(sec, defs, "user"), "user");
	group = cfg_getstr(pick(sec, defs, "group"), "group");
	if ((svc->user = strdup(user)) == NULL)
		goto oom;
	if (resolve_creds(svc, user, group) != 0) {
		if (!creds_reported(user, group))
			load_error(file, line, "service '%s': cannot resolve "
			    "user '%s'%s%s", svc->name, user,
			    group ? " / group " : "", group ? group : "");
		goto bad;
	}
	if (check_exec(sec, file, line) != 0)
		goto bad;
	if (build_policy(svc, sec, defs) != 0)
		goto oom;
	if ((rc = build_addrs(svc, sec)) > 0)
		goto bad;
	if (rc < 0 || build_argv(svc, sec) != 0 ||
	    build_env(svc, sec, defs) != 0)
		goto oom;
	return svc;
oom:
	load_error(file, line, "out of memory");
bad:
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
	struct service **tmp;

	tmp = reallocarray(conf->services, conf->nservices + 1, sizeof(*tmp));
	if (tmp == NULL)
		return -1;
	conf->services = tmp;
	conf->services[conf->nservices++] = svc;
	return 0;
}

/* Duplicate names across files, and two services on one address:port. */
static void
check_collisions(struct config *conf, struct service *svc)
{
	struct service	*o;
	size_t		 i, a, b;
	char		 ip[ADDR_STRLEN];
	uint16_t	 port;

	for (i = 0; i < conf->nservices; i++) {
		o = conf->services[i];
		if (strcmp(o->name, svc->name) == 0) {
			load_error(svc->file, svc->line, "duplicate service "
			    "'%s' (first defined at %s:%d)", svc->name,
			    o->file, o->line);
			return;
		}
		/* tcp and udp may share a port; unix paths may not */
		if (!o->enabled || !svc->enabled || (o->protocol !=
		    svc->protocol && (o->sock_path == NULL ||
		    svc->sock_path == NULL)))
			continue;
		for (a = 0; a < svc->naddrs; a++)
			for (b = 0; b < o->naddrs; b++) {
				if (!addr_conflict(&svc->addrs[a], &o->addrs[b]))
					continue;
				addr_format((struct sockaddr *)&svc->addrs[a],
				    ip, sizeof(ip), &port);
				load_error(svc->file, svc->line, "service '%s': "
				    "address %s port %u is already used by "
				    "service '%s' (%s:%d)", svc->name, ip,
				    port, o->name, o->file, o->line);
				return;
			}
	}
}

static void
add_services(struct config *conf, cfg_t *cfg, cfg_t *defs, const char *file)
{
	struct service	*svc;
	unsigned	 i, n = cfg_size(cfg, "service");
	int		 before;

	for (i = 0; i < n; i++) {
		svc = service_build(cfg_getnsec(cfg, "service", i), defs, file);
		if (svc == NULL)
			continue;
		before = ctx->nerrors;
		check_collisions(conf, svc);
		if (ctx->nerrors != before || config_add(conf, svc) != 0) {
			if (ctx->nerrors == before)
				load_error(file, svc->line, "out of memory");
			service_unref(svc);
		}
	}
	ctx->nexecs = 0;	/* the next file's sections may reuse addresses */
}

static void
load_dropins(struct config *conf, cfg_t *defs)
{
	char	**names, **p;
	cfg_t	 *cfg;

	names = list_dropins(conf->file,
	    option_line(conf->file, "include_dir", 1), conf->include_dir);
	if (names == NULL)
		return;
	for (p = names; *p; p++) {
		if ((cfg = parse_file(dropin_opts, *p)) != NULL) {
			add_services(conf, cfg, defs, *p);
			cfg_free(cfg);
		}
		free(*p);
	}
	free(names);
}

struct config *
config_load(const char *file, config_errfn errfn, void *arg)
{
	struct loadctx	 lc = { errfn, arg, 0, NULL, NULL, 0, NULL, NULL, 0 };
	struct config	*conf;
	cfg_t		*cfg, *defs;

	ctx = &lc;
	if ((conf = calloc(1, sizeof(*conf))) == NULL ||
	    (conf->file = strdup(file)) == NULL) {
		load_error(file, 1, "out of memory");
		free(conf);
		return NULL;
	}
	if ((cfg = parse_file(main_opts, file)) == NULL) {
		free(lc.execs);
		ctx = NULL;
		config_free(conf);
		return NULL;
	}
	defs = cfg_getsec(cfg, "defaults");
	conf->include_dir = resolve_dir(file, cfg_getstr(cfg, "include_dir"));
	conf->pidfile = strdup_or_null(cfg_getstr(cfg, "pidfile"));
	conf->max_children = (unsigned)cfg_getint(cfg, "max_children");
	conf->shutdown_timeout = (unsigned)cfg_getint(cfg, "shutdown_timeout");
	add_services(conf, cfg, defs, file);
	if (conf->include_dir)
		load_dropins(conf, defs);
	cfg_free(cfg);
	titles_free();
	ctx = NULL;
	free(lc.execs);
	if (lc.nerrors > 0) {
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
	free(conf->file);
	free(conf->include_dir);
	free(conf->pidfile);
	free(conf);
}
