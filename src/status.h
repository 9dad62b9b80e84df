/* status.h: what the master reports about itself: the status table, its
 * JSON form, a one-line summary, and the table in the log (SIGUSR1).
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_STATUS_H
#define PINETD_STATUS_H

#include <stddef.h>

struct config;
struct strbuf;

/* confp points to the master's current config, read at each report (a
 * reload may replace it). Uptime counts from this call. */
void	status_init(struct config **confp);
/* A header line, then one row per service under a row of column names. */
void	status_text(struct strbuf *);
/* The same as one JSON object, on one line. */
void	status_json(struct strbuf *);
/* "N services, N handlers running, N accepted", for STATUS=. */
void	status_summary(char *buf, size_t len);
/* Logs status_text(), one line per row. */
void	status_log(void);

#endif
