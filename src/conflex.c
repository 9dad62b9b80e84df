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

/* The length of the quoted string at s, quotes included, as libconfuse's
 * lexer reads it ("${...}" in double quotes runs to the next '}'); the
 * line breaks in it are counted into *line. */
static size_t
string_len(const char *s, int *line)
{
	const char	*p = s + 1, *e;
	char		 q = *s;

	for (; *p != '\0' && *p != q; p++) {
		if (q == '"' && p[0] == '$' && p[1] == '{' &&
		    (e = strchr(p, '}')) != NULL) {
			for (; p < e; p++)
				*line += (*p == '\n');
		} else if (*p == '\\' && p[1] != '\0')
			p++;
		*line += (*p == '\n');
	}
	return (size_t)(p - s) + (*p != '\0');
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
			s += string_len(s, &line);
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
	hash_free(&t->names);
	memset(t, 0, sizeof(*t));
}

/* Skips the blanks that start the line at p. */
static const char *
line_start(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* One token of libconfuse's lexer. */
struct token {
	const char	*s;
	size_t		 len;
	int		 kind;	/* 0: the end; 'w' a word, 's' a quoted
				 * string, else the punctuation itself */
	int		 line;
};

/* What ends an unquoted word: white space, quotes, punctuation ('+' and
 * '*' alone are skipped by libconfuse, '#' starts a comment). */
#define WORD_END	" \t\r\n\"'{}()=,+*#"

/* The length of the word at s; "${...}" is one, line breaks and all. */
static size_t
word_len(const char *s, int *line)
{
	const char *p = s, *e;

	if (p[0] == '$' && p[1] == '{' && (e = strchr(p, '}')) != NULL) {
		for (; p < e; p++)
			*line += (*p == '\n');
		return (size_t)(e + 1 - s);
	}
	/* "//" and "/" "*" would start a comment */
	while (*p != '\0' && strchr(WORD_END, *p) == NULL &&
	    !(p[0] == '/' && (p[1] == '/' || p[1] == '*')))
		p++;
	return p > s ? (size_t)(p - s) : 1;
}

/* Reads the token at *p of the (comment-blanked) text. */
static void
token_next(const char **p, int *line, struct token *tk)
{
	const char *s = *p;

	for (; *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'; s++)
		*line += (*s == '\n');
	tk->s = s;
	tk->line = *line;
	tk->len = 1;
	if (*s == '\0') {
		tk->kind = 0;
		tk->len = 0;
	} else if (*s == '"' || *s == '\'') {
		tk->kind = 's';
		tk->len = string_len(s, line);
	} else if (strchr(WORD_END, *s) != NULL) {
		tk->kind = *s;
		if (s[0] == '+' && s[1] == '=')
			tk->len = 2;
	} else {
		tk->kind = 'w';
		tk->len = word_len(s, line);
	}
	*p = s + tk->len;
}

/* Undoes the escapes of a double-quoted string as libconfuse does, from
 * s (after the quote) to end (the closing quote) into out; -1 for what
 * it would refuse, substitute ("${VAR}") or cut short (a NUL byte). */
static int
unescape_dq(const char *s, const char *end, char *out)
{
	static const char	 from[] = "nrbfaetv", to[] = "\n\r\b\f\a\033\t\v";
	const char		*c;
	unsigned		 v;
	int			 n;

	while (s < end) {
		if (s[0] == '$' && s[1] == '{')
			return -1;
		if (*s != '\\') {
			*out++ = *s++;
			continue;
		}
		s++;
		if (*s == '\n') {		/* a continued line */
			s++;
			continue;
		}
		for (n = 0, v = 0; n < 4 && s[n] >= '0' && s[n] <= '9'; n++)
			v = v * 8 + (unsigned)(s[n] - '0');
		if (n > 0) {
			/* \0 to \377; libconfuse refuses longer runs, 8 and 9 */
			if (n > 3 || strspn(s, "01234567") < (size_t)n ||
			    v == 0 || v > 0xff)
				return -1;
			*out++ = (char)v;
			s += n;
		} else if (*s == 'x' && isxdigit((unsigned char)s[1])) {
			for (n = 1, v = 0; n <= 2 &&
			    isxdigit((unsigned char)s[n]); n++)
				v = v * 16 + (unsigned)(isdigit((unsigned char)
				    s[n]) ? s[n] - '0' : (s[n] | 0x20) - 'a' + 10);
			if (v == 0)
				return -1;
			*out++ = (char)v;
			s += n;
		} else if ((c = strchr(from, *s)) != NULL && *s != '\0') {
			*out++ = to[c - from];
			s++;
		} else
			*out++ = *s++;
	}
	*out = '\0';
	return 0;
}

/* Undoes the escapes of a single-quoted string: \\ and \' stand for
 * themselves, a backslash before a line break continues the line. */
static void
unescape_sq(const char *s, const char *end, char *out)
{
	while (s < end) {
		if (s[0] == '\\' && (s[1] == '\\' || s[1] == '\'')) {
			*out++ = s[1];
			s += 2;
		} else if (s[0] == '\\' && s[1] == '\n')
			s += 2;
		else
			*out++ = *s++;
	}
	*out = '\0';
}

/* The title of token tk as libconfuse reads it; NULL when out of memory.
 * Clears t->plain when libconfuse might read it otherwise. */
static char *
title_of(struct conflex_titles *t, const struct token *tk)
{
	char *name;

	if (tk->kind == 'w') {
		if (memchr(tk->s, '$', tk->len) != NULL)
			t->plain = 0;	/* "${VAR}", or a word cut short */
		return strndup(tk->s, tk->len);
	}
	if ((name = malloc(tk->len)) == NULL)
		return NULL;
	if (tk->len < 2 || tk->s[tk->len - 1] != tk->s[0]) {
		t->plain = 0;		/* never closed */
		memcpy(name, tk->s + 1, tk->len - 1);
		name[tk->len - 1] = '\0';
	} else if (tk->s[0] == '\'')
		unescape_sq(tk->s + 1, tk->s + tk->len - 1, name);
	else if (unescape_dq(tk->s + 1, tk->s + tk->len - 1, name) != 0)
		t->plain = 0;
	return name;
}

/* Adds the section of keyword kw: its title (NULL: none) is token tk. */
static int
title_add(struct conflex_titles *t, const char *text,
    const struct token *tk, const struct token *kw)
{
	struct conflex_title	*v;
	size_t			 cap;

	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 16;
		if ((v = reallocarray(t->v, cap, sizeof(*v))) == NULL)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	v = &t->v[t->n];
	memset(v, 0, sizeof(*v));
	v->line = kw->line;
	v->start = (size_t)(kw->s - text);
	if (tk == NULL) {
		t->plain = 0;		/* libconfuse's error is the one */
		t->n++;
		return 0;
	}
	v->off = (size_t)(tk->s - text);
	v->len = tk->len;
	if ((v->name = title_of(t, tk)) == NULL)
		return -1;
	t->n++;
	return 0;
}

/* The keyword of a section: service, or "service". */
static int
is_service(const struct token *tk)
{
	if (tk->kind == 'w')
		return tk->len == 7 && memcmp(tk->s, "service", 7) == 0;
	return tk->kind == 's' && tk->len == 9 &&
	    memcmp(tk->s + 1, "service", 7) == 0 && tk->s[8] == tk->s[0];
}

/* At the keyword kw: adds "service TITLE {" or "service {" and returns
 * 1, having read up to the '{'; else 0, *p and *line left as they were
 * (libconfuse will refuse the text, or read it otherwise). */
static int
section_add(struct conflex_titles *t, const char *text, const char **p,
    int *line, const struct token *kw)
{
	const char	*q = *p;
	struct token	 title, brace;
	int		 l = *line;

	token_next(&q, &l, &title);
	if (title.kind == '{') {
		*p = q;
		*line = l;
		return title_add(t, text, NULL, kw) == 0 ? 1 : -1;
	}
	if (title.kind != 'w' && title.kind != 's')
		return 0;
	token_next(&q, &l, &brace);
	if (brace.kind != '{')
		return 0;
	*p = q;
	*line = l;
	return title_add(t, text, &title, kw) == 0 ? 1 : -1;
}

int
conflex_titles_index(const char *text, struct conflex_titles *t)
{
	const char	*p = text;
	struct token	 tk;
	int		 line = 1, depth = 0, prev = 0, open = 0, rc;

	memset(t, 0, sizeof(*t));
	t->plain = 1;
	for (token_next(&p, &line, &tk); tk.kind != 0;
	    prev = tk.kind, token_next(&p, &line, &tk)) {
		if (tk.kind == '{')
			depth++;
		else if (tk.kind == '}') {
			if (depth == 1 && open) {	/* a section ends */
				t->v[t->n - 1].end = (size_t)(p - text);
				open = 0;
			}
			depth -= depth > 0;
		} else if (depth > 0)
			continue;
		else if (tk.kind == '(')
			t->plain = 0;	/* a function, such as include() */
		else if (is_service(&tk) && prev != '=' && prev != '+' &&
		    prev != ',') {
			/* a keyword where a statement starts, not a value */
			if ((rc = section_add(t, text, &p, &line, &tk)) < 0)
				return -1;
			if (rc > 0) {
				depth++;
				open = 1;
				tk.kind = '{';
			} else
				t->plain = 0;
		}
	}
	if (open)
		t->plain = 0;	/* never closed: libconfuse's error */
	return 0;
}

void
conflex_blank(char *text, size_t from, size_t to)
{
	for (; from < to; from++)
		if (text[from] != '\n')
			text[from] = ' ';
}

void
conflex_titles_blank(char *text, const struct conflex_titles *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		conflex_blank(text, t->v[i].off, t->v[i].off + t->v[i].len);
}

int
conflex_title_line(struct conflex_titles *t, const char *name, int fallback)
{
	const struct conflex_title	*v;
	size_t				 i;

	/* indexed by name on the first call: only a text libconfuse
	 * parses with its titles asks */
	if (t->names.cap == 0)
		for (i = 0; i < t->n; i++)
			if (t->v[i].name && hash_add(&t->names, t->v[i].name,
			    strlen(t->v[i].name), &t->v[i]) < 0)
				break;
	v = hash_get(&t->names, name, strlen(name));
	return v ? v->line : fallback;
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
