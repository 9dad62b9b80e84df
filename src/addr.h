/* addr.h: address and port parsing and formatting (pure, unit-tested). */
#ifndef PINETD_ADDR_H
#define PINETD_ADDR_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>

#define ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */

/* Parses a numeric IPv4 or IPv6 address ("[::1]" accepted) into ss with
 * the given port. Returns 0, or -1 when s is not an address. */
int	addr_parse(const char *s, uint16_t port, struct sockaddr_storage *ss,
	    socklen_t *len);
/* Parses a port number 1..65535; returns 0 or -1. */
int	addr_parse_port(const char *s, uint16_t *port);
/* Formats the address (IPv4-mapped IPv6 shown as IPv4) and port.
 * Returns AF_INET or AF_INET6 as seen after unmapping, or -1. */
int	addr_format(const struct sockaddr *sa, char *ip, size_t iplen,
	    uint16_t *port);
/* True when both name the same family, address and port. */
int	addr_equal(const struct sockaddr_storage *a,
	    const struct sockaddr_storage *b);
/* True when a and b would collide on bind: same family and port, and the
 * same address or either is the wildcard. */
int	addr_conflict(const struct sockaddr_storage *a,
	    const struct sockaddr_storage *b);

#endif
