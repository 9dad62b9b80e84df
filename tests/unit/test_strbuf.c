/* Unit tests for the text buffer and its JSON string escaping.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#include <stdio.h>
#include <string.h>

#include "../../src/strbuf.h"

#include "check.h"

/* Escapes in, compares with want. */
static int
json_is(const char *in, const char *want)
{
	struct strbuf	sb = { 0 };
	int		ok;

	strbuf_json(&sb, in);
	ok = !sb.failed && strcmp(sb.s ? sb.s : "", want) == 0;
	if (!ok)
		fprintf(stderr, "json: want '%s'\n       got '%s'\n", want,
		    sb.s ? sb.s : "");
	strbuf_free(&sb);
	return ok;
}

static void
test_printf(void)
{
	struct strbuf	sb = { 0 };
	int		i;

	strbuf_printf(&sb, "%s", "");
	CHECK(sb.len == 0);
	for (i = 0; i < 1000; i++)
		strbuf_printf(&sb, "%d,", i % 10);
	CHECK(sb.len == 2000 && strlen(sb.s) == 2000);
	CHECK(strncmp(sb.s, "0,1,2,", 6) == 0 && !sb.failed);
	strbuf_free(&sb);
	CHECK(sb.s == NULL && sb.len == 0 && sb.cap == 0);
}

static void
test_append(void)
{
	struct strbuf	sb = { 0 };
	int		i;

	strbuf_append(&sb, "", 0);
	CHECK(sb.len == 0);
	for (i = 0; i < 1000; i++)
		strbuf_append(&sb, "ab\0cd", i % 2 ? 2 : 5);
	CHECK(sb.len == 500 * 2 + 500 * 5 && !sb.failed);
	CHECK(memcmp(sb.s, "ab\0cdab", 7) == 0 && sb.s[sb.len] == '\0');
	strbuf_free(&sb);
}

static void
test_json(void)
{
	CHECK(json_is("", ""));
	CHECK(json_is("echo-1", "echo-1"));
	CHECK(json_is("say \"hi\"", "say \\\"hi\\\""));
	CHECK(json_is("a\\b", "a\\\\b"));
	CHECK(json_is("tab\tnl\ncr\r", "tab\\tnl\\ncr\\u000d"));
	CHECK(json_is("\x01\x1f\x7f", "\\u0001\\u001f\\u007f"));
	/* well-formed UTF-8 is kept */
	CHECK(json_is("caf\xc3\xa9", "caf\xc3\xa9"));
	CHECK(json_is("\xe2\x82\xac \xf0\x9f\x98\x80",
	    "\xe2\x82\xac \xf0\x9f\x98\x80"));
	/* anything else becomes U+FFFD, a byte at a time */
	CHECK(json_is("\xff", "\\ufffd"));
	CHECK(json_is("\xc3", "\\ufffd"));
	CHECK(json_is("\xc3x", "\\ufffdx"));
	/* an overlong form, a surrogate, and beyond U+10FFFF */
	CHECK(json_is("\xc0\xaf", "\\ufffd\\ufffd"));
	CHECK(json_is("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"));
	CHECK(json_is("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"));
	CHECK(json_is("\x80", "\\ufffd"));
}

int
main(void)
{
	test_printf();
	test_append();
	test_json();
	printf("test_strbuf: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
