/* pinetd.c: main: options, start-up order, hand-over to the loop.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#include "ac-config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/libutil.h>

#include "config.h"
#include "conn.h"
#include "exporter.h"
#include "control.h"
#include "inetd.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "policy.h"
#include "prefork.h"
#include "proctitle.h"
#include "reaper.h"
#include "reload.h"
#include "runtime.h"
#include "spawn.h"
#include "status.h"
#include "strbuf.h"

#ifndef PINETD_CONF
#define PINETD_CONF	"/etc/pinetd.conf"
#endif
#ifndef PINETD_PIDFILE
#define PINETD_PIDFILE	"/run/pinetd.pid"
#endif
#ifndef PINETD_CONTROL
#define PINETD_CONTROL	"/run/pinetd.sock"
#endif

/* Exit codes: a documented contract (see pinetd(8)). */
#define EX_OK		0
#define EX_CONFIG	1
#define EX_USAGE	100
#define EX_TEMP		111

static struct config	*conf;
static struct pidfh	*pidfh;
static char		*conf_path;	/* absolute */

static void
print_usage(FILE *fp)
{
	fprintf(fp, "usage: pinetd [-f FILE] [-t] [--syslog] [--daemon] "
	    "[-p PIDFILE] [-c SOCKET] [-q | -v] [-V]\n"
	    "       pinetd --import-inetd FILE\n"
	    "       pinetd --help\n");
}

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(EX_USAGE);
}

static void __attribute__((noreturn))
help(void)
{
	print_usage(stdout);
	printf("\n"
	    "  -f, --config FILE    the configuration (default %s)\n"
	    "  -t, --test           check the configuration and exit\n"
	    "  --syslog             log to syslog instead of stderr\n"
	    "  --daemon             detach, and write a pidfile\n"
	    "  -p, --pidfile FILE   the pidfile (default %s with --daemon)\n"
	    "  -c, --control SOCKET the control socket (default %s)\n"
	    "  -q, --quiet          log warnings and errors only\n"
	    "  -v, --verbose        log debug lines too\n"
	    "  -V, --version        print the version and exit\n"
	    "  --import-inetd FILE  print an inetd.conf as pinetd.conf sections\n"
	    "\nSee pinetd(8) and pinetd.conf(5). Report bugs at %s.\n",
	    PINETD_CONF, PINETD_PIDFILE, PINETD_CONTROL, PACKAGE_BUGREPORT);
	exit(EX_OK);
}

/*
 * Creates the directory of a runtime file (pidfile, control socket) and
 * its missing parents, mode 0755: a build with its own prefix has a
 * runstatedir that nothing else creates. An existing directory is used as
 * it is; a symbolic link is followed only if root (or this process) owns
 * it, as /var/run -> /run; anything else is refused.
 */
static int
make_runtime_dir(const char *file)
{
	char		 dir[PATH_MAX], *p, *slash, c;
	struct stat	 st;

	if (strlcpy(dir, file, sizeof(dir)) >= sizeof(dir)) {
		log_warnx("%s: path too long", file);
		return -1;
	}
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (lstat(dir, &st) != 0) {
			if (errno != ENOENT) {
				log_warn("%s", dir);
				return -1;
			}
			if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
				log_warn("cannot create the directory %s", dir);
				return -1;
			}
			/* The umask may have taken bits away. */
			if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
			    st.st_uid == geteuid() && chmod(dir, 0755) == 0)
				log_info("created the directory %s", dir);
			if (lstat(dir, &st) != 0) {
				log_warn("%s", dir);
				return -1;
			}
		}
		if (S_ISLNK(st.st_mode)) {
			if (st.st_uid != 0 && st.st_uid != geteuid()) {
				log_warnx("%s: a symbolic link owned by uid %u; "
				    "refusing it", dir, (unsigned)st.st_uid);
				return -1;
			}
			if (stat(dir, &st) != 0) {
				log_warn("%s: a symbolic link to nothing; "
				    "refusing it", dir);
				return -1;
			}
		}
		if (!S_ISDIR(st.st_mode)) {
			log_warnx("%s: not a directory", dir);
			return -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	return 0;
}

static void
print_error(const char *line, void *arg)
{
	if (arg)
		fprintf(stderr, "%s\n", line);
	else
		log_warnx("%s", line);
}

/* --import-inetd: an inetd.conf printed as pinetd.conf sections, for an
 * admin moving over for good; errors go to stderr as FILE:LINE. */
static int
import_inetd(const char *file)
{
	struct strbuf	 out = { 0 };
	int		 errors;

	errors = inetd_convert(file, INETD_PRETTY, &out, print_error,
	    (void *)1);
	if (errors != 0 || out.failed) {
		strbuf_free(&out);
		return EX_CONFIG;
	}
	printf("# Services from %s, converted by pinetd --import-inetd.\n\n%s",
	    file, out.s != NULL ? out.s : "");
	strbuf_free(&out);
	return fflush(stdout) == 0 ? EX_OK : EX_TEMP;
}

#define STOP_GRACE	2	/* seconds between SIGTERM and SIGKILL */

/* Stop: no new connection, then handlers get shutdown_timeout seconds to
 * finish; a second signal cuts the wait short. */
static int stopping;

static void
master_stop(int signo)
{
	if (stopping) {
		log_info("%s again: not waiting any longer", strsignal(signo));
		reaper_drain(0, STOP_GRACE, policy_running(), loop_stop);
		return;
	}
	stopping = 1;
	log_info("%s: stopping", strsignal(signo));
	notify_stopping();
	listener_close_all();
	prefork_stop();
	reaper_drain(conf->shutdown_timeout, STOP_GRACE, policy_running(),
	    loop_stop);
}

/* SIGHUP and pinetctl reload, with systemd told around it. */
static int
master_reload(char *msg, size_t len)
{
	int rc;

	if (stopping) {
		snprintf(msg, len, "stopping: not reloading\n");
		log_warnx("stopping: not reloading");
		return -1;
	}
	notify_reloading();
	rc = reload_run(msg, len);
	notify_ready();
	return rc;
}

static void
on_signal(int signo)
{
	switch (signo) {
	case SIGCHLD:
		reaper_run();
		break;
	case SIGTERM:
	case SIGINT:
		master_stop(signo);
		break;
	case SIGHUP: {
		char msg[1024];

		(void)master_reload(msg, sizeof(msg));
		break;
	}
	case SIGUSR1:
		status_log();
		break;
	default:
		break;
	}
}

/* Whatever dispositions we were started with (a shell's background job
 * ignores SIGINT and SIGQUIT), handlers must start from the defaults; the
 * master itself only ignores SIGPIPE, which the child setup resets. */
static void
reset_signals(void)
{
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	(void)signal(SIGPIPE, SIG_IGN);
}

/* Handlers get the client on 0 and 1 by dup2: those fds (and 2) must
 * never be a client or listener, so they are kept open. */
static void
sanitize_stdio(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static void
warn_credentials(void)
{
	size_t i;

	if (geteuid() == 0)
		return;
	for (i = 0; i < conf->nservices; i++)
		if (conf->services[i]->uid != geteuid()) {
			log_warnx("not running as root: handlers run as uid "
			    "%u, not as their configured users",
			    (unsigned)geteuid());
			return;
		}
}

/* Detaches before anything is set up (a signalfd watched by epoll does
 * not follow a fork), but the parent waits for the child to report start-
 * up, so that a bind failure still reaches the caller as an exit status. */
static int
daemon_start(void)
{
	int	p[2], st;
	char	c;
	pid_t	pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		fatal("pipe");
	if ((pid = fork()) < 0)
		fatal("fork");
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) == 1)
			_exit(EX_OK);
		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
			_exit(WEXITSTATUS(st));
		_exit(EX_TEMP);
	}
	close(p[0]);
	log_forked();
	if (setsid() < 0)
		fatal("setsid");
	if (chdir("/") != 0)
		fatal("chdir /");
	return p[1];
}

/* Tells the waiting parent that we are serving; stdio goes to /dev/null. */
static void
daemon_ready(int fd)
{
	int null;

	if (fd < 0)
		return;
	(void)write(fd, "", 1);
	close(fd);
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		log_reopen();
		if (null > STDERR_FILENO)
			close(null);
	}
}

static void
open_pidfile(const char *path)
{
	pid_t other;

	pidfh = pidfile_open(path, 0644, &other);
	if (pidfh == NULL) {
		if (errno == EEXIST)
			fatalx("already running as pid %ld (%s)", (long)other,
			    path);
		fatal("pidfile %s", path);
	}
	/* libbsd leaves it inheritable */
	(void)fcntl(pidfile_fileno(pidfh), F_SETFD, FD_CLOEXEC);
}

int
main(int argc, char *argv[], char *envp[])
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'f' },
		{ "test",	no_argument,		NULL, 't' },
		{ "syslog",	no_argument,		NULL, 's' },
		{ "daemon",	no_argument,		NULL, 'd' },
		{ "pidfile",	required_argument,	NULL, 'p' },
		{ "control",	required_argument,	NULL, 'c' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "import-inetd", required_argument,	NULL, 'I' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	const char	*file = PINETD_CONF, *pidpath = NULL;
	const char	*ctlpath = PINETD_CONTROL;
	int		 ch, test = 0, use_syslog = 0, daemonize = 0;
	int		 level = LOG_LVL_INFO, ready_fd = -1;
	sigset_t	 sigs;

	proctitle_init(argc, argv, envp);
	while ((ch = getopt_long(argc, argv, "f:tp:c:qvVh", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 's':
			use_syslog = 1;
			break;
		case 'd':
			daemonize = 1;
			break;
		case 'p':
			pidpath = optarg;
			break;
		case 'c':
			ctlpath = optarg;
			break;
		case 'q':
			level = LOG_LVL_WARN;
			break;
		case 'v':
			level = LOG_LVL_DEBUG;
			break;
		case 'V':
			printf("pinetd %s\n", PACKAGE_VERSION);
			return EX_OK;
		case 'I':
			return import_inetd(optarg);
		case 'h':
			help();
		default:
			usage();
		}
	if (optind != argc)
		usage();
	log_init("pinetd", use_syslog, level);
	if (level != LOG_LVL_INFO)
		log_pin_level();
	sanitize_stdio();
	/* Relative paths in the config are taken from its directory: keep
	 * them valid after a chdir. */
	if ((conf_path = realpath(file, NULL)) != NULL)
		file = conf_path;

	conf = config_load(file, print_error, test ? (void *)1 : NULL);
	if (test) {
		if (conf == NULL)
			return EX_CONFIG;
		printf("configuration OK\n");
		config_free(conf);
		return EX_OK;
	}
	if (conf == NULL) {
		log_warnx("%s: configuration has errors; not starting", file);
		return EX_CONFIG;
	}
	log_config_level(conf->log_level);
	if (pidpath == NULL && daemonize)
		pidpath = conf->pidfile ? conf->pidfile : PINETD_PIDFILE;

	if (daemonize)
		ready_fd = daemon_start();
	else if (chdir("/") != 0)
		fatal("chdir /");
	reset_signals();
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	if (loop_init(&sigs, on_signal) != 0)
		fatal("event loop");
	if (spawn_init() != 0)
		fatal("spawn setup");
	loop_set_batch_end(exporter_flush);
	loop_set_idle(prefork_refill);

	if (pidpath) {
		(void)make_runtime_dir(pidpath);
		open_pidfile(pidpath);
	}
	policy_init(conf);
	conn_init();
	exporter_init(&conf);
	if (runtime_update(conf) != 0)
		fatal("runtime state");
	if (listener_open_all(conf) != 0) {
		log_warnx("not starting: a listener could not be opened");
		if (pidfh)
			pidfile_remove(pidfh);
		return EX_TEMP;
	}
	status_init(&conf);
	if (make_runtime_dir(ctlpath) != 0 || control_init(ctlpath) != 0) {
		log_warnx("not starting: no control socket");
		listener_close_all();
		if (pidfh)
			pidfile_remove(pidfh);
		return EX_TEMP;
	}
	if (pidfh)
		pidfile_write(pidfh);
	warn_credentials();
	reload_init(&conf, file);
	control_set_reload(master_reload);
	if (prefork_start(conf) != 0)
		fatal("worker pools");
	proctitle_set("master [%zu services]", conf->nservices);
	log_fields(LOG_LVL_NOTICE, &(struct log_field){ "PINETD_VERSION",
	    PACKAGE_VERSION }, 1, "ready: %zu services, %u listeners",
	    conf->nservices, listener_count());
	daemon_ready(ready_fd);
	notify_init(status_summary);
	notify_ready();

	loop_run();

	control_close();
	listener_close_all();
	prefork_stop();
	if (pidfh)
		pidfile_remove(pidfh);
	reaper_flush();
	runtime_clear();
	config_free(conf);
	log_info("stopped");
	free(conf_path);
	return EX_OK;
}
