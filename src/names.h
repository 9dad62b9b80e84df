/* names.h: the words the config and the status use for enum values.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_NAMES_H
#define PINETD_NAMES_H

/* NULL-ended, indexed by the enums of config.h. */
extern const char *const names_protocol[];	/* enum protocol */
extern const char *const names_mode[];		/* enum mode */
extern const char *const names_builtin[];	/* enum builtin */
extern const char *const names_stderr[];	/* enum stderr_mode */
extern const char *const names_on_limit[];	/* enum on_limit */
extern const char *const names_proxy[];		/* service->proxy */

/* The index of value in names, or -1. */
int		 names_lookup(const char *const *names, const char *value);
/* The name of index v, or "?" when v is out of range. */
const char	*names_get(const char *const *names, int v);

#endif
