/* exporter.h: the figures a builtin metrics service answers with, read
 * from the runtime records, the reaper and the reload counts at each
 * scrape.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_EXPORTER_H
#define PINETD_EXPORTER_H

struct config;

/* Installs the rendering for conn.c; conf is the running configuration. */
void	exporter_init(struct config **conf);
/* End of a batch of loop events: frees the scrapes retired in it. */
void	exporter_flush(void);

#endif
