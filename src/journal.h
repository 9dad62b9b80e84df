/* journal.h: systemd's native journal protocol: one datagram per record,
 * made of fields, to /run/systemd/journal/socket.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_JOURNAL_H
#define PINETD_JOURNAL_H

#include <stddef.h>

#define JOURNAL_SOCKET	"/run/systemd/journal/socket"

/* A record being built in a caller's buffer. */
struct journal_rec {
	char	*buf;
	size_t	 cap;
	size_t	 len;
};

/* 1 if key is a valid field name: 1 to 64 of A-Z, 0-9 and '_', not
 * starting with '_' (reserved for trusted fields) or a digit. */
int	journal_key_ok(const char *key);
/* Appends the field key=value (vlen bytes): "KEY=value\n", or, when the
 * value holds a newline, the binary-safe form "KEY\n", its length as a
 * 64-bit little-endian integer, the bytes and "\n". Returns 0, or -1
 * leaving the record as it was when the key is not valid or the field
 * does not fit. */
int	journal_append(struct journal_rec *r, const char *key,
	    const char *value, size_t vlen);
/* A datagram socket connected to path (close-on-exec, non-blocking), or
 * -1 with errno set. */
int	journal_open(const char *path);
/* Sends the record on fd without blocking: 0, or -1 with errno set. */
int	journal_send(int fd, const struct journal_rec *r);

#endif
