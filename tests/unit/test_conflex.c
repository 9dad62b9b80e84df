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
	CFG_SEC("service", sec_opts, CFGF_MULTI | CFGF_TITLE),
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
	printf("test_conflex: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
