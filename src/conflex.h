/* conflex.h: a second, small lexer over the config text, for what
 * libconfuse gets wrong or does not keep. Pure functions on a buffer,
 * unit-tested against libconfuse's own behaviour (tests/unit).
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_CONFLEX_H
#define PINETD_CONFLEX_H

#include <stddef.h>

/* Finds the first byte that has no place in a text file: NUL or a
 * control character other than tab, line feed and carriage return.
 * Returns 0 when there is none, else -1 with the byte in *byte and its
 * line in *line. */
int	conflex_check_text(const char *buf, size_t len, int *line, int *byte);

/* Blanks out the comments of s in place (newlines kept), and returns the
 * line of a '{' still open at the end, or 0. */
int	conflex_blank_comments(char *s);

/* The line of every "service NAME" of a text, indexed once. */
struct conflex_titles {
	struct conflex_title {
		char	*name;
		int	 line;
	}	*v;
	size_t	 n;
};

/* Indexes the (blanked) text; returns 0, or -1 when out of memory. */
int	conflex_titles_index(const char *text, struct conflex_titles *t);
/* The line of "service NAME", or fallback. */
int	conflex_title_line(const struct conflex_titles *t, const char *name,
	    int fallback);
void	conflex_titles_free(struct conflex_titles *t);

/* The line where a line of the (blanked) text starts with option WORD,
 * or fallback. */
int	conflex_option_line(const char *text, const char *word, int fallback);

#endif
