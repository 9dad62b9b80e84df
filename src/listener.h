/* listener.h: listening sockets: opening, closing, and the accept path. */
#ifndef PINETD_LISTENER_H
#define PINETD_LISTENER_H

#include <sys/socket.h>
#include <stdint.h>

#include "addr.h"
#include "loop.h"

struct service;
struct config;

enum { ADOPTED_NOT, ADOPTED_BY_ADDRESS, ADOPTED_BY_NAME };

struct listener {
	struct evsrc		 ev;		/* first: the loop hands us this */
	struct service		*svc;		/* a reference */
	struct sockaddr_storage	 addr;
	int			 wildcard;	/* bound to 0.0.0.0 or :: */
	char			 localip[ADDR_STRLEN];
	uint16_t		 localport;
	int			 paused;	/* not polled for a while */
	int			 held;		/* service full, on_limit queue */
	int			 keep;		/* reload: carried over */
	int			 adopted;	/* passed by systemd: ADOPTED_ */
	int			 waiting;	/* mode wait: a handler has it */
	unsigned		 pool_running;	/* mode pool: handlers alive */
	unsigned		 pool_backoff;	/* ms before the next restart */
	unsigned		 quick_runs;	/* wait handlers back at once */
	struct timer		 pool_timer;
	struct timer		 resume;
	struct listener		*next;
};

/* Binds every enabled service's addresses. On any failure, logs the
 * service, address and errno, closes what it opened and returns -1. */
int	listener_open_all(struct config *);
void	listener_close_all(void);
unsigned listener_count(void);
/* Reload: a listener whose service (by name), address, port and backlog
 * are unchanged is carried over with the same fd, so no connection is
 * refused; the others are closed, and new ones opened. A bind failure is
 * logged and leaves that one service down. Logs what changed. Returns -1,
 * having changed nothing, when memory runs out. */
int	listener_reload(struct config *old, struct config *new);
/* A handler given this listener's socket (mode wait or pool) ended after
 * running for ms milliseconds. */
void	listener_handler_done(struct listener *, uint64_t ms);
/* A handler ended: listeners held while their service was full resume
 * polling if it no longer is. */
void	listener_slot_freed(void);
/* True when ss is the address and port of one of our datagram builtins:
 * answering it would start an endless loop between the two. */
int	listener_own_dgram(const struct sockaddr_storage *);
/* Stops accepting for svc for ms milliseconds (a looping handler). */
void	listener_pause_service(struct service *, uint64_t ms);

#endif
