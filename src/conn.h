/* conn.h: a connection's whole life in the master, from the readable
 * listener to the end of its handler. */
#ifndef PINETD_CONN_H
#define PINETD_CONN_H

/* Installs conn.c as every listener's read callback. */
void	conn_init(void);
/* What a builtin metrics service answers GET /metrics with: render
 * appends the exposition (scrape.h). */
struct strbuf;
void	conn_set_render(int (*render)(struct strbuf *, void *), void *arg);

#endif
