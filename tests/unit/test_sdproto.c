/* Unit tests for the service manager protocols spoken without libsystemd:
 * LISTEN_* parsing, notification datagrams, the watchdog interval.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/sdproto.h"

#include "check.h"

static void
free_names(char **names, int n)
{
	int i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

static void
test_listen_parse(void)
{
	char	**names;
	int	  n;

	n = sdproto_listen_parse("42", "3", "a:b:echo", 42, &names);
	CHECK(n == 3 && names != NULL);
	if (n == 3 && names) {
		CHECK(strcmp(names[0], "a") == 0);
		CHECK(strcmp(names[1], "b") == 0);
		CHECK(strcmp(names[2], "echo") == 0);
	}
	free_names(names, n);
	/* without LISTEN_FDNAMES every socket is "unknown" */
	n = sdproto_listen_parse("42", "2", NULL, 42, &names);
	CHECK(n == 2 && names && strcmp(names[0], "unknown") == 0 &&
	    strcmp(names[1], "unknown") == 0);
	free_names(names, n);
	/* empty names are names */
	n = sdproto_listen_parse("42", "2", ":x", 42, &names);
	CHECK(n == 2 && names && strcmp(names[0], "") == 0 &&
	    strcmp(names[1], "x") == 0);
	free_names(names, n);
	/* meant for another process, or nothing passed */
	CHECK(sdproto_listen_parse("43", "3", "a:b:c", 42, &names) == 0 &&
	    names == NULL);
	CHECK(sdproto_listen_parse(NULL, "3", NULL, 42, &names) == 0);
	CHECK(sdproto_listen_parse("42", NULL, NULL, 42, &names) == 0);
	CHECK(sdproto_listen_parse("42", "0", NULL, 42, &names) == 0 &&
	    names == NULL);
	/* garbage */
	CHECK(sdproto_listen_parse("", "1", NULL, 42, &names) == -1);
	CHECK(sdproto_listen_parse("42x", "1", NULL, 42, &names) == -1);
	CHECK(sdproto_listen_parse(" 42", "1", NULL, 42, &names) == -1);
	CHECK(sdproto_listen_parse("-42", "1", NULL, 42, &names) == -1);
	CHECK(sdproto_listen_parse("0", "1", NULL, 42, &names) == -1);
	CHECK(sdproto_listen_parse("99999999999", "1", NULL, 42,
	    &names) == -1);
	CHECK(sdproto_listen_parse("42", "-1", NULL, 42, &names) == -1);
	CHECK(sdproto_listen_parse("42", "1a", NULL, 42, &names) == -1);
	CHECK(sdproto_listen_parse("42", "", NULL, 42, &names) == -1);
	CHECK(sdproto_listen_parse("42", "4097", NULL, 42, &names) == -1);
	CHECK(sdproto_listen_parse("42", "18446744073709551617", NULL, 42,
	    &names) == -1);
	/* as many names as sockets, no more, no fewer */
	CHECK(sdproto_listen_parse("42", "3", "a:b", 42, &names) == -1 &&
	    names == NULL);
	CHECK(sdproto_listen_parse("42", "1", "a:b", 42, &names) == -1 &&
	    names == NULL);
}

/* LISTEN_* from the environment: fds from 3, close-on-exec, unset after. */
static void
test_listen_env(void)
{
	char	  pid[32], **names = NULL;
	int	  p[2], *fds = NULL, n, i;

	CHECK(pipe(p) == 0);
	CHECK(dup2(p[0], 3) == 3 && dup2(p[1], 4) == 4);
	close(p[0]);
	close(p[1]);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "2", 1);
	setenv("LISTEN_FDNAMES", "in:out", 1);
	n = sdproto_listen_fds(&fds, &names);
	CHECK(n == 2 && fds && names);
	for (i = 0; n == 2 && fds && i < n; i++) {
		CHECK(fds[i] == 3 + i);
		CHECK((fcntl(fds[i], F_GETFD) & FD_CLOEXEC) != 0);
	}
	if (n == 2 && names)
		CHECK(strcmp(names[0], "in") == 0 &&
		    strcmp(names[1], "out") == 0);
	CHECK(getenv("LISTEN_PID") == NULL && getenv("LISTEN_FDS") == NULL &&
	    getenv("LISTEN_FDNAMES") == NULL);
	free(fds);
	free_names(names, n);
	/* another pid: nothing taken, variables unset all the same */
	setenv("LISTEN_PID", "1", 1);
	setenv("LISTEN_FDS", "2", 1);
	CHECK(sdproto_listen_fds(&fds, &names) == 0 && fds == NULL &&
	    names == NULL);
	CHECK(getenv("LISTEN_PID") == NULL && getenv("LISTEN_FDS") == NULL);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "two", 1);
	CHECK(sdproto_listen_fds(&fds, &names) == -1 && fds == NULL);
	CHECK(getenv("LISTEN_FDS") == NULL);
	close(3);
	close(4);
}

/* Binds a datagram socket (name[0] '\0': abstract, nlen bytes). */
static int
bind_dgram(const char *name, size_t nlen)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, nlen);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, (socklen_t)
	    (offsetof(struct sockaddr_un, sun_path) + nlen)) != 0)
		return -1;
	return fd;
}

static int
got(int fd, const char *want)
{
	char	buf[512];
	ssize_t	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	return n == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)n) == 0;
}

static void
test_notify(void)
{
	char	dir[] = "/tmp/test_sdproto.XXXXXX", path[128], abs[64];
	int	fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/notify", dir);
	CHECK((fd = bind_dgram(path, strlen(path))) >= 0);
	CHECK(sdproto_notify(path, "READY=1\nSTATUS=2 services") == 0);
	CHECK(got(fd, "READY=1\nSTATUS=2 services"));
	close(fd);
	unlink(path);
	/* nobody listening there any more */
	CHECK(sdproto_notify(path, "READY=1") == -1 && errno == ENOENT);
	rmdir(dir);

	/* abstract: '@' stands for the leading NUL; no trailing NUL */
	snprintf(abs, sizeof(abs), "@pinetd-test-%ld", (long)getpid());
	{
		char name[64];

		memcpy(name, abs, strlen(abs));
		name[0] = '\0';
		CHECK((fd = bind_dgram(name, strlen(abs))) >= 0);
	}
	CHECK(sdproto_notify(abs, "WATCHDOG=1") == 0);
	CHECK(got(fd, "WATCHDOG=1"));
	close(fd);

	CHECK(sdproto_notify("relative/path", "READY=1") == -1 &&
	    errno == EINVAL);
	CHECK(sdproto_notify("@", "READY=1") == -1 && errno == EINVAL);
	CHECK(sdproto_notify(NULL, "READY=1") == -1 && errno == EINVAL);
}

static void
test_watchdog(void)
{
	uint64_t usec = 0;

	CHECK(sdproto_watchdog("30000000", NULL, 42, &usec) == 1 &&
	    usec == 30000000);
	CHECK(sdproto_watchdog("1", "42", 42, &usec) == 1 && usec == 1);
	CHECK(sdproto_watchdog("30000000", "43", 42, &usec) == 0);
	CHECK(sdproto_watchdog(NULL, "42", 42, &usec) == 0);
	CHECK(sdproto_watchdog("0", NULL, 42, &usec) == -1);
	CHECK(sdproto_watchdog("", NULL, 42, &usec) == -1);
	CHECK(sdproto_watchdog("3s", NULL, 42, &usec) == -1);
	CHECK(sdproto_watchdog("-1", NULL, 42, &usec) == -1);
	CHECK(sdproto_watchdog("18446744073709551616", NULL, 42, &usec) == -1);
	CHECK(sdproto_watchdog("30000000", "x", 42, &usec) == -1);
	CHECK(sdproto_watchdog("30000000", "", 42, &usec) == -1);
}

int
main(void)
{
	test_listen_parse();
	test_listen_env();
	test_notify();
	test_watchdog();
	printf("test_sdproto: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
