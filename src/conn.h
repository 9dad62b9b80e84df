/* conn.h: a connection's whole life in the master, from the readable
 * listener to the end of its handler. */
#ifndef PINETD_CONN_H
#define PINETD_CONN_H

/* Installs conn.c as every listener's read callback. */
void	conn_init(void);

#endif
