#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Classic inetd.conf lines: pinetd --import-inetd prints them as
# pinetd.conf sections that load and serve.

load helpers

@test "--import-inetd prints every field form as sections that pass pinetd -t" {
	run "$PINETD" --import-inetd "$top/tests/fixtures/inetd/inetd.conf"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# Services from $top/tests/fixtures/inetd/inetd.conf, converted by pinetd --import-inetd." ]
	grep -q "^service 'finger' {" <<<"$output"
	grep -qx "	exec = '/usr/sbin/in.fingerd'" <<<"$output"
	grep -qx "	service_rate = 7" <<<"$output"
	grep -qx "	address = { '127.0.0.2' }" <<<"$output"
	# the tcpd-wrapped daemon is not installed here: point it at cat
	sed -e 's#/usr/sbin/in.fingerd#/bin/cat#' \
	    -e "s#/run/pinetd-test.sock#$T/test.sock#" <<<"$output" | write_conf
	run "$PINETD" -t -f "$CONF"
	[ "$output" = "configuration OK" ]
	[ "$status" -eq 0 ]
}

@test "--import-inetd reports every bad line as FILE:LINE and exits 1" {
	cd "$top/tests/fixtures/inetd"
	run --separate-stderr "$PINETD" --import-inetd bad.conf
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "$(cat bad.expect)" ]
	run "$PINETD" --import-inetd "$T/missing.conf"
	[ "$status" -eq 1 ]
	[ "$output" = "$T/missing.conf: No such file or directory" ]
}

@test "an imported inetd.conf serves its programs" {
	P=$(free_port)
	cat >"$T/inetd.conf" <<EOF
127.0.0.1:$P	stream	tcp	nowait	nobody	/bin/echo	echo hello from inetd
127.0.0.1:$((P + 1))	stream	tcp	nowait	nobody	internal
EOF
	# "internal" needs a builtin's name: a port number is none
	run "$PINETD" --import-inetd "$T/inetd.conf"
	[ "$status" -eq 1 ]
	[ "$output" = "$T/inetd.conf:2: '$((P + 1))' is not an internal service: want echo, discard, daytime, time or chargen" ]
	sed -i '2d' "$T/inetd.conf"
	"$PINETD" --import-inetd "$T/inetd.conf" | write_conf
	start_pinetd
	[ "$(client 127.0.0.1 "$P" </dev/null)" = "hello from inetd" ]
}

# inetd_conf_file < lines: $T/inetd.conf, with the mode pinetd insists on.
inetd_conf_file() {
	cat >"$T/inetd.conf.new"
	chmod 644 "$T/inetd.conf.new"
	mv -f "$T/inetd.conf.new" "$T/inetd.conf"
}

@test "inetd_conf: the services of an inetd.conf answer beside pinetd.conf's" {
	P=$(free_port)
	inetd_conf_file <<EOF
# a comment, then a blank line

127.0.0.1:$P	stream	tcp	nowait	nobody	/bin/echo	echo hello from inetd
127.0.0.2:daytime	stream	tcp	nowait	nobody	internal
EOF
	write_conf <<EOF
inetd_conf = "inetd.conf"
service s {
	port = $((P + 2))
	address = "127.0.0.1"
	shell = "echo from pinetd.conf"
}
EOF
	run "$PINETD" -t -f "$CONF"
	[ "$output" = "configuration OK" ]
	sed -i '/internal/d' "$T/inetd.conf"
	start_pinetd
	[ "$(client 127.0.0.1 "$P" </dev/null)" = "hello from inetd" ]
	[ "$(client 127.0.0.1 "$((P + 2))" </dev/null)" = "from pinetd.conf" ]
}

@test "inetd_conf: a bad line is FILE:LINE of the inetd.conf, with every other error" {
	cp "$top/tests/fixtures/inetd/bad.conf" "$T/inetd.conf"
	chmod 644 "$T/inetd.conf"
	echo 'inetd_conf = "inetd.conf"' | write_conf
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 1 ]
	[ "$output" = "$(sed "s|^bad.conf:|$T/inetd.conf:|" "$top/tests/fixtures/inetd/bad.expect")" ]
	# lines that convert but do not load: still the inetd.conf's lines
	P=$(free_port)
	inetd_conf_file <<EOF
# two good lines, then a bad user and a missing server

127.0.0.1:$P	stream	tcp	nowait	nobody	/bin/cat	cat
127.0.0.1:$((P + 1))	stream	tcp	nowait	pinetd-no-such-user	/bin/cat	cat
127.0.0.1:$((P + 2))	stream	tcp	nowait	nobody	/nonexistent/server	server
EOF
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/inetd.conf:4: user: unknown user 'pinetd-no-such-user'" ]
	[ "${lines[1]}" = "$T/inetd.conf:5: exec: '/nonexistent/server': No such file or directory" ]
	[ "${#lines[@]}" -eq 2 ]
	# a missing inetd.conf, and one others may write
	rm "$T/inetd.conf"
	run "$PINETD" -t -f "$CONF"
	[ "$output" = "$CONF:1: inetd_conf '$T/inetd.conf': No such file or directory" ]
	echo "7 stream tcp nowait nobody internal" | inetd_conf_file
	chmod 666 "$T/inetd.conf"
	run "$PINETD" -t -f "$CONF"
	[ "$output" = "$CONF:1: inetd_conf '$T/inetd.conf': writable by group or others (mode 0666); refusing it" ]
}

@test "inetd_conf: a service of it that takes a pinetd.conf name or port is an error" {
	P=$(free_port)
	write_conf <<EOF
# services from the inetd.conf come after these
inetd_conf = "inetd.conf"
service s {
	port = $P
	address = "127.0.0.1"
	builtin = echo
}
service daytime {
	port = $((P + 1))
	address = "127.0.0.1"
	builtin = daytime
}
EOF
	inetd_conf_file <<EOF
127.0.0.1:$P	stream	tcp	nowait	nobody	/bin/cat	cat
daytime	stream	tcp	nowait	nobody	internal
EOF
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/inetd.conf:1: service '$P@127.0.0.1': address 127.0.0.1 port $P is already used by service 's' ($CONF:3)" ]
	[ "${lines[1]}" = "$T/inetd.conf:2: duplicate service 'daytime' (first defined at $CONF:8)" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "inetd_conf: a reload reads the inetd.conf again" {
	P=$(free_port)
	echo "127.0.0.1:$P	stream	tcp	nowait	nobody	/bin/echo	echo one" | inetd_conf_file
	echo 'inetd_conf = "inetd.conf"' | write_conf
	start_pinetd
	[ "$(client 127.0.0.1 "$P" </dev/null)" = one ]
	{
		echo "127.0.0.1:$P	stream	tcp	nowait	nobody	/bin/echo	echo two"
		echo "127.0.0.1:$((P + 1))	stream	tcp	nowait	nobody	/bin/echo	echo new"
	} | inetd_conf_file
	kill -HUP "$PID"
	wait_log 'reload done: 2 services'
	[ "$(client 127.0.0.1 "$P" </dev/null)" = two ]
	[ "$(client 127.0.0.1 "$((P + 1))" </dev/null)" = new ]
	# a bad line: the reload fails, naming it, and both keep serving
	echo "127.0.0.1:$((P + 2)) stream tcp maybe nobody /bin/echo echo" >>"$T/inetd.conf"
	kill -HUP "$PID"
	wait_log "reload: $T/inetd.conf:3: bad wait field 'maybe'"
	wait_log 'reload failed: keeping the running configuration'
	[ "$(client 127.0.0.1 "$((P + 1))" </dev/null)" = new ]
}
