/* proctitle.h: the process title ps shows.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PROCTITLE_H
#define PROCTITLE_H

void	proctitle_init(int, char *[], char *[]);
void	proctitle_set(const char *, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
