/* conflex.h: a second, small lexer over the config text, for what
 * libconfuse gets wrong or does not keep. Pure functions on a buffer,
 * unit-tested against libconfuse's own behaviour (tests/unit).
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_CONFLEX_H
#define PINETD_CONFLEX_H

#include <stddef.h>

#include "hash.h"

/* Finds the first byte that has no place in a text file: NUL or a
 * control character other than tab, line feed and carriage return.
 * Returns 0 when there is none, else -1 with the byte in *byte and its
 * line in *line. */
int	conflex_check_text(const char *buf, size_t len, int *line, int *byte);

/* Blanks out the comments of s in place (newlines kept), and returns the
 * line of a '{' still open at the end, or 0. */
int	conflex_blank_comments(char *s);

/* The "service NAME {" sections at the top level of a text, in order:
 * each title as libconfuse reads it (quotes and escapes undone), its
 * line, and where it is written. With every title plain, libconfuse can
 * parse the text with the titles blanked out (conflex_titles_blank) and
 * untitled sections, and section i is titles.v[i]: libconfuse then has
 * no title to compare with every earlier one. */
struct conflex_titles {
	struct conflex_title {
		char	*name;		/* NULL: "service {" has none */
		int	 line;		/* of the keyword */
		size_t	 off, len;	/* the title in the text, quotes too */
		size_t	 start, end;	/* the section: keyword to '}' */
	}		*v;
	size_t		 n, cap;
	int		 plain;		/* every title read as libconfuse does,
					 * and nothing it might read otherwise */
	struct hash	 names;		/* name -> first title, when asked */
};

/* Indexes the (comment-blanked) text; returns 0, or -1 when out of
 * memory. */
int	conflex_titles_index(const char *text, struct conflex_titles *t);
/* Blanks text[from..to) out, line breaks kept. */
void	conflex_blank(char *text, size_t from, size_t to);
/* Blanks the titles of t out of text (line breaks kept). */
void	conflex_titles_blank(char *text, const struct conflex_titles *t);
/* The line of the first "service NAME", or fallback. */
int	conflex_title_line(struct conflex_titles *t, const char *name,
	    int fallback);
void	conflex_titles_free(struct conflex_titles *t);

/* The line where a line of the (blanked) text starts with option WORD,
 * or fallback. */
int	conflex_option_line(const char *text, const char *word, int fallback);

#endif
