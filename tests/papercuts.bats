#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Small things a new user trips over: --help, pinetctl's complaints, the
# process titles, the stop line, and what the man pages say.

load helpers

PINETCTL=$PINETD_BUILD/src/pinetctl

@test "pinetd --help and -h print the usage and the options on stdout and exit 0" {
	for opt in --help -h; do
		run --separate-stderr "$PINETD" "$opt"
		echo "$output"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[[ "${lines[0]}" == "usage: pinetd "* ]]
		[[ "$output" == *"--import-inetd FILE"* ]]
		[[ "$output" == *"-c, --control SOCKET"* ]]
		[[ "$output" == *"Report bugs at https://"* ]]
	done
	# an unknown option is still a usage error, on stderr
	run --separate-stderr "$PINETD" --bogus
	[ "$status" -eq 100 ]
	[ -z "$output" ]
	[[ "$stderr" == *"usage: pinetd "* ]]
}

@test "pinetctl names what is wrong with its command line" {
	run --separate-stderr "$PINETCTL" bogus
	[ "$status" -eq 100 ]
	[ "${stderr_lines[0]}" = "pinetctl: unknown command 'bogus'" ]
	[[ "${stderr_lines[1]}" == "usage: pinetctl "* ]]
	run --separate-stderr "$PINETCTL" status --yaml
	[ "$status" -eq 100 ]
	[ "${stderr_lines[0]}" = "pinetctl: status: unknown argument '--yaml' (only --json)" ]
	run --separate-stderr "$PINETCTL" reload now
	[ "$status" -eq 100 ]
	[ "${stderr_lines[0]}" = "pinetctl: reload: too many arguments" ]
	run --separate-stderr "$PINETCTL" check a b
	[ "$status" -eq 100 ]
	[ "${stderr_lines[0]}" = "pinetctl: check: too many arguments" ]
}

@test "process titles end with the title: no stray dot after it, however long argv[0] was" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
	prefork = 1
}
EOF
	# argv[0] much longer than any title
	mkdir "$T/a-directory-with-a-name-longer-than-any-process-title"
	ln -s "$PINETD" "$T/a-directory-with-a-name-longer-than-any-process-title/pinetd"
	PINETD=$T/a-directory-with-a-name-longer-than-any-process-title/pinetd start_pinetd
	wait_for eval '[ -n "$(children_of "$PID")" ]'
	run ps -o args= -p "$PID"
	echo "master: '$output'"
	[[ "$output" =~ ^pinetd:\ master\ \[1\ services\]\ *$ ]]
	w=$(children_of "$PID" | head -n 1)
	run ps -o args= -p "$w"
	echo "worker: '$output'"
	[[ "$output" =~ ^pinetd:\ s\ worker\ *$ ]]
}

@test "a stop with no handler running says nothing about waiting for handlers" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
	prefork = 2
}
EOF
	start_pinetd
	[ "$(client 127.0.0.1 "$P" </dev/null)" = s ]
	wait_for eval '[ "$(children_of "$PID" | wc -l)" -ge 2 ]'
	kill -TERM "$PID"
	wait "$PID"
	PID=
	grep -q 'stopped$' "$LOG"
	run ! grep 'waiting up to' "$LOG"
}

@test "pinetd(8) names TCP, UDP and unix sockets; pinetctl(8) documents every JSON member of status" {
	man8=$PINETD_BUILD/docs
	run ! grep -q 'on the TCP ports' "$man8/pinetd.8"
	tr '\n' ' ' <"$man8/pinetd.8" | grep -q 'TCP and UDP ports and the unix sockets'

	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
}
EOF
	start_pinetd
	keys=$("$PINETCTL" -s "$T/ctl.sock" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("\n".join(sorted(set(d) | set(d["services"][0]))))')
	[[ "$keys" == *dropped* ]]
	for k in $keys; do
		grep -qE "^\.Va $k( |\$)" "$man8/pinetctl.8" ||
			{ echo "pinetctl(8) does not mention $k"; return 1; }
	done
}

@test "the man pages' header is not 'BSD System Manager's Manual', with groff and with mandoc" {
	command -v groff >/dev/null || command -v mandoc >/dev/null ||
		skip "neither groff nor mandoc is installed"
	for page in pinetd.8 pinetctl.8 pinetd.conf.5; do
		f=$PINETD_BUILD/docs/$page
		if command -v groff >/dev/null; then
			run groff -mdoc -Tutf8 -ww "$f"
			echo "${lines[0]}"
			[[ "${lines[0]}" != *BSD* ]]
			[[ "${lines[0]}" == *Manual* ]]
			[[ "${lines[-1]}" == *"pinetd "[0-9]* ]]
		fi
		if command -v mandoc >/dev/null; then
			run mandoc -Tutf8 "$f"
			[[ "${lines[0]}" != *BSD* ]]
			[[ "${lines[0]}" == *Manual* ]]
		fi
	done
}
