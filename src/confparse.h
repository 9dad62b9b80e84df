/* confparse.h: the libconfuse side of loading: option tables, the parse
 * callbacks, reading and checking files, and the error report of one load.
 * config.c builds struct config from what this parses.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_CONFPARSE_H
#define PINETD_CONFPARSE_H

#include <sys/types.h>
#include <stdint.h>

#include <confuse.h>

#include "conflex.h"

/* Receives one "FILE:LINE: message" line per error (as config_errfn). */
typedef void (*confparse_errfn)(const char *line, void *arg);

/* One parsed file, kept until its services are built. */
struct conffile {
	char			*name;
	cfg_t			*cfg;
	char			*text;	/* comments blanked out */
	struct conflex_titles	 titles;
	int			 plain;	/* parsed untitled: titles.v[i] is
					 * the title of section i */
	cfg_t			**chunks; /* plain: the service sections */
	size_t			 nchunks;
};

enum conf_kind {
	CONF_MAIN,	/* global options, defaults { } and services */
	CONF_DROPIN	/* services only */
};

/* The option name (a string constant) of sec, as cfg_getopt() finds it
 * but at the cost of a few comparisons; NULL when sec is NULL. */
cfg_opt_t	*confparse_opt(cfg_t *sec, const char *name);

/* Starts and ends one load; errors go to errfn. */
void		 confparse_begin(confparse_errfn errfn, void *arg);
void		 confparse_end(void);

/* Reports "FILE:LINE: message", escaped, and counts it. */
void		 conf_error(const char *file, int line, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* Reports a line already in "FILE:LINE: message" form. */
void		 conf_error_line(const char *line);
int		 conf_nerrors(void);

/* Checks, reads and parses FILE (NULL after reporting why). */
struct conffile	*confparse_file(const char *file, enum conf_kind kind);
/* confparse_file for each of files (NULL-terminated), all at once: an
 * array with the result of each, to free, or NULL when out of memory. */
struct conffile	**confparse_files(const char *const *files,
		    enum conf_kind kind);
/* Parses text as if it were FILE's (the file itself is not read). */
struct conffile	*confparse_text(const char *file, const char *text,
		    size_t len, enum conf_kind kind);
void		 conffile_free(struct conffile *);
unsigned	 conffile_nservices(const struct conffile *);
/* Service section i of the file in *sec; returns its title, its line
 * (of "service NAME") in *line. */
const char	*conffile_service(struct conffile *, unsigned i, cfg_t **sec,
		    int *line);

/* This daemon runs programs as root: 0 when path is a regular file (or,
 * with dir set, a directory) that only root or the daemon's user may
 * change, else -1 after reporting it at path:LINE, or at where:LINE
 * as "WHAT 'path': ..." when where is not NULL. */
int		 confparse_check_owner(const char *path, int dir,
		    const char *what, const char *where, int line);

/* Lists DIR/ *.conf in lexical order; NULL-ended, NULL after an error
 * reported at FILE:LINE. */
char		**confparse_dropins(const char *file, int line, const char *dir);

/* The line of the exec option of section sec, else fallback. */
int		 conf_exec_line(cfg_t *sec, int fallback);

int		 conf_resolve_port(const char *s, uint16_t *port);
/* cidr_parse, with an IPv4-mapped entry turned into the IPv4 address or
 * prefix it carries; -2 for a mapped prefix shorter than 96 bits. */
struct cidr;
int		 conf_parse_cidr(const char *s, struct cidr *c);

#endif
