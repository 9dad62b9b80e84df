/* reaper.h: the table of children by pid and the waitpid loop. Each child
 * carries the callback its owner wants called when it ends.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_REAPER_H
#define PINETD_REAPER_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdint.h>

#include "addr.h"
#include "loop.h"

struct service;
struct runtime;

#define CHILD_ERRBUF	512

/* "ip:port", or behind a load balancer "ip:port via ip:port". */
#define CHILD_PEERLEN	(2 * ADDR_STRLEN + 24)

struct child {
	pid_t		 pid;
	int		 failed;	/* setup or exec failed, already logged */
	struct service	*svc;		/* a reference */
	struct runtime	*rt;		/* a reference */
	char		 peer[CHILD_PEERLEN];	/* "ip:port", or a role */
	uint64_t	 start;		/* loop_now() at hand-off */
	int		 chan;		/* a channel to it, or -1; closed
					 * when it ends */
	struct evsrc	 err;		/* read end of its stderr pipe, or -1 */
	struct timer	 errpause;	/* stderr over its rate: read later */
	uint64_t	 errsec;	/* the second errbytes counts in */
	size_t		 errbytes;	/* read from stderr in errsec */
	int		 errslow;	/* the slowing down was logged */
	size_t		 errlen;
	char		 errbuf[CHILD_ERRBUF];
	struct timer	 deadline;	/* the service's timeout */
	int		 timed_out;	/* SIGTERM sent for the timeout */
	int		 signalled;	/* told to end (timeout, stop, pool) */
	int		 group_ends;	/* what it leaves in its process
					 * group is killed when it ends */
	/* A connection served inside the master has pid 0 and no process:
	 * stop ends it at once (child_end before it returns), where a child
	 * would get a signal. */
	void		(*stop)(struct child *);
	void		*server;	/* for stop: what serves it */
	/* Called once when it has ended, after its stderr is drained. */
	void		(*exited)(struct child *, int status, uint64_t ms);
	void		*owner;		/* for exited: whose child it is */
	LIST_ENTRY(child) hash;		/* pid table */
	LIST_ENTRY(child) link;		/* the owner's list; then dead list */
};

LIST_HEAD(childlist, child);

struct child	*child_new(pid_t, struct service *, struct runtime *,
		    void (*exited)(struct child *, int, uint64_t),
		    void *owner);
/* The record of a connection served inside the master (pid 0): counted
 * apart from the processes, never reaped nor signalled; at stop it is
 * waited for as a child is, and its stop callback ends it. */
struct child	*child_inplace(struct service *, struct runtime *,
		    void (*exited)(struct child *, int, uint64_t),
		    void *owner);
/* Such a connection has ended: calls its exited callback once. */
void		 child_end(struct child *, int status);
/* Watches fd (the read end of the child's stderr pipe) and logs each line
 * the handler writes, tagged with service and pid. */
void		 child_watch_stderr(struct child *, int fd);
/* Marks the start of its work for peer (from now); with the service's
 * timeout, a process gets SIGTERM then, and SIGKILL kill_grace seconds
 * later (a connection served in place keeps its own time). */
void		 child_begin(struct child *, const char *peer);
/* Every child leads its own process group (spawn.c): a signal meant for
 * it goes to the group, so that what a handler forked ends with it. A
 * worker forked a moment ago may not have made its group yet. */
int		 child_signal(struct child *, int sig);
/* For the callback of a handler: logs its exit (unless its start failed
 * and was logged) and counts it in the service's counters. */
void		 child_log_exit(struct child *, int status, uint64_t ms);
/* Called for SIGCHLD: reaps every exited child. */
void		 reaper_run(void);
/* Frees the children reaped during this batch of events. */
void		 reaper_flush(void);
/* Processes: the connections served in place are not counted. */
unsigned	 reaper_count(void);
/* Stop: waits up to timeout seconds for every child (and connection
 * served in place) to end, then sends SIGTERM (and ends those
 * connections) and, grace seconds later, SIGKILL; calls done once none
 * is left.
 * Called again (a second SIGTERM), it ends the wait at once. */
void		 reaper_drain(unsigned timeout, unsigned grace, unsigned handlers,
		    void (*done)(void));

#endif
