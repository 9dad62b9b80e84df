#!/usr/bin/perl
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# udp-echo.pl: a UDP wait-mode handler for pinetd. Standard input is the
# service's datagram socket itself (mode = wait): at least one datagram is
# waiting when this starts. Every datagram is sent back to its sender until
# none came for IDLE_SECONDS (default 5); then it exits and pinetd watches
# the socket again, to start a new copy at the next datagram.
#
# Works unchanged on IPv4, IPv6 (PROTO is UDP or UDP6) and unix-dgram
# sockets: the peer's address is passed back as recv returned it.
use strict;
use warnings;
use IO::Socket;
use IO::Select;
use Socket qw(sockaddr_family AF_INET AF_INET6);

# Perl opens STDIN read-only, and send() refuses a read-only handle: take
# descriptor 0 again, for reading and writing.
my $sock = IO::Socket->new_from_fd(0, "r+")
    or die "standard input is not a socket: $!\n";
my $idle = $ENV{IDLE_SECONDS} || 5;
my $sel = IO::Select->new($sock);
my $n = 0;

while ($sel->can_read($idle)) {
	my $peer = $sock->recv(my $msg, 65535, 0);
	if (!defined $peer) {
		warn "recv: $!\n";
		last;
	}
	next if length($peer) <= 2;	# an unbound unix client: no address
	# Like pinetd's builtins: never answer a privileged source port,
	# which could be another echo service (a datagram loop). The port
	# sits at the same place in sockaddr_in and sockaddr_in6.
	my $family = sockaddr_family($peer);
	next if ($family == AF_INET || $family == AF_INET6) &&
	    unpack('n', substr($peer, 2, 2)) < 1024;
	if (defined $sock->send($msg, 0, $peer)) {
		$n++;
	} else {
		warn "send: $!\n";
	}
}
print STDERR "answered $n datagrams; idle for ${idle}s, giving the socket back\n";
exit 0;
