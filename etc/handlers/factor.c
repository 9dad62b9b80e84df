/* factor: a demo exec handler. Reads integers, one per line, from the
 * client and answers each with its prime factors, the way the classic
 * IO::Socket examples do.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
factor(uint64_t n)
{
	uint64_t d;

	printf("%" PRIu64 ":", n);
	for (d = 2; d * d <= n; d += (d == 2) ? 1 : 2)
		while (n % d == 0) {
			printf(" %" PRIu64, d);
			n /= d;
		}
	if (n > 1)
		printf(" %" PRIu64, n);
	printf("\n");
}

int
main(void)
{
	char			 line[128];
	char			*end;
	unsigned long long	 v;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (strcmp(line, "quit") == 0)
			break;
		errno = 0;
		v = strtoull(line, &end, 10);
		if (!isdigit((unsigned char)line[0]) || *end != '\0' ||
		    errno != 0 || v < 2) {
			printf("error: want an integer >= 2\n");
			continue;
		}
		factor((uint64_t)v);
	}
	return 0;
}
