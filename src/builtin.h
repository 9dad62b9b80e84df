/* builtin.h: echo, discard, daytime, time and chargen, served without exec. */
#ifndef PINETD_BUILTIN_H
#define PINETD_BUILTIN_H

struct listener;
struct service;

/* A stream connection: daytime and time are answered at once from the
 * master (non-blocking); echo, discard and chargen run in a forked child.
 * Returns the child's pid, 0 when answered in place, -1 on failure. */
int	builtin_stream(struct service *, int fd);
/* A readable datagram socket: answers a bounded batch, in the master. */
void	builtin_dgram(struct listener *);

#endif
