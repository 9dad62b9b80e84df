/* names.c: one table of names for each enum the config sets, shared by
 * the config loader and the status report.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <string.h>

#include "names.h"

const char *const names_protocol[] = { "tcp", "udp", "unix", "unix-dgram",
	NULL };
const char *const names_mode[] = { "nowait", "wait", "pool", NULL };
const char *const names_builtin[] = { "none", "echo", "discard", "daytime",
	"time", "chargen", "metrics", NULL };
const char *const names_stderr[] = { "log", "client", "null", NULL };
const char *const names_on_limit[] = { "queue", "reject", NULL };
const char *const names_proxy[] = { "off", "v1", "v2", "any", NULL };

int
names_lookup(const char *const *names, const char *value)
{
	int i;

	if (value == NULL)
		return -1;
	for (i = 0; names[i]; i++)
		if (strcmp(names[i], value) == 0)
			return i;
	return -1;
}

const char *
names_get(const char *const *names, int v)
{
	int i;

	for (i = 0; names[i]; i++)
		if (i == v)
			return names[i];
	return "?";
}
