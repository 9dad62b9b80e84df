/* strbuf.h: a growable text buffer for replies and reports.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_STRBUF_H
#define PINETD_STRBUF_H

#include <stddef.h>

struct strbuf {
	char	*s;		/* NUL-terminated, or NULL while empty */
	size_t	 len;
	size_t	 cap;
	int	 failed;	/* out of memory: the text is cut short */
};

void	strbuf_printf(struct strbuf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Appends n bytes of s as they are. */
void	strbuf_append(struct strbuf *, const char *s, size_t n);
/* Appends s as the body of a JSON string (without the quotes). */
void	strbuf_json(struct strbuf *, const char *s);
void	strbuf_free(struct strbuf *);

#endif
