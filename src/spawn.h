/* spawn.h: process setup and exec, shared by workers and spawned children.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_SPAWN_H
#define PINETD_SPAWN_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>

struct service;

/* Room for the strings of the per-connection variables. */
#define SPAWN_CONNENV	1536	/* 512, and 1 KiB from a PROXY header */

/* What the one setup function needs; the child writes err and stage. */
struct spawn_args {
	const struct service	*svc;
	int			 client;	/* goes to fd 0 and 1 */
	int			 errout;	/* goes to fd 2 */
	int			 report;	/* kept open to report failure, or -1 */
	char *const		*envp;
	int			 err;		/* errno of the failed step */
	int			 stage;		/* which step failed */
};

/* A failure report a worker writes on its channel. */
struct spawn_report {
	int	err;
	int	stage;
};

int		 spawn_init(void);
int		 spawn_devnull(void);
/* The local end of a listening socket, as its handlers are told. */
struct spawn_local {
	int		 family;
	const char	*ip;
	uint16_t	 port;
	int		 wildcard;	/* bound to 0.0.0.0 or :: */
};

/* Fills buf with the connection's NUL-separated NAME=value strings for
 * client fd, accepted on local with peer address sa; returns their total
 * length, and the "ip:port" of the peer in peer. */
size_t		 spawn_conn_env(const struct service *,
		    const struct spawn_local *local, int fd,
		    const struct sockaddr *sa, char *buf, char *peer,
		    size_t peerlen);
/* The same for a connection behind a load balancer that sent a PROXY
 * header: the TCP variables name the client src and the address dst it
 * reached, PROXYREMOTEIP/PROXYREMOTEPORT the balancer at real (on a unix
 * listener, the UNIX variables describe the balancer); peer is "ip:port
 * via ip:port". With src NULL (a header that does not name the client)
 * it is spawn_conn_env() for real. */
size_t		 spawn_proxy_env(const struct service *,
		    const struct spawn_local *local, int fd,
		    const struct sockaddr *src, const struct sockaddr *dst,
		    const struct sockaddr *real, char *buf, char *peer,
		    size_t peerlen);
/* The same for a handler given the listening socket itself (mode wait or
 * pool): PROTO and the local address only. */
size_t		 spawn_listener_env(const struct service *,
		    const struct spawn_local *local, char *buf);
/* Points the service's per-connection env slots at the strings in buf;
 * spawn_envp() is then the environment to exec with. */
void		 spawn_set_env(const struct service *, const char *buf,
		    size_t len);
char *const	*spawn_envp(const struct service *);
/* Starts a handler for client fd in a vfork-class child; returns its pid
 * and sets *stderr_fd to the read end of its stderr pipe (or -1). On a
 * setup or exec failure the child has exited: *err and *stage say why. */
pid_t		 spawn_handler(const struct service *, int fd, int *stderr_fd,
		    int *err, int *stage);
/* Closes every fd above 2 but those in keep (n of them, any order):
 * close_range, or closefrom and close on an old kernel. */
int		 spawn_closefds(const int *keep, int n);
/* The one child setup function: never returns. */
void		 spawn_exec(struct spawn_args *) __attribute__((noreturn));
const char	*spawn_stage_name(int stage);
/* Opens the stderr pipe for a service with stderr = log, else -1s. */
int		 spawn_stderr_pipe(const struct service *, int p[2]);
int		 spawn_errout(const struct service *, int client, int pipe_w);

#endif
