/* sdproto.c: sd_notify(3), sd_watchdog_enabled(3) and sd_listen_fds(3)
 * spoken directly, so that the master maps no library it does not need
 * (libsystemd pulls in libgcrypt, liblzma, libzstd, liblz4 and libcap).
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdproto.h"

/* A decimal number without sign, blanks or leading garbage, up to max. */
static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int
parse_pid(const char *s, pid_t *pid)
{
	uint64_t v;

	if (parse_u64(s, INT32_MAX, &v) != 0 || v == 0)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

int
sdproto_notify(const char *path, const char *msg)
{
	struct sockaddr_un	sun;
	socklen_t		len;
	size_t			plen;
	ssize_t			n;
	int			fd, saved;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (plen = strlen(path)) < 2 || plen >= sizeof(sun.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	/* An abstract name is not NUL-terminated: its length is all. */
	if (path[0] == '@') {
		sun.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	} else
		len = (socklen_t)sizeof(sun);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	n = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len);
	saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	return 0;
}

int
sdproto_watchdog(const char *usec_s, const char *pid_s, pid_t self,
    uint64_t *usec)
{
	pid_t	 pid;

	if (usec_s == NULL)
		return 0;
	if (parse_u64(usec_s, UINT64_MAX - 1, usec) != 0 || *usec == 0)
		return -1;
	if (pid_s == NULL)
		return 1;
	if (parse_pid(pid_s, &pid) != 0)
		return -1;
	return pid == self;
}

static void
names_free(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* LISTEN_FDNAMES: exactly n names separated by ':' ("unknown" without). */
static char **
names_split(const char *s, size_t n)
{
	char		**names;
	const char	 *p = s, *end;
	size_t		  i;

	if ((names = calloc(n, sizeof(char *))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s == NULL) {
			names[i] = strdup("unknown");
		} else {
			if (p == NULL)
				goto fail;	/* fewer names than sockets */
			end = strchr(p, ':');
			names[i] = strndup(p, end ? (size_t)(end - p) :
			    strlen(p));
			p = end ? end + 1 : NULL;
		}
		if (names[i] == NULL)
			goto fail;
	}
	if (s != NULL && p != NULL)
		goto fail;		/* more names than sockets */
	return names;
fail:
	names_free(names, n);
	return NULL;
}

int
sdproto_listen_parse(const char *pid_s, const char *fds_s,
    const char *names_s, pid_t self, char ***names)
{
	pid_t		pid;
	uint64_t	n;

	if (names)
		*names = NULL;
	if (pid_s == NULL || fds_s == NULL)
		return 0;
	if (parse_pid(pid_s, &pid) != 0)
		return -1;
	if (pid != self)
		return 0;
	if (parse_u64(fds_s, SDPROTO_FDS_MAX, &n) != 0)
		return -1;
	if (n == 0 || names == NULL)
		return (int)n;
	if ((*names = names_split(names_s, (size_t)n)) == NULL)
		return -1;
	return (int)n;
}

int
sdproto_listen_fds(int **fds, char ***names)
{
	int	n, i;

	*fds = NULL;
	n = sdproto_listen_parse(getenv("LISTEN_PID"), getenv("LISTEN_FDS"),
	    getenv("LISTEN_FDNAMES"), getpid(), names);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (n <= 0)
		return n;
	if ((*fds = calloc((size_t)n, sizeof(int))) == NULL) {
		names_free(*names, (size_t)n);
		*names = NULL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		(*fds)[i] = SDPROTO_FDS_START + i;
		(void)fcntl((*fds)[i], F_SETFD, FD_CLOEXEC);
	}
	return n;
}
