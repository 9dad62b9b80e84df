/* procstat.c: the process_* metrics every Prometheus exporter gives,
 * from /proc/self/stat, /proc/self/fd and getrlimit: a few system calls
 * per scrape, no child process.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/resource.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procstat.h"
#include "prom.h"

int
procstat_parse_stat(const char *text, long ticks, long pagesize,
    uint64_t boot_time, struct procstat *ps)
{
	unsigned long long	 v[22];
	const char		*p;
	char			*end;
	int			 i;

	/* the command name may hold spaces and parentheses: skip to the
	 * last ')', after which come fields 3 (state) to 24 (rss) */
	if (ticks <= 0 || pagesize <= 0 ||
	    (p = strrchr(text, ')')) == NULL || p[1] != ' ')
		return -1;
	p += 2;
	if (*p < 'A' || *p > 'z' || p[1] != ' ')
		return -1;
	p += 2;
	for (i = 1; i < 22; i++) {
		errno = 0;
		if (*p == '-')		/* priority and nice may be negative */
			p++;
		v[i] = strtoull(p, &end, 10);
		if (end == p || errno != 0 || (*end != ' ' && *end != '\n' &&
		    *end != '\0'))
			return -1;
		p = end + (*end == ' ');
	}
	/* v[i] is field i + 3: utime 14, stime 15, starttime 22, rss 24 */
	ps->cpu_seconds = (double)(v[11] + v[12]) / (double)ticks;
	ps->start_time = (double)boot_time + (double)v[19] / (double)ticks;
	ps->resident_bytes = (uint64_t)v[21] * (uint64_t)pagesize;
	return 0;
}

/* Reads a small /proc file whole into buf, NUL-terminated. */
static int
read_small(const char *path, char *buf, size_t size)
{
	ssize_t	n;
	size_t	len = 0;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (len < size - 1 &&
	    (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return 0;
}

/* The boot time does not change: /proc/stat is read once. */
static int
boot_time(uint64_t *bt)
{
	static uint64_t	 cached;
	FILE		*f;
	char		*line = NULL;
	size_t		 cap = 0;
	unsigned long long v;

	if (cached == 0 && (f = fopen("/proc/stat", "re")) != NULL) {
		while (getline(&line, &cap, f) != -1)
			if (sscanf(line, "btime %llu", &v) == 1) {
				cached = v;
				break;
			}
		free(line);
		fclose(f);
	}
	if (cached == 0) {
		errno = ENOENT;
		return -1;
	}
	*bt = cached;
	return 0;
}

static int
count_fds(uint64_t *n)
{
	DIR		*d;
	struct dirent	*de;
	int		 own;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	own = dirfd(d);
	*n = 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && atoi(de->d_name) != own)
			(*n)++;
	closedir(d);
	return 0;
}

int
procstat_read(struct procstat *ps)
{
	char		buf[2048];
	struct rlimit	rl;
	uint64_t	bt;

	memset(ps, 0, sizeof(*ps));
	if (boot_time(&bt) == -1 ||
	    read_small("/proc/self/stat", buf, sizeof(buf)) == -1)
		return -1;
	if (procstat_parse_stat(buf, sysconf(_SC_CLK_TCK),
	    sysconf(_SC_PAGESIZE), bt, ps) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (count_fds(&ps->open_fds) == -1 ||
	    getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	ps->max_fds = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX :
	    (uint64_t)rl.rlim_cur;
	return 0;
}

void
procstat_write(struct prom_writer *w, const struct procstat *ps)
{
	prom_family(w, "process_cpu_seconds_total", PROM_COUNTER,
	    "CPU time used by the process, user and system, in seconds.");
	prom_double(w, NULL, 0, ps->cpu_seconds);
	prom_family(w, "process_resident_memory_bytes", PROM_GAUGE,
	    "The resident set size of the process in bytes.");
	prom_u64(w, NULL, 0, ps->resident_bytes);
	prom_family(w, "process_open_fds", PROM_GAUGE,
	    "File descriptors the process has open.");
	prom_u64(w, NULL, 0, ps->open_fds);
	prom_family(w, "process_max_fds", PROM_GAUGE,
	    "The limit on open file descriptors (soft RLIMIT_NOFILE).");
	prom_u64(w, NULL, 0, ps->max_fds);
	prom_family(w, "process_start_time_seconds", PROM_GAUGE,
	    "When the process started, in seconds since the Epoch.");
	prom_double(w, NULL, 0, ps->start_time);
}
