/* Unit tests for the journal's native encoding, log levels, and the log
 * sink that drops lines rather than wait for a paused reader.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/journal.h"
#include "../../src/log.h"

#include "check.h"

static int
rec_is(const struct journal_rec *r, const char *want, size_t wlen)
{
	return r->len == wlen && memcmp(r->buf, want, wlen) == 0;
}
/* lit is a string literal, which may hold NUL bytes */
#define REC_IS(r, lit)	rec_is((r), (lit), sizeof(lit) - 1)

static void
test_encode(void)
{
	char			buf[64];
	struct journal_rec	r = { buf, sizeof(buf), 0 };

	CHECK(journal_append(&r, "PRIORITY", "6", 1) == 0);
	CHECK(journal_append(&r, "PINETD_SERVICE", "echo", 4) == 0);
	CHECK(REC_IS(&r, "PRIORITY=6\nPINETD_SERVICE=echo\n"));

	/* a newline in the value: KEY\n, 64-bit LE length, data, \n */
	r.len = 0;
	CHECK(journal_append(&r, "MESSAGE", "two\nlines\n!", 11) == 0);
	CHECK(REC_IS(&r, "MESSAGE\n\x0b\0\0\0\0\0\0\0two\nlines\n!\n"));

	/* binary-safe is about newlines only: NUL-free, '=' inside is fine */
	r.len = 0;
	CHECK(journal_append(&r, "A", "b=c", 3) == 0);
	CHECK(journal_append(&r, "EMPTY", "", 0) == 0);
	CHECK(REC_IS(&r, "A=b=c\nEMPTY=\n"));

	/* a field that does not fit leaves the record as it was */
	r.len = 0;
	CHECK(journal_append(&r, "MESSAGE", "0123456789012345678901234567890"
	    "123456789012345678901234567890", 61) == -1);
	CHECK(r.len == 0);
	CHECK(journal_append(&r, "MESSAGE", "012345678901234567890123456789"
	    "0123456789012345678901234", 55) == 0);
	CHECK(r.len == 64);
	CHECK(journal_append(&r, "X", "", 0) == -1 && r.len == 64);
}

static void
test_keys(void)
{
	char			buf[64];
	struct journal_rec	r = { buf, sizeof(buf), 0 };

	CHECK(journal_key_ok("MESSAGE"));
	CHECK(journal_key_ok("REMOTE_ADDR"));
	CHECK(journal_key_ok("A1"));
	CHECK(!journal_key_ok("_PID"));		/* trusted fields */
	CHECK(!journal_key_ok("1A"));
	CHECK(!journal_key_ok("remote_addr"));
	CHECK(!journal_key_ok("A-B"));
	CHECK(!journal_key_ok("A=B"));
	CHECK(!journal_key_ok(""));
	CHECK(!journal_key_ok(NULL));
	CHECK(journal_key_ok("A234567890123456789012345678901234567890"
	    "123456789012345678901234"));	/* 64 */
	CHECK(!journal_key_ok("A234567890123456789012345678901234567890"
	    "1234567890123456789012345"));	/* 65 */
	CHECK(journal_append(&r, "bad", "x", 1) == -1 && r.len == 0);
}

static void
test_levels(void)
{
	CHECK(log_level_parse("error") == LOG_LVL_ERR);
	CHECK(log_level_parse("warning") == LOG_LVL_WARN);
	CHECK(log_level_parse("notice") == LOG_LVL_NOTICE);
	CHECK(log_level_parse("info") == LOG_LVL_INFO);
	CHECK(log_level_parse("debug") == LOG_LVL_DEBUG);
	CHECK(log_level_parse("DEBUG") == LOG_LVL_DEBUG);
	CHECK(log_level_parse("warn") == -1);
	CHECK(log_level_parse("") == -1);
	CHECK(log_level_parse("info ") == -1);
	CHECK(log_level_parse("7") == -1);
}

static ssize_t
drain(int fd, char *buf, size_t size)
{
	ssize_t n, total = 0;

	while ((n = read(fd, buf + total, size - (size_t)total)) > 0)
		total += n;
	return total;
}

/* Whether what can be read from fd now is exactly want. */
static int
drained(int fd, char *buf, size_t size, const char *want)
{
	ssize_t n = drain(fd, buf, size);

	return n == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)n) == 0;
}

/* stderr into a new pipe, whose read end is returned in *rd; the old
 * stderr is returned, for stderr_restore. */
static int
stderr_to_pipe(int *rd)
{
	int p[2], saved = dup(STDERR_FILENO);

	CHECK(pipe(p) == 0);
	CHECK(dup2(p[1], STDERR_FILENO) == STDERR_FILENO);
	close(p[1]);
	*rd = p[0];
	log_init("t", 0, LOG_LVL_INFO);
	return saved;
}

static void
stderr_restore(int saved, int rd)
{
	dup2(saved, STDERR_FILENO);
	close(saved);
	log_reopen();
	close(rd);
}

/* Fills the pipe on stderr through an fd of our own. */
static void
stderr_fill(char *buf)
{
	int fill = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK);

	while (write(fill, buf, 4096) > 0)
		;
	close(fill);
}

/*
 * stderr into a pipe nobody reads: logging must not block (alarm() kills
 * the test if it does), lines are dropped, and once the pipe drained the
 * next line is preceded by how many were lost.
 */
static void
test_nonblocking_sink(void)
{
	char	 want[256], *buf;
	int	 p[2], saved;
	ssize_t	 n;
	size_t	 size = 1 << 20;

	saved = stderr_to_pipe(&p[0]);
	buf = calloc(1, size);
	stderr_fill(buf);
	alarm(5);
	log_info("lost one");
	log_warnx("lost two");
	log_debug("below the level: not counted");
	log_info("lost three");
	alarm(0);
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	n = drain(p[0], buf, size);
	CHECK(n > 0 && memchr(buf, 'l', (size_t)n) == NULL);
	log_info("after");
	snprintf(want, sizeof(want), "t[%ld]: 3 log lines dropped: the log "
	    "output was full\nt[%ld]: after\n", (long)getpid(),
	    (long)getpid());
	CHECK(drained(p[0], buf, size, want));
	/* -q: warnings pass, notices and info lines do not */
	log_set_level(LOG_LVL_WARN);
	log_info("hidden");
	log_notice("hidden");
	log_warnx("shown");
	snprintf(want, sizeof(want), "t[%ld]: shown\n", (long)getpid());
	CHECK(drained(p[0], buf, size, want));
	stderr_restore(saved, p[0]);
	free(buf);
}

/*
 * Lines held by log_hold() reach stderr only at log_release(), all in one
 * piece; held lines the pipe has no room for are counted as dropped; a
 * forked child does not write the lines its parent held.
 */
static void
test_held_lines(void)
{
	char	 want[256], *buf;
	int	 p[2], saved;
	ssize_t	 n;
	size_t	 size = 1 << 20;
	long	 pid = (long)getpid();

	saved = stderr_to_pipe(&p[0]);
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	buf = calloc(1, size);
	log_hold();
	log_info("one");
	log_warnx("two");
	CHECK(drain(p[0], buf, size) <= 0);
	log_release();
	n = read(p[0], buf, size);
	snprintf(want, sizeof(want), "t[%ld]: one\nt[%ld]: two\n", pid, pid);
	CHECK(n == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)n) == 0);
	/* not held any more */
	log_info("three");
	snprintf(want, sizeof(want), "t[%ld]: three\n", pid);
	CHECK(drained(p[0], buf, size, want));
	/* a child's copy of the held lines is not its to write */
	log_hold();
	log_info("the parent's");
	log_forked();
	log_release();
	CHECK(drain(p[0], buf, size) <= 0);
	/* a full pipe at the release: both held lines are dropped */
	stderr_fill(buf);
	log_hold();
	log_info("lost one");
	log_info("lost two");
	log_release();
	(void)drain(p[0], buf, size);
	log_info("after");
	snprintf(want, sizeof(want), "t[%ld]: 2 log lines dropped: the log "
	    "output was full\nt[%ld]: after\n", pid, pid);
	CHECK(drained(p[0], buf, size, want));
	stderr_restore(saved, p[0]);
	free(buf);
}

int
main(void)
{
	test_encode();
	test_keys();
	test_levels();
	test_nonblocking_sink();
	test_held_lines();
	printf("test_journal: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
