#!/usr/bin/env bats
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
