#!/usr/bin/perl
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# pool-server.pl: a line-upcasing server in the classic IO::Socket shape,
# turned into a pinetd pool handler (mode = pool). A standalone server
# would start with
#
#     my $listen = IO::Socket::INET->new(LocalPort => 7200, Listen => 128,
#         ReuseAddr => 1);
#
# and fork its children; here pinetd has opened the listening socket and
# passes it on standard input, and runs as many copies as the service's
# "instances" asks for, restarting any that exits. Each copy accepts one
# connection after another, so a client's greeting shows which pid served
# it, and the same few pids serve every connection.
use strict;
use warnings;
use IO::Socket::INET;

my $listen = IO::Socket::INET->new_from_fd(0, "r")
    or die "standard input is not a socket: $!\n";
$0 = "pool-server [accepting]";

# pinetd sends SIGTERM at stop (or when a reload closes the socket): stop
# accepting, finish the client being served, exit.
my $stopping = 0;
$SIG{TERM} = sub { $stopping = 1 };
$SIG{PIPE} = 'IGNORE';		# a client gone: print fails, no death

my $served = 0;
until ($stopping) {
	my $client = $listen->accept or next;	# EINTR on SIGTERM: loop
	$served++;
	$client->autoflush(1);
	print $client "hello from pid $$ (connection $served)\r\n";
	while (my $line = <$client>) {
		$line =~ s/\r?\n\z//;
		last if $line eq 'quit';
		print $client uc($line), "\r\n" or last;
	}
	close $client;
}
print STDERR "served $served connections; exiting on SIGTERM\n";
exit 0;
