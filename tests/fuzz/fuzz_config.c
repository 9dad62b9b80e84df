/* fuzz_config.c: libFuzzer target for the config loader. Each input is
 * written to fuzz.conf in a private directory and loaded as the main
 * file; "include_dir" and "inetd_conf" can point back at it, so the same
 * bytes are also read as a drop-in and as an inetd.conf.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/stat.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/confids.h"
#include "../../src/config.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	dir[64], path[96];

static void
ignore(const char *line, void *arg)
{
	(void)line;
	(void)arg;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/pinetd-fuzz.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/fuzz.conf", dir);
	umask(022);
	/* what is fuzzed is the parser, not the fork of the lookup process */
	confids_in_process();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*conf;
	int		 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	conf = config_load(path, ignore, NULL);
	config_free(conf);
	return 0;
}
