/* listener.h: listening sockets: opening, closing, and the accept path. */
#ifndef PINETD_LISTENER_H
#define PINETD_LISTENER_H

#include <sys/socket.h>
#include <stdint.h>

#include "addr.h"
#include "loop.h"

struct service;
struct config;

struct listener {
	struct evsrc		 ev;		/* first: the loop hands us this */
	struct service		*svc;		/* a reference */
	struct sockaddr_storage	 addr;
	int			 wildcard;	/* bound to 0.0.0.0 or :: */
	char			 localip[ADDR_STRLEN];
	uint16_t		 localport;
	int			 paused;	/* not polled for a while */
	struct timer		 resume;
	struct listener		*next;
};

/* Binds every enabled service's addresses. On any failure, logs the
 * service, address and errno, closes what it opened and returns -1. */
int	listener_open_all(struct config *);
void	listener_close_all(void);
unsigned listener_count(void);

#endif
