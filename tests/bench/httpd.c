/* httpd.c: the benchmark's HTTP/1.0 handler. Reads the request head from
 * standard input up to the blank line, writes one fixed response to
 * standard output and exits. Built twice by tests/bench/run: static with
 * musl-gcc and dynamic with glibc.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

static const char response[] =
    "HTTP/1.0 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 6\r\n"
    "Connection: close\r\n"
    "\r\n"
    "hello\n";

int
main(void)
{
	char		 buf[8192];
	const char	*p = response;
	size_t		 len = 0, left = sizeof(response) - 1;
	ssize_t		 n;

	while (len < sizeof(buf) - 1) {
		n = read(0, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			break;
	}
	while (left > 0) {
		n = write(1, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 1;
		p += n;
		left -= (size_t)n;
	}
	return 0;
}
