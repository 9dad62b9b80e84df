/* pinetctl.c: the admin command: asks a running pinetd for its status or a
 * reload over the control socket (protocol in control.h), or checks a
 * configuration file with pinetd -t.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PINETD_CONTROL
#define PINETD_CONTROL	"/run/pinetd.sock"
#endif
#ifndef PINETD_BIN
#define PINETD_BIN	"/usr/sbin/pinetd"
#endif

/* Exit codes: see pinetctl(8). */
#define EX_OK		0
#define EX_FAILED	1	/* the daemon, or pinetd -t, said no */
#define EX_USAGE	100
#define EX_TEMP		111	/* no daemon to talk to */

#define REPLY_TIMEOUT	30	/* seconds */
#define STATUS_LINE	1024

static const char *sockpath = PINETD_CONTROL;

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: pinetctl [-s SOCKET] status [--json]\n"
	    "       pinetctl [-s SOCKET] reload\n"
	    "       pinetctl check [FILE]\n");
	exit(status);
}

static void __attribute__((noreturn))
fail(const char *what)
{
	fprintf(stderr, "pinetctl: %s: %s\n", sockpath, what);
	exit(EX_TEMP);
}

static int
ctl_connect(void)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { REPLY_TIMEOUT, 0 };
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sockpath) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "pinetctl: %s: path too long\n", sockpath);
		exit(EX_USAGE);
	}
	memcpy(sun.sun_path, sockpath, strlen(sockpath));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		fail(strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		fail(strerror(errno));
	return fd;
}

static ssize_t
ctl_read(int fd, char *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		fail("no reply in time");
	/* what the daemon wrote before closing comes first: then the end */
	if (n < 0 && errno == ECONNRESET)
		return 0;
	if (n < 0)
		fail(strerror(errno));
	return n;
}

static void
ctl_send(int fd, const char *cmd)
{
	size_t	len = strlen(cmd), off = 0;
	ssize_t	n;

	while (off < len) {
		n = send(fd, cmd + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		/* closed early, as when refused: the reply says why */
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return;
		if (n < 0)
			fail(strerror(errno));
		off += (size_t)n;
	}
}

/* Sends cmd, prints the reply: its message and payload go to standard
 * output after OK, to standard error after ERR. */
static int
ctl_request(const char *cmd)
{
	char	 buf[STATUS_LINE], *nl = NULL, *msg;
	size_t	 len = 0;
	ssize_t	 n;
	FILE	*out;
	int	 fd, ok;

	fd = ctl_connect();
	ctl_send(fd, cmd);
	while (nl == NULL && len < sizeof(buf)) {
		if ((n = ctl_read(fd, buf + len, sizeof(buf) - len)) == 0)
			fail("closed by the daemon without a reply");
		len += (size_t)n;
		nl = memchr(buf, '\n', len);
	}
	if (nl == NULL)
		fail("unexpected reply");
	*nl = '\0';
	ok = strncmp(buf, "OK", 2) == 0;
	msg = buf + (ok ? 2 : 3);
	if ((!ok && strncmp(buf, "ERR", 3) != 0) ||
	    (*msg != '\0' && *msg != ' '))
		fail("unexpected reply");
	out = ok ? stdout : stderr;
	if (*msg == ' ')
		fprintf(out, "%s\n", msg + 1);
	fwrite(nl + 1, 1, len - (size_t)(nl + 1 - buf), out);
	while ((n = ctl_read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, out);
	close(fd);
	if (fflush(out) != 0 || ferror(out)) {
		perror("pinetctl: write");
		return EX_TEMP;
	}
	return ok ? EX_OK : EX_FAILED;
}

/* pinetd -t does the checking; its output and exit status are ours. */
static int
ctl_check(const char *file)
{
	const char *bin = getenv("PINETD");

	if (bin == NULL || *bin == '\0')
		bin = PINETD_BIN;
	if (file)
		execl(bin, "pinetd", "-t", "-f", file, (char *)NULL);
	else
		execl(bin, "pinetd", "-t", (char *)NULL);
	fprintf(stderr, "pinetctl: cannot run %s: %s\n", bin, strerror(errno));
	return EX_TEMP;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "socket",	required_argument,	NULL, 's' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	const char	*cmd;
	int		 ch;

	/* "+": options end at the command */
	while ((ch = getopt_long(argc, argv, "+s:hV", longopts, NULL)) != -1)
		switch (ch) {
		case 's':
			sockpath = optarg;
			break;
		case 'h':
			usage(EX_OK);
		case 'V':
			printf("pinetctl %s\n", PACKAGE_VERSION);
			return EX_OK;
		default:
			usage(EX_USAGE);
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(EX_USAGE);
	cmd = argv[0];
	if (strcmp(cmd, "status") == 0 && argc == 1)
		return ctl_request("status\n");
	if (strcmp(cmd, "status") == 0 && argc == 2 &&
	    strcmp(argv[1], "--json") == 0)
		return ctl_request("status json\n");
	if (strcmp(cmd, "reload") == 0 && argc == 1)
		return ctl_request("reload\n");
	if (strcmp(cmd, "check") == 0 && argc <= 2)
		return ctl_check(argc == 2 ? argv[1] : NULL);
	if (strcmp(cmd, "status") == 0 && argc == 2)
		fprintf(stderr, "pinetctl: status: unknown argument '%s' "
		    "(only --json)\n", argv[1]);
	else if (strcmp(cmd, "status") == 0 || strcmp(cmd, "reload") == 0 ||
	    strcmp(cmd, "check") == 0)
		fprintf(stderr, "pinetctl: %s: too many arguments\n", cmd);
	else
		fprintf(stderr, "pinetctl: unknown command '%s'\n", cmd);
	usage(EX_USAGE);
}
