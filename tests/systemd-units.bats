#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# The systemd units as built and installed: every placeholder substituted,
# the programs they name installed at those paths, and clean for
# systemd-analyze verify.

load helpers

# install_tree: `make install` of the build under test into $T/root; sets
# UNITS to the directory holding the installed service unit and EXAMPLES
# to the one holding the example socket unit.
install_tree() {
	make -C "$PINETD_BUILD" install DESTDIR="$T/root" >"$T/install.out" 2>&1 ||
		{ cat "$T/install.out"; return 1; }
	UNITS=$(dirname "$(find "$T/root" -name pinetd.service)")
	EXAMPLES=$(dirname "$(find "$T/root" -name pinetd-echo-example.socket)")
	[ -f "$UNITS/pinetd.service" ]
	[ -f "$EXAMPLES/pinetd-echo-example.socket" ]
}

@test "the example socket unit is installed with the examples, not as a system unit" {
	install_tree
	[[ "$EXAMPLES" == "$T"/root/*/share/doc/pinetd/examples ]]
	[ "$(find "$T/root" -name 'pinetd-echo-example.socket' | wc -l)" -eq 1 ]
	for f in README exec.conf pool.conf status.conf udp.conf pinetd.conf; do
		[ -f "$EXAMPLES/$f" ]
	done
	for f in pool-server.pl status.sh udp-echo.pl; do
		[ -x "$EXAMPLES/$f" ]
	done
}

@test "the installed units name the installed programs, with every path substituted" {
	install_tree
	run ! grep -n '@[a-z_]*@' "$UNITS/pinetd.service" "$EXAMPLES/pinetd-echo-example.socket"
	exec_start=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$UNITS/pinetd.service")
	[[ "$exec_start" == /*/pinetd ]]
	[ -x "$T/root$exec_start" ]
	[ -x "$T/root$(dirname "$exec_start")/pinetctl" ]
	grep -qx 'Type=notify' "$UNITS/pinetd.service"
	# systemctl reload waits for the outcome and fails with the config
	grep -qx "ExecReload=$(dirname "$exec_start")/pinetctl reload" "$UNITS/pinetd.service"
	run ! grep -q '^NoNewPrivileges' "$UNITS/pinetd.service"
	grep -qx 'Service=pinetd.service' "$EXAMPLES/pinetd-echo-example.socket"
	grep -qx 'FileDescriptorName=echo-example' "$EXAMPLES/pinetd-echo-example.socket"
}

@test "systemd-analyze verify finds nothing to say about the units" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	install_tree
	# verify checks that ExecStart= and ExecReload= exist: point them into the install
	# tree, leaving everything else as installed
	mkdir "$T/units"
	sed -E "s#^Exec(Start|Reload)=#Exec\1=$T/root#" "$UNITS/pinetd.service" \
	    >"$T/units/pinetd.service"
	cp "$EXAMPLES/pinetd-echo-example.socket" "$T/units/"
	# and it looks up the Documentation= man pages: the installed ones
	man=(--man=no)
	if command -v man >/dev/null; then
		man=()
		export MANPATH
		MANPATH=$(dirname "$(dirname "$(find "$T/root" -name pinetd.8)")")
	fi
	run systemd-analyze verify "${man[@]}" "$T/units/pinetd.service" \
	    "$T/units/pinetd-echo-example.socket"
	echo "$output"
	[ "$status" -eq 0 ]
	# warnings (unknown keys, bad values) do not change the status
	run ! grep -q 'pinetd' <<<"$output"
}
