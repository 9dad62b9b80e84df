/* reaper.h: the child table, the waitpid loop and exit accounting. */
#ifndef PINETD_REAPER_H
#define PINETD_REAPER_H

#include <sys/types.h>
#include <stdint.h>

#include "addr.h"
#include "loop.h"

struct service;
struct source;
struct listener;

enum child_state {
	CHILD_HANDLER,		/* serving a connection */
	CHILD_IDLE,		/* pre-forked worker waiting for a client */
	CHILD_DEAD		/* reaped, freed at the end of the batch */
};

#define CHILD_ERRBUF	512

struct child {
	pid_t		 pid;
	int		 state;
	int		 failed;	/* setup or exec failed, already logged */
	struct service	*svc;		/* a reference */
	char		 peer[ADDR_STRLEN + 8];	/* "ip:port" */
	uint64_t	 start;		/* loop_now() at hand-off */
	struct evsrc	 err;		/* read end of its stderr pipe, or -1 */
	struct timer	 errpause;	/* stderr over its rate: read later */
	uint64_t	 errsec;	/* the second errbytes counts in */
	size_t		 errbytes;	/* read from stderr in errsec */
	int		 errslow;	/* the slowing down was logged */
	size_t		 errlen;
	char		 errbuf[CHILD_ERRBUF];
	int		 chan;		/* worker: master's end of its channel */
	struct source	*src;		/* per-source record (policy.c) */
	struct timer	 deadline;	/* the service's timeout */
	int		 timed_out;	/* SIGTERM sent for the timeout */
	int		 signalled;	/* told to end (timeout, stop, pool) */
	struct listener	*listener;	/* mode wait/pool: whose socket it has */
	struct child	*hnext;		/* pid hash chain */
	struct child	*pnext;		/* pool's idle list, or dead list */
};

struct child	*child_new(pid_t, struct service *, int state);
struct child	*child_find(pid_t);
/* Watches fd (the read end of the child's stderr pipe) and logs each line
 * the handler writes, tagged with service and pid. */
void		 child_watch_stderr(struct child *, int fd);
/* Marks a child as handling the connection from peer, from now. */
void		 child_begin(struct child *, const char *peer,
		    struct source *src);
/* Called for SIGCHLD: reaps every exited child. */
void		 reaper_run(void);
/* Frees the children reaped during this batch of events. */
void		 reaper_flush(void);
unsigned	 reaper_count(void);
/* A listener is going: its handlers stop reporting to it (and, for a
 * pool, are asked to end with SIGTERM). */
void		 reaper_forget_listener(struct listener *, int terminate);
/* Handlers alive, all services together. */
unsigned	 reaper_running(void);
/* Stop: waits up to timeout seconds for every child to end, then sends
 * SIGTERM and, grace seconds later, SIGKILL; calls done once none is left.
 * Called again (a second SIGTERM), it ends the wait at once. */
void		 reaper_drain(unsigned timeout, unsigned grace, void (*done)(void));
/* prefork.c is told about each worker that ends. */
void		 prefork_child_exited(struct child *, int status);

#endif
