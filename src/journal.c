/* journal.c: the native journal protocol (systemd.io, "Native Journal
 * Protocol"): encoding fields and sending a record. No logging here: the
 * log module sits on top and falls back to stderr when this fails.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"

#define JOURNAL_KEY_MAX	64

int
journal_key_ok(const char *key)
{
	size_t i;

	if (key == NULL || key[0] == '_' || (key[0] >= '0' && key[0] <= '9'))
		return 0;
	for (i = 0; key[i]; i++)
		if (!((key[i] >= 'A' && key[i] <= 'Z') ||
		    (key[i] >= '0' && key[i] <= '9') || key[i] == '_'))
			return 0;
	return i > 0 && i <= JOURNAL_KEY_MAX;
}

static void
rec_put(struct journal_rec *r, const void *p, size_t n)
{
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

int
journal_append(struct journal_rec *r, const char *key, const char *value,
    size_t vlen)
{
	size_t		klen, need;
	unsigned char	le[8];
	uint64_t	v = vlen;
	int		i, binary;

	if (!journal_key_ok(key))
		return -1;
	klen = strlen(key);
	binary = memchr(value, '\n', vlen) != NULL;
	need = klen + 1 + (binary ? sizeof(le) : 0) + vlen + 1;
	if (need > r->cap - r->len)
		return -1;
	rec_put(r, key, klen);
	if (binary) {
		for (i = 0; i < 8; i++)
			le[i] = (unsigned char)(v >> (8 * i));
		rec_put(r, "\n", 1);
		rec_put(r, le, sizeof(le));
	} else
		rec_put(r, "=", 1);
	rec_put(r, value, vlen);
	rec_put(r, "\n", 1);
	return 0;
}

int
journal_open(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, saved;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
journal_send(int fd, const struct journal_rec *r)
{
	return send(fd, r->buf, r->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ?
	    -1 : 0;
}
