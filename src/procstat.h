/* procstat.h: the standard process_* metrics of the running process,
 * read from /proc without forking.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_PROCSTAT_H
#define PINETD_PROCSTAT_H

#include <stdint.h>

#include "prom.h"

struct procstat {
	double		cpu_seconds;	/* user and system */
	uint64_t	resident_bytes;
	uint64_t	open_fds;
	uint64_t	max_fds;	/* the soft RLIMIT_NOFILE */
	double		start_time;	/* seconds since the Epoch */
};

/* Reads the calling process's figures; -1 (errno set) when /proc fails. */
int	procstat_read(struct procstat *);
/* Parses the text of /proc/PID/stat into cpu_seconds, resident_bytes and
 * start_time, given the clock tick rate, page size and boot time (the
 * btime of /proc/stat). -1 when the text is not one. */
int	procstat_parse_stat(const char *text, long ticks, long pagesize,
	    uint64_t boot_time, struct procstat *);
/* The five process_* families. */
void	procstat_write(struct prom_writer *, const struct procstat *);

#endif
