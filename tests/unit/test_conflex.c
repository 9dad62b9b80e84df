/* Unit tests for conflex.c: each workaround beside the libconfuse
 * behaviour it works around, shown on libconfuse itself.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <confuse.h>

#include "../../src/conflex.h"

#include "check.h"

static int	errline;	/* line of libconfuse's last error */

static void
on_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	(void)fmt;
	(void)ap;
	errline = cfg->line;
}

static cfg_opt_t sec_opts[] = {
	CFG_INT("port", 0, CFGF_NONE),
	CFG_END()
};
static cfg_opt_t opts[] = {
	CFG_INT("a", 0, CFGF_NONE),
	CFG_STR("s", NULL, CFGF_NONE),
	CFG_SEC("service", sec_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_END()
};
static cfg_opt_t plain_opts[] = {
	CFG_INT("a", 0, CFGF_NONE),
	CFG_STR("s", NULL, CFGF_NONE),
	CFG_SEC("service", sec_opts, CFGF_MULTI),
	CFG_END()
};

/* Parses text with libconfuse; returns its result, the section's line
 * in *secline (0 when there is no section). */
static int
confuse(const char *text, size_t len, int *secline)
{
	cfg_t	*cfg = cfg_init(opts, CFGF_NONE);
	FILE	*fp = fmemopen((void *)text, len, "r");
	int	 rc;

	errline = 0;
	cfg_set_error_function(cfg, on_error);
	rc = cfg_parse_fp(cfg, fp);
	if (secline)
		*secline = cfg_size(cfg, "service") ?
		    cfg_getnsec(cfg, "service", 0)->line : 0;
	fclose(fp);
	cfg_free(cfg);
	return rc;
}

/* libconfuse counts a "#" comment as three lines, a block comment as one
 * too many; blanked out, the lines are right. */
static void
test_comment_lines(void)
{
	char hash[] = "# one\n# two\nbogus = 1\n";
	char block[] = "/* one\n   two */\nbogus = 1\n";
	char slash[] = "// one\na = 1 // two\nbogus = 1\n";

	CHECK(confuse(hash, strlen(hash), NULL) == CFG_PARSE_ERROR);
	CHECK(errline != 3);		/* the libconfuse 3.3 bug */
	CHECK(conflex_blank_comments(hash) == 0);
	CHECK(confuse(hash, strlen(hash), NULL) == CFG_PARSE_ERROR);
	CHECK(errline == 3);

	CHECK(confuse(block, strlen(block), NULL) == CFG_PARSE_ERROR);
	CHECK(errline != 3);
	CHECK(conflex_blank_comments(block) == 0);
	CHECK(confuse(block, strlen(block), NULL) == CFG_PARSE_ERROR);
	CHECK(errline == 3);

	CHECK(conflex_blank_comments(slash) == 0);
	CHECK(confuse(slash, strlen(slash), NULL) == CFG_PARSE_ERROR);
	CHECK(errline == 3);
}

/* A "#" inside a string is no comment. */
static void
test_comment_in_string(void)
{
	char text[] = "a = \"x # y\" # z\n";

	CHECK(conflex_blank_comments(text) == 0);
	CHECK(strcmp(text, "a = \"x # y\"    \n") == 0);
}

/* libconfuse takes a file that ends inside a section for a whole one. */
static void
test_unclosed(void)
{
	char text[] = "a = 1\nservice x {\n\tport = 1\n";
	char closed[] = "service x {\n\tport = 1 # }\n}\n";

	CHECK(confuse(text, strlen(text), NULL) == CFG_SUCCESS);
	CHECK(conflex_blank_comments(text) == 2);
	CHECK(conflex_blank_comments(closed) == 0);
}

/* libconfuse gives a section the line of its closing brace. */
static void
test_title_line(void)
{
	char text[] = "a = 1\n\nservice x {\n\tport = 1\n\n}\n"
	    "  service \"y\" { port = 2 }\n";
	struct conflex_titles t;
	int secline;

	CHECK(conflex_blank_comments(text) == 0);
	CHECK(confuse(text, strlen(text), &secline) == CFG_SUCCESS);
	CHECK(secline != 3);
	CHECK(conflex_titles_index(text, &t) == 0);
	CHECK(conflex_title_line(&t, "x", 0) == 3);
	CHECK(conflex_title_line(&t, "y", 0) == 7);
	CHECK(conflex_title_line(&t, "z", 42) == 42);
	conflex_titles_free(&t);
}

/* Lines longer than any buffer do not shift the count. */
static void
test_long_lines(void)
{
	size_t	 n = 5000;
	char	*text = malloc(n + 64);
	struct conflex_titles t;

	memset(text, 'x', n);
	strcpy(text + n, "\ninclude_dir = \"d\"\nservice s {\n}\n");
	CHECK(conflex_option_line(text, "include_dir", 0) == 2);
	CHECK(conflex_option_line(text, "include", 0) == 0);
	CHECK(conflex_titles_index(text, &t) == 0);
	CHECK(conflex_title_line(&t, "s", 0) == 3);
	conflex_titles_free(&t);
	free(text);
}

/* libconfuse keeps no line for an option: after the parse its line is
 * where it stopped. */
static void
test_option_line(void)
{
	char text[] = "\na = 1\n\n\n";

	CHECK(confuse(text, strlen(text), NULL) == CFG_SUCCESS);
	CHECK(conflex_option_line(text, "a", 0) == 2);
	CHECK(conflex_option_line("a=1\n", "a", 0) == 1);
}

/* libconfuse reads NUL bytes and control characters as text. */
static void
test_not_text(void)
{
	static const char nul[] = "a = 1\0\n";
	static const char esc[] = "a = 1\n# \033[31m\n";
	static const char ok[] = "a = 1\t\r\n";
	int line = 0, byte = -1;

	CHECK(confuse(nul, sizeof(nul) - 1, NULL) == CFG_SUCCESS);
	CHECK(conflex_check_text(nul, sizeof(nul) - 1, &line, &byte) == -1);
	CHECK(line == 1 && byte == 0);
	CHECK(confuse(esc, sizeof(esc) - 1, NULL) == CFG_SUCCESS);
	CHECK(conflex_check_text(esc, sizeof(esc) - 1, &line, &byte) == -1);
	CHECK(line == 2 && byte == 0x1b);
	CHECK(conflex_check_text(ok, sizeof(ok) - 1, &line, &byte) == 0);
}

/* Parses text (comments blanked) with libconfuse, titled; the number of
 * sections, and in titles[] (up to 8) each one's title, copied. */
static int
confuse_titles(const char *text, char titles[][64])
{
	cfg_t	*cfg = cfg_init(opts, CFGF_NONE);
	FILE	*fp = fmemopen((void *)text, strlen(text), "r");
	int	 rc, i, n;

	cfg_set_error_function(cfg, on_error);
	rc = cfg_parse_fp(cfg, fp);
	n = rc == CFG_SUCCESS ? (int)cfg_size(cfg, "service") : -1;
	for (i = 0; i < n && i < 8; i++)
		snprintf(titles[i], 64, "%s",
		    cfg_title(cfg_getnsec(cfg, "service", i)));
	fclose(fp);
	cfg_free(cfg);
	return n;
}

/* Parses text with its titles blanked and untitled sections: the number
 * of sections, or -1. */
static int
confuse_plain(const char *text, const struct conflex_titles *t)
{
	char	*copy = strdup(text);
	cfg_t	*cfg = cfg_init(plain_opts, CFGF_NONE);
	FILE	*fp;
	int	 n;

	conflex_titles_blank(copy, t);
	fp = fmemopen(copy, strlen(copy), "r");
	cfg_set_error_function(cfg, on_error);
	n = cfg_parse_fp(cfg, fp) == CFG_SUCCESS ?
	    (int)cfg_size(cfg, "service") : -1;
	fclose(fp);
	cfg_free(cfg);
	free(copy);
	return n;
}

/* Indexes text (comments blanked first); when the index is plain, checks
 * that libconfuse reads the same titles, and the same number of sections
 * with the titles blanked. Returns the index's count. */
static size_t
index_of(char *text, struct conflex_titles *t)
{
	char	titles[8][64];
	int	n, ok = 1;
	size_t	i;

	conflex_blank_comments(text);
	CHECK(conflex_titles_index(text, t) == 0);
	if (!t->plain)
		return t->n;
	n = confuse_titles(text, titles);
	CHECK(n == (int)t->n);
	for (i = 0; i < t->n && i < 8 && n == (int)t->n; i++)
		if (t->v[i].name == NULL || strcmp(t->v[i].name, titles[i]) != 0) {
			fprintf(stderr, "title %zu: '%s', libconfuse: '%s'\n",
			    i, t->v[i].name ? t->v[i].name : "(null)",
			    titles[i]);
			ok = 0;
		}
	CHECK(ok);
	CHECK(confuse_plain(text, t) == (int)t->n);
	return t->n;
}

/* Titles as libconfuse reads them: quoted, escaped, anywhere on a line,
 * several on a line. */
static void
test_titles(void)
{
	char	quoted[] = "service \"a b\" {\n}\n"
	    "service 'it\\'s' { port = 1 }\n"
	    "service \"t\\tab\\x41\\102\\q\\\\\" {}\n"
	    "service 's\\q\\\\' {}\n"
	    "service\t\"x\"{}\n";
	char	inline_[] = "a = 1 service x { port = 1 }\n"
	    "  service y { port = 2 } service z { port = 3 }\n"
	    "\n/* c */ service w {\n}\n";
	char	multi[] = "service \"a\\\nb\" {}\nservice c {}\n";
	struct conflex_titles t;

	CHECK(index_of(quoted, &t) == 5 && t.plain);
	CHECK(t.n == 5 && strcmp(t.v[0].name, "a b") == 0 &&
	    strcmp(t.v[1].name, "it's") == 0 &&
	    strcmp(t.v[2].name, "t\tabABq\\") == 0 &&
	    strcmp(t.v[3].name, "s\\q\\") == 0 &&
	    strcmp(t.v[4].name, "x") == 0 && t.v[4].line == 6);
	conflex_titles_free(&t);

	CHECK(index_of(inline_, &t) == 4 && t.plain);
	CHECK(t.n == 4 && t.v[0].line == 1 && t.v[1].line == 2 &&
	    t.v[2].line == 2 && t.v[3].line == 4);
	CHECK(t.n == 4 && strcmp(t.v[2].name, "z") == 0);
	CHECK(conflex_title_line(&t, "z", 0) == 2);
	CHECK(conflex_title_line(&t, "w", 0) == 4);
	CHECK(conflex_title_line(&t, "v", -1) == -1);
	conflex_titles_free(&t);

	/* a line continued inside a title counts */
	CHECK(index_of(multi, &t) == 2 && t.plain);
	CHECK(t.n == 2 && strcmp(t.v[0].name, "ab") == 0 &&
	    t.v[1].line == 3);
	conflex_titles_free(&t);
}

/* "service" as a value, in a string, in a section, is no section. */
static void
test_not_titles(void)
{
	char	value[] = "s = service\nservice y {\n}\n";
	char	string[] = "s = \"service x {\" # service q {\n";
	char	inside[] = "service a {\n\tport = 1 # service b {\n}\n"
	    "s = \"}\" service c { }\n";
	struct conflex_titles t;

	CHECK(index_of(value, &t) == 1 && t.plain);
	CHECK(t.n == 1 && strcmp(t.v[0].name, "y") == 0 && t.v[0].line == 2);
	conflex_titles_free(&t);
	CHECK(index_of(string, &t) == 0 && t.plain);
	conflex_titles_free(&t);
	CHECK(index_of(inside, &t) == 2 && t.plain);
	CHECK(t.n == 2 && strcmp(t.v[1].name, "c") == 0 && t.v[1].line == 4);
	conflex_titles_free(&t);
}

/* What the index cannot read as libconfuse would is not plain: the text
 * is parsed titled, as before. */
static void
test_not_plain(void)
{
	char	missing[] = "a = 1\nservice {\n}\n";
	char	env[] = "service \"${HOME}\" {\n}\n";
	char	bad_escape[] = "service \"\\8\" {\n}\n";
	char	odd[] = "service a b {\n}\n";
	char	unclosed[] = "service 'a {\n}\n";
	struct conflex_titles t;

	CHECK(index_of(missing, &t) == 1 && !t.plain);
	CHECK(t.n == 1 && t.v[0].name == NULL && t.v[0].line == 2);
	CHECK(confuse(missing, strlen(missing), NULL) == CFG_PARSE_ERROR);
	CHECK(errline == 2);
	conflex_titles_free(&t);
	CHECK(index_of(env, &t) == 1 && !t.plain);
	conflex_titles_free(&t);
	CHECK(index_of(bad_escape, &t) == 1 && !t.plain);
	conflex_titles_free(&t);
	CHECK(index_of(odd, &t) == 0 && !t.plain);
	conflex_titles_free(&t);
	CHECK(index_of(unclosed, &t) == 0 && !t.plain);
	conflex_titles_free(&t);
}

int
main(void)
{
	test_comment_lines();
	test_comment_in_string();
	test_unclosed();
	test_title_line();
	test_long_lines();
	test_option_line();
	test_not_text();
	test_titles();
	test_not_titles();
	test_not_plain();
	printf("test_conflex: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
