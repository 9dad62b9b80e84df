/* test_inetd: classic inetd.conf lines turned into pinetd.conf sections,
 * against fixtures with the exact text and errors expected.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "../../src/inetd.h"
#include "../../src/strbuf.h"

static void
collect(const char *line, void *arg)
{
	strbuf_printf(arg, "%s\n", line);
}

static char *
slurp(const char *file)
{
	static char	 buf[65536];
	FILE		*fp = fopen(file, "r");
	size_t		 n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static size_t
count_lines(const char *s)
{
	size_t	n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Every field form of a good file, in the form --import-inetd prints. */
static void
test_import(void)
{
	struct strbuf	 out = { 0 }, err = { 0 };
	char		*want;

	CHECK(inetd_convert("inetd.conf", INETD_PRETTY, &out, collect,
	    &err) == 0);
	CHECK(err.s == NULL);
	want = slurp("import.expect");
	CHECK(want != NULL && out.s != NULL && strcmp(out.s, want) == 0);
	if (want != NULL && out.s != NULL && strcmp(out.s, want) != 0)
		fprintf(stderr, "got:\n%s", out.s);
	strbuf_free(&out);
	strbuf_free(&err);
}

/* The one-line form keeps each service on its own line number, so that
 * the loader's FILE:LINE messages name the inetd.conf line. */
static void
test_oneline(void)
{
	struct strbuf	 out = { 0 }, err = { 0 };
	const char	*want = "service 'finger' { protocol = 'tcp' port = "
	    "'finger' address = { '0.0.0.0' } user = 'nobody' group = "
	    "'nogroup' service_rate = 7 exec = '/usr/sbin/in.fingerd' argv0 "
	    "= 'in.fingerd' args = { '-w' } }\n";
	const char	*s;
	int		 i;

	CHECK(inetd_convert("inetd.conf", INETD_ONELINE, &out, collect,
	    &err) == 0);
	CHECK(count_lines(out.s) == count_lines(slurp("inetd.conf")));
	for (s = out.s, i = 1; s != NULL && i < 12; i++)
		s = strchr(s, '\n') + 1;
	CHECK(s != NULL && strncmp(s, want, strlen(want)) == 0);
	strbuf_free(&out);
	strbuf_free(&err);
}

/* Every error, with its line, in one pass; bad lines stay blank. */
static void
test_errors(void)
{
	struct strbuf	 out = { 0 }, err = { 0 };
	char		*want;

	CHECK(inetd_convert("bad.conf", INETD_ONELINE, &out, collect,
	    &err) == 13);
	want = slurp("bad.expect");
	CHECK(want != NULL && err.s != NULL && strcmp(err.s, want) == 0);
	if (want != NULL && err.s != NULL && strcmp(err.s, want) != 0)
		fprintf(stderr, "got:\n%s", err.s);
	CHECK(count_lines(out.s) == count_lines(slurp("bad.conf")));
	strbuf_free(&out);
	strbuf_free(&err);
}

static void
test_missing(void)
{
	struct strbuf	 out = { 0 }, err = { 0 };

	CHECK(inetd_convert("no-such-file", INETD_ONELINE, &out, collect,
	    &err) == -1);
	CHECK(err.s != NULL &&
	    strcmp(err.s, "no-such-file: No such file or directory\n") == 0);
	strbuf_free(&out);
	strbuf_free(&err);
}

int
main(void)
{
	const char	*srcdir = getenv("srcdir");
	char		 dir[4096];

	snprintf(dir, sizeof(dir), "%s/tests/fixtures/inetd",
	    srcdir != NULL ? srcdir : ".");
	if (chdir(dir) == -1) {
		perror(dir);
		return 1;
	}
	test_import();
	test_oneline();
	test_errors();
	test_missing();
	printf("test_inetd: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
