/* addr.h: address and port parsing and formatting (pure, unit-tested).
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_ADDR_H
#define PINETD_ADDR_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>

/* INET6_ADDRSTRLEN, '%' and an interface name (IF_NAMESIZE) */
#define ADDR_STRLEN	(46 + 1 + 16)

/* Parses a numeric IPv4 or IPv6 address ("[::1]" accepted; an IPv6 one
 * may name its interface, "fe80::1%eth0" or "%2") into ss with the given
 * port. Returns 0, or -1 when s is not an address or the interface does
 * not exist. */
int	addr_parse(const char *s, uint16_t port, struct sockaddr_storage *ss,
	    socklen_t *len);
/* Parses a port number 1..65535; returns 0 or -1. */
int	addr_parse_port(const char *s, uint16_t *port);
/* Formats the address (IPv4-mapped IPv6 shown as IPv4, a scoped one with
 * "%interface") and port.
 * Returns AF_INET or AF_INET6 as seen after unmapping, or -1. */
int	addr_format(const struct sockaddr *sa, char *ip, size_t iplen,
	    uint16_t *port);
/* "ip:port" or "[ip6]:port", as the log and status show a peer.
 * Returns AF_INET or AF_INET6, or -1 (buf untouched) for another family. */
int	addr_format_peer(const struct sockaddr *sa, char *buf, size_t len);
/* The length of the sockaddr of sa's family (inet, inet6 or unix). */
socklen_t addr_len(const struct sockaddr *sa);
/* True for the IPv4 or IPv6 wildcard address. */
int	addr_is_any(const struct sockaddr_storage *a);
/* True when both name the same family, address and port. */
int	addr_equal(const struct sockaddr_storage *a,
	    const struct sockaddr_storage *b);
/* True when a and b would collide on bind: same family and port, and the
 * same address or either is the wildcard. */
int	addr_conflict(const struct sockaddr_storage *a,
	    const struct sockaddr_storage *b);

/* An address prefix: "10.0.0.0/8", "2001:db8::/32", or one address. */
struct cidr {
	int	family;		/* AF_INET or AF_INET6 */
	int	bits;
	uint8_t	addr[16];	/* network order, host bits cleared */
};

/* Parses s into c; returns 0, or -1 when s is no address or prefix. */
int	cidr_parse(const char *s, struct cidr *c);
/* True when sa (IPv4-mapped IPv6 taken as IPv4) lies in c. */
int	cidr_match(const struct cidr *c, const struct sockaddr *sa);
/* The bytes that identify a source: the IPv4 address, or the first
 * prefix6 bits of an IPv6 one (IPv4-mapped taken as IPv4). Fills key
 * (16 bytes) and returns its family, or -1. */
int	addr_source_key(const struct sockaddr *sa, int prefix6, uint8_t *key);

#endif
