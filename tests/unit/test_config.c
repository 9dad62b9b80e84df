/* Unit tests for config_load: small files in a temporary directory.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#include "ac-config.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/addr.h"
#include "../../src/config.h"

#include "check.h"

#define STREQ(a, b)	((a) != NULL && strcmp((a), (b)) == 0)

static char	dir[256];	/* short, so that paths in it fit PATH_MAX */

/* The errors of the last load. */
#define MAXERRS	16
static char	errs[MAXERRS][PATH_MAX + 600];
static int	nerrs;

static void
collect(const char *line, void *arg)
{
	(void)arg;
	if (nerrs < MAXERRS)
		snprintf(errs[nerrs], sizeof(errs[nerrs]), "%s", line);
	nerrs++;
}

static const char *
path_of(const char *name)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* write_file NAME MODE TEXT: a file in the test directory. */
static void
write_file(const char *name, mode_t mode, const char *text)
{
	const char	*path = path_of(name);
	FILE		*fp;

	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) < 0 ||
	    fclose(fp) != 0 || chmod(path, mode) != 0) {
		perror(path);
		exit(2);
	}
}

static struct config *
load(const char *name)
{
	nerrs = 0;
	return config_load(path_of(name), collect, NULL);
}

/* True when error i of the last load is "DIR/FILE:LINE: MESSAGE". */
static int
error_is(int i, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
error_is(int i, const char *file, int line, const char *fmt, ...)
{
	char	msg[512], want[PATH_MAX + 600];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(want, sizeof(want), "%s:%d: %s", path_of(file), line, msg);
	if (i < nerrs && i < MAXERRS && strcmp(errs[i], want) == 0)
		return 1;
	fprintf(stderr, "want error %d: %s\n got: %s\n", i, want,
	    i < nerrs && i < MAXERRS ? errs[i] : "(none)");
	return 0;
}

/* True when addrs[i] of svc is IP and the service's port. */
static int
addr_is(const struct service *svc, size_t i, const char *ip)
{
	char		got[ADDR_STRLEN];
	uint16_t	port;

	if (i >= svc->naddrs || addr_format((const struct sockaddr *)
	    &svc->addrs[i], got, sizeof(got), &port) < 0)
		return 0;
	return strcmp(got, ip) == 0 && port == svc->port;
}

static int
argv_is(char **argv, ...)
{
	va_list		 ap;
	const char	*want;
	int		 ok = 1;

	va_start(ap, argv);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (*argv == NULL || strcmp(*argv++, want) != 0)
			ok = 0;
	va_end(ap);
	return ok && *argv == NULL;
}

static void
check_nobody(const struct service *svc)
{
	struct passwd *pw = getpwnam("nobody");

	if (pw == NULL)
		return;		/* no such user here: nothing to compare */
	CHECK(svc->uid == pw->pw_uid && svc->gid == pw->pw_gid);
	CHECK(svc->ngroups >= 1);
}

static void
test_good(void)
{
	struct config		*conf;
	struct service		*s;
	struct servent		*se = getservbyname("echo", "tcp");
	char			 handler[PATH_MAX + 16];
	size_t			 i;

	write_file("handler", 0755, "#!/bin/sh\nexec cat\n");
	snprintf(handler, sizeof(handler), "%s", path_of("handler"));
	write_file("good.conf", 0644,
	    "# comments do not count\n"
	    "defaults {\n"
	    "\tenv = { \"A=1\" }\n"
	    "\tstderr = \"null\"\n"
	    "\tbacklog = 64\n"
	    "\tprefork = 0\n"
	    "}\n"
	    "\n"
	    "service sh1 {\n"				/* line 9 */
	    "\tport = 7001\n"
	    "\tshell = \"echo hi\"\n"
	    "\targs = { \"x\", \"y\" }\n"
	    "}\n"
	    "/* a block\n"
	    "   comment */\n"
	    "service ex {\n"				/* line 16 */
	    "\tport = \"echo\"\n"
	    "\taddress = { \"127.0.0.1\", \"[::1]\" }\n"
	    "\texec = \"handler\"\n"
	    "\targs = { \"-a\" }\n"
	    "\tenv = { \"B=2\" }\n"
	    "\tstderr = \"client\"\n"
	    "\tbacklog = 10\n"
	    "\tprefork = 3\n"
	    "\tenabled = false\n"
	    "}\n"
	    "service \"rel\" {\n"			/* line 27 */
	    "\tport = 7003\n"
	    "\taddress = \"127.0.0.1\"\n"
	    "\texec = \"handler\"\n"
	    "\targv0 = \"myname\"\n"
	    "\tuser = \"0\"\n"
	    "}\n");
	conf = load("good.conf");
	CHECK(conf != NULL && nerrs == 0);
	if (conf == NULL)
		return;
	CHECK(STREQ(conf->file, path_of("good.conf")));
	CHECK(conf->include_dir == NULL && conf->pidfile == NULL);
	CHECK(conf->nservices == 3);
	if (conf->nservices != 3)
		goto out;

	/* shell: sh -c SNIPPET NAME ARGS..., defaults inherited */
	s = conf->services[0];
	CHECK(STREQ(s->name, "sh1") && s->line == 9);
	CHECK(STREQ(s->file, path_of("good.conf")));
	CHECK(s->port == 7001 && s->enabled && s->protocol == PROTO_TCP);
	CHECK(s->naddrs == 2 && s->addrs_default);
	CHECK(addr_is(s, 0, "0.0.0.0") && addr_is(s, 1, "::"));
	CHECK(s->addrs[0].ss_family == AF_INET);
	CHECK(s->addrs[1].ss_family == AF_INET6);
	CHECK(STREQ(s->path, "/bin/sh"));
	CHECK(argv_is(s->argv, "sh", "-c", "echo hi", "sh1", "x", "y", NULL));
	for (i = 0; i < CONN_ENV_SLOTS; i++)
		CHECK(s->envp[i] == NULL);
	CHECK(s->nenv == 3);
	CHECK(strncmp(s->envp[CONN_ENV_SLOTS], "PATH=/", 6) == 0);
	CHECK(STREQ(s->envp[CONN_ENV_SLOTS + 1], "SERVICE=sh1"));
	CHECK(STREQ(s->envp[CONN_ENV_SLOTS + 2], "A=1"));
	CHECK(s->envp[CONN_ENV_SLOTS + 3] == NULL);
	CHECK(s->stderr_mode == STDERR_NULL);
	CHECK(s->backlog == 64 && s->prefork == 0);
	CHECK(STREQ(s->user, "nobody"));
	check_nobody(s);

	/* exec: argv[0] is the basename, the service overrides defaults */
	s = conf->services[1];
	CHECK(STREQ(s->name, "ex") && s->line == 16);
	if (se != NULL)
		CHECK(s->port == ntohs((uint16_t)se->s_port));
	CHECK(!s->enabled);
	CHECK(s->naddrs == 2 && !s->addrs_default);
	CHECK(addr_is(s, 0, "127.0.0.1") && addr_is(s, 1, "::1"));
	CHECK(STREQ(s->path, handler));
	CHECK(argv_is(s->argv, "handler", "-a", NULL));
	CHECK(s->nenv == 4);
	CHECK(STREQ(s->envp[CONN_ENV_SLOTS + 1], "SERVICE=ex"));
	CHECK(STREQ(s->envp[CONN_ENV_SLOTS + 2], "A=1"));
	CHECK(STREQ(s->envp[CONN_ENV_SLOTS + 3], "B=2"));
	CHECK(s->envp[CONN_ENV_SLOTS + 4] == NULL);
	CHECK(s->stderr_mode == STDERR_CLIENT);
	CHECK(s->backlog == 10 && s->prefork == 3);
	check_nobody(s);

	/* argv0 replaces the basename; a numeric user */
	s = conf->services[2];
	CHECK(STREQ(s->name, "rel") && s->line == 27);
	CHECK(s->port == 7003 && s->naddrs == 1 && addr_is(s, 0, "127.0.0.1"));
	CHECK(STREQ(s->path, handler));
	CHECK(argv_is(s->argv, "myname", NULL));
	CHECK(s->uid == 0 && STREQ(s->user, "0"));
out:
	config_free(conf);
}

/* Without defaults { }: the built-in ones. */
static void
test_builtin_defaults(void)
{
	struct config	*conf;
	struct service	*s;

	write_file("builtin.conf", 0644,
	    "service a {\n"
	    "\tport = 7001\n"
	    "\tshell = \"true\"\n"
	    "}\n");
	conf = load("builtin.conf");
	CHECK(conf != NULL && nerrs == 0);
	if (conf == NULL || conf->nservices != 1) {
		CHECK(0);
		config_free(conf);
		return;
	}
	s = conf->services[0];
	CHECK(STREQ(s->user, "nobody"));
	check_nobody(s);
	CHECK(s->stderr_mode == STDERR_LOG);
	CHECK(s->backlog == 128 && s->prefork == 0);
	CHECK(s->nenv == 2 && s->envp[CONN_ENV_SLOTS + 2] == NULL);
	config_free(conf);
}

/* include_dir relative to the main file; only *.conf, in lexical order,
 * with the main file's defaults. */
static void
test_dropins(void)
{
	struct config	*conf;
	char		 want[PATH_MAX + 16];

	if (mkdir(path_of("conf.d"), 0755) != 0) {
		perror("mkdir");
		exit(2);
	}
	write_file("dropins.conf", 0644,
	    "include_dir = \"conf.d\"\n"
	    "pidfile = \"/run/x.pid\"\n"
	    "defaults { prefork = 5 }\n"
	    "service main { port = 7001\n shell = \"true\" }\n");
	write_file("conf.d/20-b.conf", 0644,
	    "# second\n"
	    "service b {\n"
	    "\tport = 7003\n"
	    "\tshell = \"true\"\n"
	    "\tprefork = 1\n"
	    "}\n");
	write_file("conf.d/10-a.conf", 0644,
	    "\n"
	    "service a { port = 7002\n shell = \"true\" }\n");
	write_file("conf.d/README", 0644, "not read\n");
	write_file("conf.d/.hidden.conf", 0644, "not read either\n");
	conf = load("dropins.conf");
	CHECK(conf != NULL && nerrs == 0);
	if (conf == NULL)
		return;
	snprintf(want, sizeof(want), "%s", path_of("conf.d"));
	CHECK(STREQ(conf->include_dir, want));
	CHECK(STREQ(conf->pidfile, "/run/x.pid"));
	CHECK(conf->nservices == 3);
	if (conf->nservices == 3) {
		CHECK(STREQ(conf->services[0]->name, "main"));
		CHECK(STREQ(conf->services[1]->name, "a"));
		CHECK(STREQ(conf->services[1]->file,
		    path_of("conf.d/10-a.conf")));
		CHECK(conf->services[1]->line == 2);
		CHECK(conf->services[1]->prefork == 5);
		CHECK(STREQ(conf->services[2]->name, "b"));
		CHECK(conf->services[2]->line == 2);
		CHECK(conf->services[2]->prefork == 1);
	}
	config_free(conf);
}

static void
test_errors(void)
{
	struct config *conf;

	/* the line of the option, comments of all kinds before it */
	write_file("e1.conf", 0644,
	    "# one\n"
	    "// two\n"
	    "/* three\n"
	    "   four */\n"
	    "pidfile = \"/x\" # five\n"
	    "bogus = 1\n");
	conf = load("e1.conf");
	CHECK(conf == NULL && nerrs == 1);
	config_free(conf);
	CHECK(error_is(0, "e1.conf", 6, "no such option 'bogus'"));

	/* independent errors are all reported, each once */
	write_file("e2.conf", 0644,
	    "defaults {\n"
	    "\tbacklog = 0\n"
	    "}\n"
	    "service a {\n"
	    "\tport = 7001\n"
	    "\tshell = \"true\"\n"
	    "\tuser = \"pinetd-no-such-user\"\n"
	    "}\n"
	    "service b {\n"
	    "\tport = 65536\n"
	    "\tshell = \"true\"\n"
	    "\tgroup = \"pinetd-no-such-group\"\n"
	    "\taddress = { \"127.0.0.1\", \"localhost\" }\n"
	    "}\n"
	    "service c {\n"
	    "\tport = 7003\n"
	    "}\n");
	conf = load("e2.conf");
	CHECK(conf == NULL && nerrs == 6);
	config_free(conf);
	CHECK(error_is(0, "e2.conf", 2,
	    "backlog: bad value '0': want an integer in 1..65535"));
	CHECK(error_is(1, "e2.conf", 7,
	    "user: unknown user 'pinetd-no-such-user'"));
	CHECK(error_is(2, "e2.conf", 10, "port: bad port '65536': not a "
	    "number in 1..65535 nor a service in /etc/services"));
	CHECK(error_is(3, "e2.conf", 12,
	    "group: unknown group 'pinetd-no-such-group'"));
	CHECK(error_is(4, "e2.conf", 13, "address: bad address 'localhost': "
	    "not a numeric IPv4 or IPv6 address"));
	CHECK(error_is(5, "e2.conf", 15,
	    "service 'c': no handler: set exec, shell or builtin"));

	/* a file that ends inside a section */
	write_file("e3.conf", 0644,
	    "service a {\n"
	    "\tport = 7001\n"
	    "\tshell = \"echo '}'\"\n");
	conf = load("e3.conf");
	CHECK(conf == NULL && nerrs == 1);
	config_free(conf);
	CHECK(error_is(0, "e3.conf", 1,
	    "unexpected end of file: this '{' is never closed"));

	/* a drop-in redefines a service of the main file */
	write_file("e4.conf", 0644,
	    "include_dir = \"e4.d\"\n"
	    "service a { port = 7001\n shell = \"true\" }\n");
	if (mkdir(path_of("e4.d"), 0755) != 0) {
		perror("mkdir");
		exit(2);
	}
	write_file("e4.d/a.conf", 0644,
	    "service x { port = 7002\n shell = \"true\" }\n"
	    "service a { port = 7003\n shell = \"true\" }\n");
	conf = load("e4.conf");
	CHECK(conf == NULL && nerrs == 1);
	config_free(conf);
	CHECK(error_is(0, "e4.d/a.conf", 3, "duplicate service 'a' (first "
	    "defined at %s:2)", path_of("e4.conf")));

	/* two services on one address and port */
	write_file("e5.conf", 0644,
	    "service a { port = 7001\n shell = \"true\" }\n"
	    "service b {\n port = 7001\n address = \"::1\"\n"
	    " shell = \"true\" }\n");
	conf = load("e5.conf");
	CHECK(conf == NULL && nerrs == 1);
	config_free(conf);
	CHECK(error_is(0, "e5.conf", 3, "service 'b': address ::1 port 7001 "
	    "is already used by service 'a' (%s:1)", path_of("e5.conf")));

	/* the file itself */
	write_file("e6.conf", 0664, "");
	conf = load("e6.conf");
	CHECK(conf == NULL && nerrs == 1);
	config_free(conf);
	CHECK(error_is(0, "e6.conf", 1,
	    "writable by group or others (mode 0664); refusing it"));
	conf = load("missing.conf");
	CHECK(conf == NULL && nerrs == 1);
	config_free(conf);
	CHECK(error_is(0, "missing.conf", 1,
	    "cannot read: No such file or directory"));

	/* an empty file is a configuration without services */
	write_file("empty.conf", 0644, "");
	conf = load("empty.conf");
	CHECK(conf != NULL && nerrs == 0 && conf->nservices == 0);
	config_free(conf);
}

/* Lookups of the passwd and group databases, counted by name, in memory
 * shared with the lookup process of each load, which makes them. */
static int	*lookups;	/* nobody, nogroup, grouplist */
#define lookups_nobody		lookups[0]
#define lookups_nogroup		lookups[1]
#define lookups_grouplist	lookups[2]

struct passwd *
getpwnam(const char *name)
{
	static struct passwd *(*real)(const char *);

	if (real == NULL)
		real = (struct passwd *(*)(const char *))dlsym(RTLD_NEXT,
		    "getpwnam");
	if (lookups != NULL && strcmp(name, "nobody") == 0)
		lookups_nobody++;
	return real(name);
}

struct group *
getgrnam(const char *name)
{
	static struct group *(*real)(const char *);

	if (real == NULL)
		real = (struct group *(*)(const char *))dlsym(RTLD_NEXT,
		    "getgrnam");
	if (lookups != NULL && strcmp(name, "nogroup") == 0)
		lookups_nogroup++;
	return real(name);
}

int
getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	static int (*real)(const char *, gid_t, gid_t *, int *);

	if (real == NULL)
		real = (int (*)(const char *, gid_t, gid_t *, int *))dlsym(
		    RTLD_NEXT, "getgrouplist");
	if (lookups != NULL)
		lookups_grouplist++;
	return real(user, group, groups, ngroups);
}

/* Each distinct user and group is looked up once per load, however many
 * services and options name it. */
static void
test_lookups_once(void)
{
	struct config	*conf;
	char		 text[4096];
	size_t		 n = 0;
	int		 i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "defaults {\n"
	    "\tuser = nobody\n\tgroup = nogroup\n}\n");
	for (i = 0; i < 8; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "service s%d {\n\tport = %d\n\tshell = \"true\"\n"
		    "\tuser = nobody\n}\n", i, 7100 + i);
	write_file("once.conf", 0644, text);
	lookups = mmap(NULL, 3 * sizeof(int), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(lookups != MAP_FAILED);
	if (lookups == MAP_FAILED)
		return;
	lookups_nobody = lookups_nogroup = lookups_grouplist = 0;
	conf = load("once.conf");
	CHECK(conf != NULL && nerrs == 0 && conf->nservices == 8);
	CHECK(lookups_nobody == 1);
	CHECK(lookups_nogroup == 1);
	CHECK(lookups_grouplist == 1);
	config_free(conf);
	/* the next load looks again: the databases may have changed */
	conf = load("once.conf");
	CHECK(lookups_nobody == 2);
	config_free(conf);
	munmap(lookups, 3 * sizeof(int));
	lookups = NULL;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

/* Of the earlier services a new one collides with, the first loaded is
 * named, whatever the order of the new one's addresses; a disabled
 * service and the other of tcp and udp take no address; v6 and v4 are
 * apart. */
static void
test_collisions(void)
{
	struct config *conf;

	write_file("c1.conf", 0644,
	    "service a { port = 7100 address = \"127.0.0.2\" shell = \"true\" }\n"
	    "service b { port = 7100 address = \"127.0.0.1\" shell = \"true\" }\n"
	    "service c { port = 7100 address = { \"127.0.0.1\", \"127.0.0.2\" }\n"
	    "\tshell = \"true\" }\n"
	    "service d { port = 7100 address = \"0.0.0.0\" shell = \"true\" }\n"
	    "service e { port = 7101 address = \"0.0.0.0\" enabled = false\n"
	    "\tshell = \"true\" }\n"
	    "service f { port = 7101 address = \"127.0.0.1\" shell = \"true\" }\n"
	    "service g { port = 7101 address = \"127.0.0.1\" protocol = udp\n"
	    "\tshell = \"true\" }\n"
	    "service h { port = 7101 address = \"::\" shell = \"true\" }\n"
	    "service i { port = 7101 address = { \"::1\", \"0.0.0.0\" }\n"
	    "\tshell = \"true\" }\n");
	conf = load("c1.conf");
	CHECK(conf == NULL && nerrs == 3);
	config_free(conf);
	CHECK(error_is(0, "c1.conf", 3, "service 'c': address 127.0.0.2 port "
	    "7100 is already used by service 'a' (%s:1)", path_of("c1.conf")));
	CHECK(error_is(1, "c1.conf", 5, "service 'd': address 0.0.0.0 port "
	    "7100 is already used by service 'a' (%s:1)", path_of("c1.conf")));
	CHECK(error_is(2, "c1.conf", 12, "service 'i': address 0.0.0.0 port "
	    "7101 is already used by service 'f' (%s:8)", path_of("c1.conf")));
}

/* Services past the first chunks of the parse keep their lines, and
 * the errors of one file come in the order of their lines, a global
 * option's among the services'. */
static void
test_many(void)
{
	struct config	*conf;
	char		*text = NULL, *tmp;
	size_t		 len = 0;
	FILE		*fp = open_memstream(&text, &len);
	int		 i, line = 1, lport = 0, llevel = 0, luser = 0, ldup = 0;

	for (i = 0; i < 400; i++) {
		if (i == 150)
			lport = line;
		if (i == 250)
			luser = line;
		if (i == 399)
			ldup = line;
		fprintf(fp, "service s%d {\n\tport = %d\n\tshell = \"true\"%s\n}\n",
		    i == 399 ? 10 : i, i == 150 ? 0 : 7200 + i,
		    i == 250 ? " user = \"pinetd-no-such-user\"" : "");
		line += 4;
		if (i == 200) {
			fprintf(fp, "log_level = loud\n");
			llevel = line++;
		}
	}
	fclose(fp);
	if ((tmp = malloc(len + 1)) == NULL)
		exit(2);
	memcpy(tmp, text, len + 1);
	write_file("many.conf", 0644, tmp);
	free(tmp);
	free(text);
	conf = load("many.conf");
	CHECK(conf == NULL && nerrs == 4);
	config_free(conf);
	CHECK(error_is(0, "many.conf", lport + 1, "port: bad port '0': not a "
	    "number in 1..65535 nor a service in /etc/services"));
	CHECK(error_is(1, "many.conf", llevel, "log_level: bad value 'loud': "
	    "want error, warning, notice, info or debug"));
	CHECK(error_is(2, "many.conf", luser + 2, "user: unknown user "
	    "'pinetd-no-such-user'"));
	CHECK(error_is(3, "many.conf", ldup, "duplicate service 's10' (first "
	    "defined at %s:41)", path_of("many.conf")));
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/test_config.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	umask(022);
	test_good();
	test_builtin_defaults();
	test_dropins();
	test_errors();
	test_lookups_once();
	test_collisions();
	test_many();
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	printf("test_config: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
