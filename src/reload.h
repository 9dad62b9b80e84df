/* reload.h: loading a new configuration into the running master.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_RELOAD_H
#define PINETD_RELOAD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;

void		 reload_init(struct config **conf, const char *path);
/* Loads the config file again. On any error, logs every FILE:LINE line,
 * keeps the running configuration and returns -1; msg gets the errors.
 * On success swaps it in (see listener_reload) and returns 0; msg gets
 * a one-line summary. */
int		 reload_run(char *msg, size_t len);
/* Reloads that took effect and reloads refused, and when the last load succeeded. */
struct reload_counts {
	uint64_t	 reloads;
	uint64_t	 failures;
	time_t		 last_ok;
};
const struct reload_counts *reload_counts(void);
/* "ok" or "failed", for status lines. */
const char	*reload_last(void);

#endif
