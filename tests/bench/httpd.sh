#!/bin/sh
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# httpd.sh: the benchmark's /bin/sh handler, the same exchange as httpd.c:
# read the request line and the header lines up to the blank one, then
# print the fixed response.
IFS= read -r request
while IFS= read -r line; do
	[ ${#line} -le 1 ] && break	# "" or a lone CR
done
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n'
