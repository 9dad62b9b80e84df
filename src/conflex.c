/* conflex.c: the config text as libconfuse 3.3 should have seen it.
 *
 * libconfuse counts each "#" or "//" comment as three lines and a block
 * comment as one line too many, takes a file that ends inside a section
 * for a complete one, gives a section the line of its closing brace,
 * keeps no line for an option, and reads NUL bytes and control characters
 * as if they were text. So the loader first refuses what is not text,
 * hands libconfuse the text with its comments blanked out (newlines
 * kept), and finds the lines of titles and options here.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "conflex.h"

int
conflex_check_text(const char *buf, size_t len, int *line, int *byte)
{
	const unsigned char	*p = (const unsigned char *)buf;
	size_t			 i;
	int			 l = 1;

	for (i = 0; i < len; i++) {
		if (p[i] == '\n')
			l++;
		else if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\r') ||
		    p[i] == 0x7f) {
			*line = l;
			*byte = p[i];
			return -1;
		}
	}
	return 0;
}

/* Skips the quoted string at s as libconfuse's lexer does ("${...}" in
 * double quotes runs to the next '}'); returns what follows it. */
static char *
skip_string(char *s, int *line)
{
	char q = *s++, *e;

	for (; *s != '\0' && *s != q; s++) {
		if (q == '"' && s[0] == '$' && s[1] == '{' &&
		    (e = strchr(s, '}')) != NULL) {
			for (; s < e; s++)
				*line += (*s == '\n');
		} else if (*s == '\\' && s[1] != '\0')
			s++;
		*line += (*s == '\n');
	}
	return *s ? s + 1 : s;
}

/* Blanks a block comment starting at s ("/" "*"); returns what follows. */
static char *
blank_block(char *s, int *line)
{
	*s++ = ' ';
	*s++ = ' ';
	for (; *s != '\0' && !(s[0] == '*' && s[1] == '/'); s++)
		if (*s == '\n')
			(*line)++;
		else
			*s = ' ';
	if (*s != '\0') {
		*s++ = ' ';
		*s++ = ' ';
	}
	return s;
}

int
conflex_blank_comments(char *s)
{
	int line = 1, depth = 0, open_line = 0, tokstart = 1;

	while (*s != '\0') {
		if (*s == '"' || *s == '\'') {
			s = skip_string(s, &line);
			tokstart = 1;
		} else if (*s == '#' || (tokstart && s[0] == '/' && s[1] == '/')) {
			for (; *s != '\0' && *s != '\n'; s++)
				*s = ' ';
		} else if (tokstart && s[0] == '/' && s[1] == '*') {
			s = blank_block(s, &line);
		} else {
			if (*s == '\n')
				line++;
			else if (*s == '{' && depth++ == 0)
				open_line = line;
			else if (*s == '}' && depth > 0)
				depth--;
			tokstart = strchr(" \t\r\n{}()=,+*", *s) != NULL;
			s++;
		}
	}
	return depth > 0 ? open_line : 0;
}

void
conflex_titles_free(struct conflex_titles *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* Skips the blanks that start the line at p. */
static const char *
line_start(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* Adds the title of "service NAME" at p (just after the keyword). */
static int
title_add(struct conflex_titles *t, const char *p, int line)
{
	struct conflex_title	*tmp;
	size_t			 len;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"' || *p == '\'')
		p++;
	len = strcspn(p, "\"' \t{\r\n");
	if ((tmp = reallocarray(t->v, t->n + 1, sizeof(*tmp))) == NULL)
		return -1;
	t->v = tmp;
	if ((tmp[t->n].name = strndup(p, len)) == NULL)
		return -1;
	tmp[t->n++].line = line;
	return 0;
}

int
conflex_titles_index(const char *text, struct conflex_titles *t)
{
	const char	*p = text, *w;
	int		 line = 1;

	t->v = NULL;
	t->n = 0;
	while (*p != '\0') {
		w = line_start(p);
		if (strncmp(w, "service", 7) == 0 &&
		    (w[7] == ' ' || w[7] == '\t') &&
		    title_add(t, w + 7, line) != 0)
			return -1;
		if ((p = strchr(w, '\n')) == NULL)
			break;
		p++;
		line++;
	}
	return 0;
}

int
conflex_title_line(const struct conflex_titles *t, const char *name,
    int fallback)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return t->v[i].line;
	return fallback;
}

int
conflex_option_line(const char *text, const char *word, int fallback)
{
	const char	*p = text, *w;
	size_t		 wlen = strlen(word);
	int		 line = 1;

	while (*p != '\0') {
		w = line_start(p);
		if (strncmp(w, word, wlen) == 0 &&
		    (isspace((unsigned char)w[wlen]) || w[wlen] == '='))
			return line;
		if ((p = strchr(w, '\n')) == NULL)
			break;
		p++;
		line++;
	}
	return fallback;
}
