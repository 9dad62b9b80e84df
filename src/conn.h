/* conn.h: a connection's whole life in the master, from the readable
 * listener to the end of its handler.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_CONN_H
#define PINETD_CONN_H

/* Connections whose PROXY header is being read, at most this many (a
 * 1 KiB buffer each); at the bound, PROXY listeners are not polled. */
#define CONN_PROXY_PENDING_MAX	256

/* Installs conn.c as every listener's read callback. */
void	conn_init(void);
/* PROXY headers being read now. */
unsigned conn_proxy_pending(void);
/* What a builtin metrics service answers GET /metrics with: render
 * appends the exposition (scrape.h). */
struct strbuf;
void	conn_set_render(int (*render)(struct strbuf *, void *), void *arg);

#endif
