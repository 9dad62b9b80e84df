#!/usr/bin/env bats
# The systemd units as built and installed: every placeholder substituted,
# the programs they name installed at those paths, and clean for
# systemd-analyze verify.

load helpers

# install_tree: `make install` of the build under test into $T/root; sets
# UNITS to the directory holding the installed units.
install_tree() {
	make -C "$PINETD_BUILD" install DESTDIR="$T/root" >"$T/install.out" 2>&1 ||
		{ cat "$T/install.out"; return 1; }
	UNITS=$(dirname "$(find "$T/root" -name pinetd.service)")
	[ -f "$UNITS/pinetd.service" ]
	[ -f "$UNITS/pinetd-echo-example.socket" ]
}

@test "the installed units name the installed programs, with every path substituted" {
	install_tree
	run ! grep -n '@[a-z_]*@' "$UNITS/pinetd.service" "$UNITS/pinetd-echo-example.socket"
	exec_start=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$UNITS/pinetd.service")
	[[ "$exec_start" == /*/pinetd ]]
	[ -x "$T/root$exec_start" ]
	[ -x "$T/root$(dirname "$exec_start")/pinetctl" ]
	grep -qx 'Type=notify' "$UNITS/pinetd.service"
	grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$UNITS/pinetd.service"
	run ! grep -q '^NoNewPrivileges' "$UNITS/pinetd.service"
	grep -qx 'Service=pinetd.service' "$UNITS/pinetd-echo-example.socket"
	grep -qx 'FileDescriptorName=echo-example' "$UNITS/pinetd-echo-example.socket"
}

@test "systemd-analyze verify finds nothing to say about the units" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	install_tree
	# verify checks that ExecStart= exists: point it into the install
	# tree, leaving everything else as installed
	mkdir "$T/units"
	for u in pinetd.service pinetd-echo-example.socket; do
		sed "s|^ExecStart=|ExecStart=$T/root|" "$UNITS/$u" >"$T/units/$u"
	done
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
