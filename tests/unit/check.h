/* check.h: the one assertion macro of the C unit tests. Each test file
 * prints "NAME: N checks, N failed" and exits non-zero on a failure.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_CHECK_H
#define PINETD_CHECK_H

#include <stdio.h>

static int failures, checks;

#define CHECK(cond) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
		    __LINE__, #cond); \
	} \
} while (0)

#endif
