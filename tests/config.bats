#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Configuration errors: each is "FILE:LINE: message", is fatal at start,
# and `pinetd -t` prints every one (or "configuration OK") and exits 1 (or
# 0) without binding anything.
#
# Every error case is a fixture in tests/fixtures/bad/, in one of two forms:
#
#   NAME.conf, NAME.expect   a main file alone, copied to $T/pinetd.conf.
#   NAME/                    a directory copied whole into $T: pinetd.conf
#                            (absent for "the file does not exist"), its
#                            drop-ins and handlers, and two files that are
#                            not copied:
#                              expect   as NAME.expect;
#                              prepare  optional, shell commands run in $T
#                                       after the copy, for what git does
#                                       not keep (modes, owners, empty
#                                       directories).
#
# NAME.expect (or expect) is the exact output of `pinetd -t`: the error
# lines, in order. In it and in every copied file, @DIR@ stands for $T and
# @PORT@ for a free port. Copies belong to the user running the tests
# (root, or pinetd's own user), files mode 0644 and directories 0755, as
# pinetd insists.
#
# Each fixture has its own @test (bats 1.8 cannot generate tests), and a
# test checks that none is forgotten.

load helpers

FIXTURES=$BATS_TEST_DIRNAME/fixtures/bad

# use_fixture NAME: copies the fixture into $T; sets P and EXPECT.
use_fixture() {
	local src=$FIXTURES/$1 expect

	P=$(free_port)
	if [ -d "$src" ]; then
		cp -R "$src"/. "$T"/
		rm -f "$T/expect" "$T/prepare"
		expect=$src/expect
	else
		cp "$src.conf" "$CONF"
		expect=$src.expect
	fi
	chmod -R u=rwX,go=rX "$T"
	find "$T" -type f -exec sed -i "s|@DIR@|$T|g; s|@PORT@|$P|g" {} +
	if [ -f "$src/prepare" ]; then
		(cd "$T" && sh -e "$src/prepare")
	fi
	EXPECT=$(sed "s|@DIR@|$T|g; s|@PORT@|$P|g" "$expect")
}

# nothing_listens PORT
nothing_listens() {
	local l
	l=$(ss -Hltn "sport = :$1")
	[ -z "$l" ] || { echo "something listens on port $1: $l"; return 1; }
}

# check_bad NAME: `pinetd -t` prints exactly the expected lines and exits
# 1; started for real, pinetd logs the same lines, exits 1 and binds
# nothing.
check_bad() {
	local line

	use_fixture "$1"
	run "$PINETD" -t -f "$CONF"
	if [ "$status" -ne 1 ] || [ "$output" != "$EXPECT" ]; then
		printf 'pinetd -t exited %d\n--- expected:\n%s\n--- got:\n%s\n' \
		    "$status" "$EXPECT" "$output"
		return 1
	fi

	run timeout 10 "$PINETD" -f "$CONF"
	printf '%s\n' "$output" >"$LOG"
	[ "$status" -eq 1 ]
	while IFS= read -r line; do
		sed 's/^pinetd\[[0-9]*\]: //' "$LOG" | grep -qxF -- "$line" ||
			{ echo "not in the log: $line"; return 1; }
	done <<<"$EXPECT"
	grep -q ': configuration has errors; not starting$' "$LOG"
	if grep -q 'ready:' "$LOG"; then
		echo "pinetd said it was ready"
		return 1
	fi
	nothing_listens "$P"
}

@test "every fixture has its expected lines and a test here" {
	local f name missing=
	for f in "$FIXTURES"/*.conf; do
		name=$(basename "$f" .conf)
		[ -f "$FIXTURES/$name.expect" ] || missing="$missing $name.expect"
		grep -qx "	check_bad $name" "$BATS_TEST_FILENAME" ||
			missing="$missing test:$name"
	done
	for f in "$FIXTURES"/*/; do
		name=$(basename "$f")
		[ -f "$f/expect" ] || missing="$missing $name/expect"
		grep -qx "	check_bad $name" "$BATS_TEST_FILENAME" ||
			missing="$missing test:$name"
	done
	[ -z "$missing" ] || { echo "missing:$missing"; return 1; }
}

# ---- syntax and unknown options ----

@test "unknown option at the top level" {
	check_bad unknown-option-top
}

@test "unknown option inside a service" {
	check_bad unknown-option-service
}

@test "a service option inside defaults" {
	check_bad unknown-option-defaults
}

@test "a drop-in may hold services only" {
	check_bad dropin-unknown-option
}

@test "syntax error" {
	check_bad syntax-error
}

@test "a closing brace too many" {
	check_bad syntax-extra-brace
}

@test "a file that ends inside a section" {
	check_bad syntax-unclosed
}

@test "an unterminated string" {
	check_bad syntax-unterminated-string
}

@test "a service without a name" {
	check_bad missing-title
}

@test "comments of every kind do not shift line numbers" {
	check_bad line-after-comments
}

# ---- what a service needs ----

@test "a service with no handler" {
	check_bad no-handler
}

@test "a service with both exec and shell" {
	check_bad exec-and-shell
}

@test "a service with no port" {
	check_bad no-port
}

@test "port 0" {
	check_bad port-0
}

@test "port 65536" {
	check_bad port-65536
}

@test "port -1" {
	check_bad port-negative
}

@test "a port that is neither a number nor a service name" {
	check_bad port-not-a-service
}

@test "a port may be a service name /etc/services knows only for udp" {
	write_conf <<EOF
service t {
	port = tftp
	protocol = udp
	address = "127.0.0.1"
	shell = "true"
}
EOF
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 0 ]
}

# ---- values ----

@test "unknown user" {
	check_bad unknown-user
}

@test "unknown user in defaults is reported once, where it is set" {
	check_bad unknown-user-defaults
}

@test "unknown group" {
	check_bad unknown-group
}

@test "exec path that does not exist" {
	check_bad exec-missing
}

@test "exec path that is a directory" {
	check_bad exec-directory
}

@test "exec path that is not executable" {
	check_bad exec-not-executable
}

@test "an address that is a host name" {
	check_bad bad-address
}

@test "env entries that are not NAME=value" {
	check_bad bad-env
}

@test "env naming a variable pinetd sets per connection" {
	check_bad env-reserved
}

@test "unknown stderr mode" {
	check_bad bad-stderr
}

@test "unsupported protocol" {
	check_bad bad-protocol
}

@test "backlog out of range or not decimal" {
	check_bad bad-backlog
}

@test "prefork out of range or not a number" {
	check_bad bad-prefork
}

@test "enabled that is not a boolean" {
	check_bad bad-enabled
}

@test "several independent errors are all reported" {
	check_bad several-errors
}

@test "a bad user, a missing exec and a bad address in one service: all reported" {
	check_bad several-errors-one-service
}

@test "builtin = none is refused, not a crash" {
	check_bad builtin-none
	# pinetctl check runs pinetd -t: the same lines, the same status
	run env PINETD="$PINETD" "$PINETD_BUILD/src/pinetctl" check "$CONF"
	[ "$status" -eq 1 ]
	[ "$output" = "$EXPECT" ]
}

@test "a v4-mapped prefix shorter than the mapping is refused" {
	check_bad cidr-v4-mapped-short
}

# ---- what the file may hold ----

@test "a NUL byte is refused with its line, and 20,000 of them at once" {
	check_bad nul-byte
}

@test "a control character is refused with its line" {
	check_bad control-char
}

@test "an error message shows a newline and binary bytes escaped" {
	check_bad escaped-message
}

@test "line numbers stay right after lines longer than 1,024 bytes" {
	check_bad long-line
}

@test "200,000 NUL bytes are refused at once" {
	P=$(free_port)
	head -c 200000 /dev/zero >"$CONF"
	chmod 644 "$CONF"
	SECONDS=0
	run timeout 10 "$PINETD" -t -f "$CONF"
	[ "$status" -eq 1 ]
	[ "$output" = "$CONF:1: NUL byte: the file must be text" ]
	[ "$SECONDS" -le 1 ]
}

# ---- between services and files ----

@test "two services with one name in one file" {
	check_bad duplicate-service
}

# many_services N DUP CLASH: N services on 127.0.113.1, five lines each
# (service I at line 5 * (I - 1) + 1); service DUP takes the name of
# service 10, service CLASH the port of service 1 (0: neither).
many_services() {
	awk -v n="$1" -v dup="$2" -v clash="$3" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf "service s%d {\n\tport = %d\n", i == dup ? 10 : i,
			    i == clash ? 30001 : 30000 + i
			printf "\taddress = { \"127.0.113.1\" }\n\tshell = \"true\"\n}\n"
		}
	}' >"$CONF"
}

@test "5,000 services load; a late duplicate and a late address conflict are FILE:LINE" {
	many_services 5000 0 0
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 0 ]
	many_services 5000 4999 5000
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$CONF:24991: duplicate service 's10' (first defined at $CONF:46)" ]
	[ "${lines[1]}" = "$CONF:24996: service 's5000': address 127.0.113.1 port 30001 is already used by service 's1' ($CONF:1)" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "a drop-in redefines a service of the main file" {
	check_bad dup-dropin
}

@test "two drop-ins define one service" {
	check_bad dup-between-dropins
}

@test "include_dir that does not exist" {
	check_bad include-dir-missing
}

@test "two services on one address and port" {
	check_bad address-conflict
}

@test "a wildcard service and a loopback one on one port" {
	check_bad address-conflict-wildcard
}

@test "::1 and the IPv6 wildcard on one port" {
	check_bad address-conflict-v6
}

@test "a drop-in service on the port of a main-file service" {
	check_bad dropin-address-conflict
}

# ---- the files themselves ----

@test "main file writable by its group" {
	check_bad mode-group-writable
}

@test "main file writable by others" {
	check_bad mode-other-writable
}

@test "drop-in writable by others" {
	check_bad dropin-writable
}

@test "drop-in owned by another user" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the file away"
	check_bad dropin-not-owned
}

@test "include_dir writable by others" {
	check_bad dropin-dir-writable
}

@test "include_dir owned by another user" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the directory away"
	check_bad dropin-dir-not-owned
}

@test "main file owned by another user" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the file away"
	check_bad not-owned-by-root
}

@test "main file that does not exist" {
	check_bad file-missing
}

@test "main file that is a directory" {
	check_bad not-a-file
}

# ---- good configurations ----

@test "the demo configuration is OK" {
	cp "$BATS_TEST_DIRNAME/../etc/demo.conf" "$CONF"
	chmod 644 "$CONF"
	mkdir "$T/handlers"
	cp "$FACTOR" "$T/handlers/factor"
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
}

@test "the example /etc/pinetd.conf is OK" {
	cp "$BATS_TEST_DIRNAME/../etc/pinetd.conf" "$CONF"
	chmod 644 "$CONF"
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
}

@test "every drop-in example in etc/examples is OK" {
	cp -r "$BATS_TEST_DIRNAME/../etc/examples" "$T/ex"
	chmod 644 "$T"/ex/*.conf
	echo 'include_dir = "ex"' | write_conf
	run "$PINETD" -t -f "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
}

@test "a port may be a tcp service name from /etc/services" {
	write_conf <<EOF
service echo {
	port = echo
	address = "127.0.0.1"
	shell = "cat"
}
EOF
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
}

@test "a disabled service may share a port" {
	P=$(free_port)
	write_conf <<EOF
service a {
	port = $P
	address = "127.0.0.1"
	shell = "cat"
}
service b {
	port = $P
	address = "127.0.0.1"
	shell = "cat"
	enabled = false
}
EOF
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
}

@test "drop-ins load and their services answer" {
	local p1 p2 p3
	p1=$(free_port)
	p2=$(free_port)
	p3=$(free_port)
	write_conf <<EOF
# Only *.conf files of conf.d are read, in lexical order.
include_dir = "conf.d"
defaults { prefork = $PREFORK }
service main {
	port = $p1
	address = "127.0.0.1"
	shell = "echo main"
}
EOF
	mkdir "$T/conf.d"
	cat >"$T/conf.d/10-echo.conf" <<EOF
service echo {
	port = $p2
	address = "127.0.0.1"
	shell = "echo \$SERVICE; cat"
}
EOF
	# a relative exec is taken from the drop-in's own directory
	cp "$FACTOR" "$T/conf.d/factor"
	cat >"$T/conf.d/20-factor.conf" <<EOF
service factor {
	port = $p3
	address = "127.0.0.1"
	exec = "factor"
}
EOF
	echo 'this is not read' >"$T/conf.d/README"
	echo 'service main { }' >"$T/conf.d/.hidden.conf"
	echo 'service main { }' >"$T/conf.d/30-off.conf.disabled"
	chmod 644 "$T"/conf.d/*.conf "$T"/conf.d/.hidden.conf
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]

	start_pinetd
	run client 127.0.0.1 "$p1" </dev/null
	[ "$output" = "main" ]
	run client 127.0.0.1 "$p2" <<<"hello"
	[ "$output" = "$(printf 'echo\nhello')" ]
	run client 127.0.0.1 "$p3" <<<"12"
	[ "$output" = "12: 2 2 3" ]
}

@test "v4-mapped allow and deny entries match IPv4 peers" {
	P=$(free_port)
	write_conf <<EOF2
service denied {
	port = $P
	address = "127.0.0.1"
	shell = "echo denied"
	deny = { "::ffff:127.0.0.1" }
}
service allowed {
	port = $((P + 1))
	address = "127.0.0.1"
	shell = "echo allowed"
	allow = { "::ffff:127.0.0.0/104" }
	deny = { "0.0.0.0/0" }
}
EOF2
	start_pinetd
	run client 127.0.0.1 "$P" </dev/null
	[ -z "$output" ]
	wait_log "denied: refused 127\\.0\\.0\\.1 port [0-9]+ \\(deny\\)"
	[ "$(client 127.0.0.1 "$((P + 1))" </dev/null)" = allowed ]
}

@test "bind_device ties a listener to an interface; a scoped IPv6 address is accepted; bad names are FILE:LINE" {
	P=$(free_port)
	write_conf <<EOF2
service dev {
	port = $P
	address = { "127.0.0.1" }
	bind_device = "lo"
	shell = "echo dev"
}
EOF2
	start_pinetd
	[ "$(client 127.0.0.1 "$P" </dev/null)" = dev ]
	# the kernel shows the socket bound to the device
	run ss -Hltn "sport = :$P"
	echo "$output"
	[[ "$output" == *"127.0.0.1%lo:$P"* ]]
	stop_pinetd
	# an interface that is not there: the service cannot listen, and says why
	sed 's/bind_device = "lo"/bind_device = "nosuch0"/' "$CONF" >"$CONF.new"
	mv "$CONF.new" "$CONF"
	run timeout 10 "$PINETD" -f "$CONF" -c "$T/ctl.sock"
	echo "$output"
	[ "$status" -eq 111 ]
	[[ "$output" == *"dev: cannot listen on 127.0.0.1 port $P"*"No such device"* ]]
	# a name the kernel would refuse, and bind_device on a unix socket
	write_conf <<EOF2
service dev {
	port = $P
	address = { "fe80::1%lo" }
	bind_device = "a/b"
	shell = "echo dev"
}
service u {
	protocol = unix
	path = "$T/u.sock"
	bind_device = "lo"
	shell = "echo u"
}
EOF2
	run "$PINETD" -t -f "$CONF"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CONF:4: bind_device: 'a/b' is not an interface name"* ]]
	[[ "$output" == *"service 'u': bind_device is for tcp and udp sockets"* ]]
	# the scoped address itself was fine
	run grep -c "fe80" <<<"$output"
	[ "$output" -eq 0 ]
	sed -i 's|fe80::1%lo|fe80::1%nosuch0|' "$CONF"
	run "$PINETD" -t -f "$CONF"
	[[ "$output" == *"$CONF:3: "*"fe80::1%nosuch0"* ]]
}
