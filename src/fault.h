/* fault.h: failures on demand, for the tests of paths that real
 * conditions reach only by chance (memory running out at one given
 * allocation). Compiled into sanitizer builds only: elsewhere fault_hit
 * is a constant 0 and costs nothing.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_FAULT_H
#define PINETD_FAULT_H

#if defined(__SANITIZE_ADDRESS__)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True while the file named by $PINETD_FAULTS has a line that is name:
 * the caller then fails as if the allocation had. */
static inline int
fault_hit(const char *name)
{
	const char	*path = getenv("PINETD_FAULTS");
	char		 line[64];
	FILE		*f;
	int		 hit = 0;

	if (path == NULL || (f = fopen(path, "re")) == NULL)
		return 0;
	while (!hit && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		hit = strcmp(line, name) == 0;
	}
	fclose(f);
	return hit;
}
#else
#define fault_hit(name)	0
#endif

#endif
