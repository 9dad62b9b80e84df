/* proctitle.c: the process title ps shows, set with libbsd's setproctitle.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#include "ac-config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proctitle.h"

static char	*arg0_end;	/* where the NUL of the original argv[0] was */
static size_t	 arg0_len;

void
proctitle_init(int argc, char *argv[], char *envp[])
{
	if (argc > 0 && argv[0] != NULL) {
		arg0_len = strlen(argv[0]);
		arg0_end = argv[0] + arg0_len;
	}
	setproctitle_init(argc, argv, envp);
}

void
proctitle_set(const char *fmt, ...)
{
	char	 title[256];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(title, sizeof(title), fmt, ap);
	va_end(ap);
	setproctitle("%s", title);
	/*
	 * A title shorter than the original argv[0] gets a '.' where that
	 * argv[0] ended, and ps, which shows the NULs between as spaces,
	 * prints it after the title. The title is already NUL-terminated.
	 */
	if (arg0_end != NULL &&
	    strlen(getprogname()) + 2 + strlen(title) < arg0_len &&
	    *arg0_end == '.')
		*arg0_end = '\0';
}
