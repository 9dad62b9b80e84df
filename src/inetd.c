/* inetd.c: classic inetd.conf lines ("name type proto wait[.max]
 * user[.group] server args...") turned into pinetd.conf service sections,
 * so that one loader, with all its checks and FILE:LINE messages, serves
 * both syntaxes.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inetd.h"
#include "strbuf.h"

#define INETD_MAXARGS	20	/* inetd's own MAXARGV */
#define INETD_LINEMAX	4096
#define INETD_HOSTMAX	256
#define INETD_NAMEMAX	128
#define TCPD_DIR	"/usr/sbin/"	/* where tcpd finds relative daemons */

struct ctx {
	const char	*file;
	int		 line;
	inetd_errfn	 errfn;
	void		*arg;
	int		 errors;
	char		 host[INETD_HOSTMAX];	/* from a "host:" line */
};

struct entry {
	const char	*host;		/* NULL: every address */
	const char	*service;	/* port name or number, or a path */
	const char	*type;
	const char	*proto;
	int		 wait;
	unsigned long	 max;		/* per minute; 0: none */
	const char	*user;
	const char	*group;
	const char	*server;	/* a path, or "internal" */
	const char	*args[INETD_MAXARGS];
	int		 nargs;
};

/* What each protocol word means. */
static const struct proto {
	const char	*word;
	const char	*proto;		/* pinetd's protocol for a stream */
	const char	*dgram;		/* ... and for a datagram socket */
	const char	*any;		/* address when none is given */
	const char	*suffix;	/* added to the service name */
} protos[] = {
	{ "tcp",	"tcp",	NULL,		"0.0.0.0",	"" },
	{ "tcp4",	"tcp",	NULL,		"0.0.0.0",	"" },
	{ "tcp6",	"tcp",	NULL,		"::",		"-tcp6" },
	{ "tcp46",	"tcp",	NULL,		NULL,		"" },
	{ "udp",	NULL,	"udp",		"0.0.0.0",	"-udp" },
	{ "udp4",	NULL,	"udp",		"0.0.0.0",	"-udp" },
	{ "udp6",	NULL,	"udp",		"::",		"-udp6" },
	{ "udp46",	NULL,	"udp",		NULL,		"-udp" },
	{ "unix",	"unix",	"unix-dgram",	NULL,		"" },
};

static const char *const builtins[] = {
	"echo", "discard", "daytime", "time", "chargen"
};

static void
inetd_error(struct ctx *c, const char *fmt, ...)
{
	char	msg[INETD_LINEMAX + 256];
	int	n;
	va_list	ap;

	n = snprintf(msg, sizeof(msg), "%s:%d: ", c->file, c->line);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	c->errors++;
	c->errfn(msg, c->arg);
}

/* Fields are written into pinetd.conf between single quotes: a quote or
 * a backslash would change their meaning, and control characters have no
 * place in a config line. */
static int
token_ok(struct ctx *c, const char *t)
{
	for (; *t != '\0'; t++) {
		if (*t == '\'' || *t == '\\') {
			inetd_error(c, "a quote or backslash cannot be carried "
			    "over to pinetd.conf");
			return 0;
		}
	}
	return 1;
}

static const struct proto *
proto_find(const char *word)
{
	size_t	i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcmp(protos[i].word, word) == 0)
			return &protos[i];
	return NULL;
}

static int
is_builtin(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i], name) == 0)
			return 1;
	return 0;
}

/* "[host:]service": the host is what comes before the last colon, with
 * brackets around an IPv6 address taken off; "*" means every address. */
static void
split_host(char *f, struct entry *e, const char *dflt)
{
	char	*colon = strrchr(f, ':');
	size_t	 n;

	e->host = dflt[0] != '\0' ? dflt : NULL;
	e->service = f;
	if (colon == NULL)
		return;
	*colon = '\0';
	e->service = colon + 1;
	n = strlen(f);
	if (n >= 2 && f[0] == '[' && f[n - 1] == ']') {
		f[n - 1] = '\0';
		f++;
	}
	e->host = strcmp(f, "*") == 0 ? NULL : f;
}

/* "wait", "nowait", either with ".max" (instances per minute). */
static int
parse_wait(struct ctx *c, char *f, struct entry *e)
{
	char		*dot = strchr(f, '.'), *end;

	if (dot != NULL) {
		*dot++ = '\0';
		errno = 0;
		e->max = strtoul(dot, &end, 10);
		if (*dot < '0' || *dot > '9' || *end != '\0' || errno != 0 ||
		    e->max == 0 || e->max > 1000000000UL) {
			inetd_error(c, "bad instance limit '%s' in the wait "
			    "field: want a number of instances per minute", dot);
			return -1;
		}
	}
	if (strcmp(f, "wait") == 0)
		e->wait = 1;
	else if (strcmp(f, "nowait") != 0) {
		inetd_error(c, "bad wait field '%s': want wait or nowait", f);
		return -1;
	}
	return 0;
}

/* "user", "user.group" or "user:group". */
static void
split_user(char *f, struct entry *e)
{
	char	*sep = strpbrk(f, ".:");

	e->user = f;
	e->group = NULL;
	if (sep != NULL) {
		*sep = '\0';
		e->group = sep + 1;
	}
}

/* The pinetd service name: the inetd name (a unix socket's file name),
 * the protocol unless it is plain TCP, and "@host" when a host was given;
 * characters other than letters, digits and ".:@_-" become '-'. */
static void
make_name(const struct entry *e, const struct proto *p, char *name,
    size_t len)
{
	const char	*base = e->service, *slash;
	char		*s;

	if (strcmp(p->word, "unix") == 0 &&
	    (slash = strrchr(base, '/')) != NULL)
		base = slash + 1;
	if (e->host != NULL)
		snprintf(name, len, "%s%s@%s", base, p->suffix, e->host);
	else
		snprintf(name, len, "%s%s", base, p->suffix);
	for (s = name; *s != '\0'; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && strchr(".:@_-", *s) == NULL)
			*s = '-';
}

/* Splits a line into whitespace-separated fields; returns their number,
 * or -1 when there are too many. */
static int
split_fields(char *s, char **f, int max)
{
	int	n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			return n;
		if (n == max)
			return -1;
		f[n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

static int
parse_entry(struct ctx *c, char **f, int n, struct entry *e)
{
	int	i;

	memset(e, 0, sizeof(*e));
	if (n < 6) {
		inetd_error(c, "%d fields where an inetd.conf line has at "
		    "least 6: name type protocol wait user server [args]", n);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!token_ok(c, f[i]))
			return -1;
	split_host(f[0], e, c->host);
	e->type = f[1];
	e->proto = f[2];
	if (parse_wait(c, f[3], e) == -1)
		return -1;
	split_user(f[4], e);
	e->server = f[5];
	for (i = 6; i < n; i++)
		e->args[e->nargs++] = f[i];
	if (e->service[0] == '\0') {
		inetd_error(c, "no service name");
		return -1;
	}
	return 0;
}

/* The program to run, with inetd's tcpd wrapper taken off: tcpd runs its
 * first argument (relative to its own directory), and pinetd's allow and
 * deny lists take the place of hosts.allow. */
static const char *
real_server(const struct entry *e, char *buf, size_t len)
{
	const char	*slash = strrchr(e->server, '/');
	const char	*base = slash != NULL ? slash + 1 : e->server;

	if (strcmp(base, "tcpd") != 0 || e->nargs == 0)
		return e->server;
	if (e->args[0][0] == '/')
		return e->args[0];
	snprintf(buf, len, "%s%s", TCPD_DIR, e->args[0]);
	return buf;
}

/* One "key = value" pair; in the pretty form, on a line of its own. */
static void
emit(struct strbuf *out, int form, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
emit(struct strbuf *out, int form, const char *key, const char *fmt, ...)
{
	char	val[INETD_LINEMAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	strbuf_printf(out, form == INETD_PRETTY ? "\t%s = %s\n" : " %s = %s",
	    key, val);
}

static void
emit_service(struct ctx *c, const struct entry *e, const struct proto *p,
    int dgram, int form, const char *orig, struct strbuf *out)
{
	char		 name[INETD_NAMEMAX], path[INETD_LINEMAX];
	const char	*server;
	int		 i;

	make_name(e, p, name, sizeof(name));
	if (form == INETD_PRETTY)
		strbuf_printf(out, "# %s:%d: %s\nservice '%s' {\n", c->file,
		    c->line, orig, name);
	else
		strbuf_printf(out, "service '%s' {", name);
	emit(out, form, "protocol", "'%s'", dgram ? p->dgram : p->proto);
	if (strcmp(p->word, "unix") == 0)
		emit(out, form, "path", "'%s'", e->service);
	else {
		emit(out, form, "port", "'%s'", e->service);
		if (e->host != NULL || p->any != NULL)
			emit(out, form, "address", "{ '%s' }",
			    e->host != NULL ? e->host : p->any);
	}
	emit(out, form, "user", "'%s'", e->user);
	if (e->group != NULL)
		emit(out, form, "group", "'%s'", e->group);
	if (e->max != 0)	/* per minute, to pinetd's per second */
		emit(out, form, "service_rate", "%lu", (e->max + 59) / 60);
	if (strcmp(e->server, "internal") == 0)
		emit(out, form, "builtin", "'%s'", e->service);
	else {
		if (e->wait)
			emit(out, form, "mode", "'wait'");
		server = real_server(e, path, sizeof(path));
		emit(out, form, "exec", "'%s'", server);
		if (e->nargs > 0)	/* tcpd passes its argv on as it is */
			emit(out, form, "argv0", "'%s'", e->args[0]);
		if (e->nargs > 1) {
			strbuf_printf(out, form == INETD_PRETTY ?
			    "\targs = {" : " args = {");
			for (i = 1; i < e->nargs; i++)
				strbuf_printf(out, "%s '%s'", i > 1 ? "," : "",
				    e->args[i]);
			strbuf_printf(out, " }%s", form == INETD_PRETTY ?
			    "\n" : "");
		}
	}
	strbuf_printf(out, form == INETD_PRETTY ? "}\n\n" : " }\n");
}

/* Checks an entry's words against each other and writes it out. */
static int
convert_entry(struct ctx *c, const struct entry *e, int form,
    const char *orig, struct strbuf *out)
{
	const struct proto	*p;
	int			 dgram;

	if (strcmp(e->type, "stream") == 0)
		dgram = 0;
	else if (strcmp(e->type, "dgram") == 0)
		dgram = 1;
	else {
		inetd_error(c, "socket type '%s' is not supported: want stream "
		    "or dgram", e->type);
		return -1;
	}
	if ((p = proto_find(e->proto)) == NULL) {
		inetd_error(c, "protocol '%s' is not supported: want tcp, "
		    "tcp4, tcp6, tcp46, udp, udp4, udp6, udp46 or unix%s",
		    e->proto, strncmp(e->proto, "rpc/", 4) == 0 ?
		    " (RPC services are not)" : "");
		return -1;
	}
	if ((dgram ? p->dgram : p->proto) == NULL) {
		inetd_error(c, "a %s socket cannot use protocol '%s'",
		    e->type, e->proto);
		return -1;
	}
	if (strcmp(e->server, "internal") == 0 && !is_builtin(e->service)) {
		inetd_error(c, "'%s' is not an internal service: want echo, "
		    "discard, daytime, time or chargen", e->service);
		return -1;
	}
	emit_service(c, e, p, dgram, form, orig, out);
	return 0;
}

/* A lone "host:" sets the address of the lines after it ("*:": any). */
static int
host_line(struct ctx *c, char **f, int n)
{
	size_t	len;

	if (n != 1 || (len = strlen(f[0])) < 2 || f[0][len - 1] != ':')
		return 0;
	f[0][len - 1] = '\0';
	if (strcmp(f[0], "*") == 0)
		c->host[0] = '\0';
	else if (strlen(f[0]) >= sizeof(c->host))
		inetd_error(c, "host name too long");
	else if (token_ok(c, f[0]))
		strlcpy(c->host, f[0], sizeof(c->host));
	return 1;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return 1;
		else if (*s == 0x7f)
			return 1;
	return 0;
}

static void
convert_line(struct ctx *c, char *line, int form, struct strbuf *out)
{
	char		 orig[INETD_LINEMAX], *f[6 + INETD_MAXARGS];
	struct entry	 e;
	int		 n;

	strlcpy(orig, line, sizeof(orig));
	if (has_control(line)) {
		inetd_error(c, "control character in the line");
		goto blank;
	}
	if ((n = split_fields(line, f, 6 + INETD_MAXARGS)) == -1) {
		inetd_error(c, "more than %d server arguments", INETD_MAXARGS);
		goto blank;
	}
	if (n == 0 || host_line(c, f, n) || parse_entry(c, f, n, &e) == -1 ||
	    convert_entry(c, &e, form, orig, out) == -1)
		goto blank;
	return;
blank:
	if (form == INETD_ONELINE)	/* keep the line numbers in step */
		strbuf_printf(out, "\n");
}

int
inetd_convert(const char *file, int form, struct strbuf *out,
    inetd_errfn errfn, void *arg)
{
	struct ctx	 c = { .file = file, .errfn = errfn, .arg = arg };
	char		*line = NULL, msg[512];
	size_t		 cap = 0;
	ssize_t		 n;
	FILE		*fp;

	if ((fp = fopen(file, "re")) == NULL) {
		snprintf(msg, sizeof(msg), "%s: %s", file, strerror(errno));
		errfn(msg, arg);
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		c.line++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (memchr(line, '\0', n) != NULL)
			inetd_error(&c, "NUL byte in the line");
		else if (n > INETD_LINEMAX)
			inetd_error(&c, "line longer than %d bytes",
			    INETD_LINEMAX);
		else {
			convert_line(&c, line, form, out);
			continue;
		}
		if (form == INETD_ONELINE)	/* keep the line numbers */
			strbuf_printf(out, "\n");
	}
	free(line);
	fclose(fp);
	return c.errors;
}
