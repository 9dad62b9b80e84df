/* listener.h: listening sockets: opening, adopting those systemd passed,
 * carrying them over a reload, polling, and closing. What a readable
 * socket means is up to whoever installs the callbacks (conn.c).
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_LISTENER_H
#define PINETD_LISTENER_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <stdint.h>

#include "addr.h"
#include "loop.h"

struct service;
struct runtime;
struct config;
struct supervised;

enum { ADOPTED_NOT, ADOPTED_BY_ADDRESS, ADOPTED_BY_NAME };

struct listener {
	struct evsrc		 ev;		/* first: the loop hands us this */
	struct service		*svc;		/* a reference */
	struct runtime		*rt;		/* a reference */
	struct sockaddr_storage	 addr;
	int			 wildcard;	/* bound to 0.0.0.0 or :: */
	char			 localip[ADDR_STRLEN];
	uint16_t		 localport;
	int			 paused;	/* not polled for a while */
	int			 held;		/* service full, on_limit queue */
	int			 lent;		/* a handler has the socket */
	int			 keep;		/* reload: carried over */
	int			 adopted;	/* passed by systemd: ADOPTED_ */
	struct supervised	*sup;		/* mode wait/pool: supervise.c */
	struct timer		 resume;
	LIST_ENTRY(listener)	 entry;
	struct listener		*same_name;	/* next of its service's name */
};

LIST_HEAD(listenerlist, listener);
extern struct listenerlist listeners;

/* What the module above is told (conn.c installs all three): a
 * listener's socket is readable; a listener was opened (or adopted); a
 * listener is about to be freed. */
struct listener_calls {
	void	(*readable)(struct listener *);
	void	(*opened)(struct listener *);
	void	(*closing)(struct listener *);
};
void	listener_set_calls(const struct listener_calls *);

/* Binds every enabled service's addresses. On any failure, logs the
 * service, address and errno, closes what it opened and returns -1. */
int	listener_open_all(struct config *);
void	listener_close_all(void);
unsigned listener_count(void);
/* Calls cb for each address svc listens on (configured ones in order,
 * then the passed sockets' own addresses); returns how many. */
size_t	listener_addrs(const struct service *,
	    void (*cb)(const struct sockaddr_storage *, void *), void *arg);
/* Reload: a listener whose service (by name), address, port and backlog
 * are unchanged is carried over with the same fd, so no connection is
 * refused; the others are closed, and new ones opened. A bind failure is
 * logged and leaves that one service down. Logs what changed. Returns -1,
 * having changed nothing, when memory runs out. */
int	listener_reload(struct config *old, struct config *new);
/* Polls l unless paused, held or lent. */
void	listener_poll(struct listener *);
/* Stops polling l for ms milliseconds: a level-triggered listener that
 * cannot accept would otherwise spin the master at 100% CPU. */
void	listener_pause(struct listener *, uint64_t ms);
/* Stops accepting for the service of rt for ms milliseconds. */
void	listener_pause_service(struct runtime *, uint64_t ms);
/* Holds l while its service is full (clients wait in the backlog), and
 * lets it go again. */
void	listener_hold(struct listener *);
void	listener_unhold(struct listener *);
/* A handler ended: listeners held while their service was full (as full
 * says) resume polling if it no longer is. */
void	listener_release_held(int (*full)(const struct runtime *));
/* True when ss is the address and port of one of our datagram builtins:
 * answering it would start an endless loop between the two. */
int	listener_own_dgram(const struct sockaddr_storage *);

#endif
