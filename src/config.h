/* config.h: the services configuration, loaded once into immutable structs.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_CONFIG_H
#define PINETD_CONFIG_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "hash.h"

/* service->envp starts with this many slots that each connection fills
 * (PROTO and the UCSPI addresses; behind a load balancer, its address or
 * identity and up to 7 variables from the PROXY header). */
#define CONN_ENV_SLOTS	16

enum stderr_mode { STDERR_LOG, STDERR_CLIENT, STDERR_NULL };
enum protocol { PROTO_TCP, PROTO_UDP, PROTO_UNIX, PROTO_UNIX_DGRAM };
enum mode { MODE_NOWAIT, MODE_WAIT, MODE_POOL };
enum builtin { BUILTIN_NONE, BUILTIN_ECHO, BUILTIN_DISCARD, BUILTIN_DAYTIME,
	BUILTIN_TIME, BUILTIN_CHARGEN, BUILTIN_METRICS };
enum on_limit { ON_LIMIT_QUEUE, ON_LIMIT_REJECT };

/* Why a connection was refused, in the order policy checks them. */
enum refusal {
	REFUSE_DENY, REFUSE_PER_SOURCE, REFUSE_INSTANCES, REFUSE_GLOBAL,
	REFUSE_RATE, REFUSE_SERVICE_RATE, REFUSE_NREASONS
};

/* Resource limits a service may set on its handlers. */
enum rlim { RL_NOFILE, RL_NPROC, RL_AS, RL_CPU, RL_CORE, RL_N };

struct service {
	char		*name;
	char		*file;		/* where it is defined, for messages */
	int		 line;
	size_t		 index;		/* in the services of its config */
	int		 enabled;
	int		 protocol;
	int		 mode;
	unsigned	 instances;	/* mode = pool: copies kept running */
	int		 builtin;	/* served without exec */
	char		*sock_path;	/* unix sockets */
	uid_t		 sock_uid;	/* (uid_t)-1: unchanged */
	gid_t		 sock_gid;
	int		 sock_mode;	/* -1: unchanged */
	uint16_t	 port;
	size_t		 naddrs;
	struct sockaddr_storage *addrs;	/* port filled in */
	int		 addrs_default;	/* no address given: any v4 + any v6 */
	int		 backlog;

	/* Everything the child needs, prepared here so that the code between
	 * clone and exec makes system calls only. */
	char		*path;		/* file to exec */
	char	       **argv;
	char	       **envp;		/* CONN_ENV_SLOTS, then PATH,
					 * SERVICE and env; NULL-ended */
	size_t		 nenv;		/* entries after the slots */
	char		*user;		/* as written, for messages */
	uid_t		 uid;
	gid_t		 gid;
	gid_t		*groups;
	int		 ngroups;
	int		 stderr_mode;
	int		 prefork;	/* idle workers to keep ready */

	/* Admission policy (policy.c). */
	struct cidr	*allow, *deny;
	size_t		 nallow, ndeny;
	unsigned	 max_instances;	/* 0: no limit */
	unsigned	 per_source;
	int		 prefix6;	/* IPv6 sources grouped by this prefix */
	unsigned	 rate;		/* per source per rate_window */
	unsigned	 rate_window;	/* ms */
	unsigned	 service_rate;	/* per second */
	int		 on_limit;
	char		*reject_msg;	/* with its line end, or NULL */
	size_t		 reject_len;

	/* Handler limits, applied by the child setup. */
	unsigned	 timeout;	/* seconds of wall clock; 0: none */
	unsigned	 kill_grace;
	long		 rlim[RL_N];	/* -1: unchanged */
	int		 nice;
	int		 umask;		/* -1: unchanged */
	char		*chdir;
	char		*chroot;
	char		*bind_device;	/* SO_BINDTODEVICE, or NULL */

	/* PROXY protocol (conn.c reads the header): PROXY_V1/V2 mask. */
	int		 proxy;		/* 0: off */
	struct cidr	*proxy_from;	/* the balancers trusted */
	size_t		 nproxy_from;
	unsigned	 proxy_timeout;	/* seconds for a whole header */

	unsigned	 refs;		/* config + what runs on it */
};

struct config {
	char		*file;
	char		*include_dir;
	char		*inetd_conf;	/* classic inetd.conf lines to load */
	char		*pidfile;
	int		 allow_empty;	/* a reload may leave no service */
	unsigned	 max_children;	/* 0: no limit */
	unsigned	 shutdown_timeout; /* seconds handlers get at stop */
	int		 log_level;	/* LOG_LVL_* of log.h; -1: not set */
	size_t		 nservices;
	struct service **services;
	size_t		 cap;		/* of services */
	struct hash	 names;		/* service name -> struct service */
	struct hash	 binds;		/* while loading: check_collisions */
};

/* Receives one "FILE:LINE: message" line per error. */
typedef void (*config_errfn)(const char *line, void *arg);

/* Loads FILE and its drop-ins. Returns NULL after reporting every error it
 * found through errfn; nothing is left allocated then. */
struct config	*config_load(const char *file, config_errfn errfn, void *arg);
void		 config_free(struct config *);
/* A datagram service: udp or unix-dgram. */
static inline int
service_dgram(const struct service *svc)
{
	return svc->protocol == PROTO_UDP || svc->protocol == PROTO_UNIX_DGRAM;
}
struct service	*service_ref(struct service *);
void		 service_unref(struct service *);

#endif
