#!/bin/sh
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# status.sh: a tiny HTTP/1.0 server, one connection per run, that answers
# GET / with a plain-text status page: host name, uptime and load.
# The connection is on standard input and output (pinetd mode nowait).
#
# It reads the request line and the header lines up to the blank line that
# ends them before answering, as a client expects of an HTTP server; the
# service's "timeout" bounds a client that never sends that blank line.
set -u
cr=$(printf '\r')

reply() {	# STATUS BODY: the head, then the body unless the method is HEAD
	printf 'HTTP/1.0 %s\r\n' "$1"
	printf 'Content-Type: text/plain; charset=utf-8\r\n'
	printf 'Content-Length: %s\r\n' "$(printf '%s' "$2" | wc -c)"
	printf 'Cache-Control: no-store\r\n'
	printf 'Connection: close\r\n\r\n'
	[ "$method" = HEAD ] || printf '%s' "$2"
	exit 0
}

# "GET /path HTTP/1.0", then headers until an empty line (or EOF).
method=GET
IFS=' ' read -r method path _ || exit 0
n=0
while IFS= read -r line; do
	line=${line%"$cr"}
	[ -z "$line" ] && break
	n=$((n + 1))
	[ "$n" -gt 100 ] && reply "431 Request Header Fields Too Large" "too many header lines
"
done
path=${path%"$cr"}

case $method in
GET|HEAD) ;;
*) reply "405 Method Not Allowed" "only GET and HEAD
" ;;
esac
case $path in
/|/status) ;;
*) reply "404 Not Found" "no such page; try /
" ;;
esac

# /proc/uptime: seconds since boot; /proc/loadavg: 1, 5, 15 minute loads.
read -r up _ </proc/uptime
up=${up%.*}
days=$((up / 86400)) hours=$((up % 86400 / 3600)) mins=$((up % 3600 / 60))
read -r l1 l5 l15 procs _ </proc/loadavg

body="host:    $(uname -n)
uptime:  ${days}d ${hours}h ${mins}m
load:    $l1 $l5 $l15 (1, 5, 15 minutes)
tasks:   $procs (running/total)
time:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')
client:  ${TCPREMOTEIP:-?} port ${TCPREMOTEPORT:-?}
"
reply "200 OK" "$body"
