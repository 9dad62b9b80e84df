#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Sockets passed by systemd (LISTEN_FDS): adopted by FileDescriptorName
# equal to a service's name, else by address and port; the rest closed.

load helpers

@test "passed sockets are adopted by name and by address; an unmatched one is logged and closed" {
	command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate is not installed"
	P=$(free_port)
	write_conf <<EOF
service named {
	port = $((P + 5))
	address = { "127.0.0.1" }
	shell = "echo named \$TCPLOCALPORT"
}
service byaddr {
	port = $((P + 1))
	address = { "127.0.0.1" }
	shell = "echo byaddr"
}
EOF
	systemd-socket-activate -l "127.0.0.1:$P" -l "127.0.0.1:$((P + 1))" \
	    -l "127.0.0.1:$((P + 2))" --fdname=named:other:stray \
	    "$PINETD" -f "$CONF" -v -c "$T/ctl.sock" >"$LOG" 2>&1 &
	PID=$!
	# it starts pinetd on the first connection, which pinetd then serves
	wait_log 'as 5\.'
	[ "$(client 127.0.0.1 "$P" </dev/null)" = "named $P" ]
	wait_log 'ready:'
	cat "$LOG"
	grep -q "named: adopted passed socket named" "$LOG"
	grep -q "byaddr: adopted passed socket other" "$LOG"
	grep -q "passed socket stray (fd [0-9]*) matches no service; closing it" "$LOG"
	[ "$(client 127.0.0.1 "$P" </dev/null)" = "named $P" ]
	[ "$(client 127.0.0.1 "$((P + 1))" </dev/null)" = byaddr ]
	run ! client 127.0.0.1 "$((P + 2))" </dev/null
	# the named service's own address was not bound
	run ! client 127.0.0.1 "$((P + 5))" </dev/null
	# status shows the address each service really listens on: the
	# passed socket's, not the config's
	run "$PINETD_BUILD/src/pinetctl" -s "$T/ctl.sock" status
	echo "$output"
	[[ "$output" =~ named\ +tcp\ +127\.0\.0\.1:$P\  ]]
	[[ "$output" =~ byaddr\ +tcp\ +127\.0\.0\.1:$((P + 1))\  ]]
	run "$PINETD_BUILD/src/pinetctl" -s "$T/ctl.sock" status --json
	[[ "$output" == *'"name":"named",'*'"listen":["127.0.0.1:'"$P"'"]'* ]]
	# an adopted listener is carried over by a reload
	kill -HUP "$PID"
	wait_log 'reload: named kept'
	[ "$(client 127.0.0.1 "$P" </dev/null)" = "named $P" ]
	run "$PINETD_BUILD/src/pinetctl" -s "$T/ctl.sock" status
	[[ "$output" =~ named\ +tcp\ +127\.0\.0\.1:$P\  ]]
}
