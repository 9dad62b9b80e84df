/* addr.c: address and port parsing and formatting.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#include "ac-config.h"

#include <sys/un.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* "%eth0" or "%2" after an IPv6 address: the interface it is reached
 * through (link-local addresses need one). Returns 0, or -1. */
static int
parse_scope(const char *scope, uint32_t *id)
{
	char		*end;
	unsigned long	 v;

	if (*scope >= '0' && *scope <= '9') {
		v = strtoul(scope, &end, 10);
		if (*end != '\0' || v == 0 || v > UINT32_MAX)
			return -1;
		*id = (uint32_t)v;
		return 0;
	}
	return (*id = if_nametoindex(scope)) == 0 ? -1 : 0;
}

int
addr_parse(const char *s, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 buf[ADDR_STRLEN + 2], *pct;
	size_t			 n = strlen(s);

	memset(ss, 0, sizeof(*ss));
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	} else if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if ((pct = strchr(buf, '%')) != NULL) {
		*pct++ = '\0';
		if (parse_scope(pct, &sin6->sin6_scope_id) == -1)
			return -1;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

int
addr_parse_port(const char *s, uint16_t *port)
{
	char		*end;
	unsigned long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* Dotted quad by hand: glibc's inet_ntop goes through sprintf, and this
 * runs for every connection. */
static void
format_ipv4(const uint8_t *b, char *ip)
{
	int	i;

	for (i = 0; i < 4; i++) {
		if (b[i] >= 100)
			*ip++ = '0' + b[i] / 100;
		if (b[i] >= 10)
			*ip++ = '0' + b[i] / 10 % 10;
		*ip++ = '0' + b[i] % 10;
		*ip++ = i < 3 ? '.' : '\0';
	}
}

int
addr_format(const struct sockaddr *sa, char *ip, size_t iplen, uint16_t *port)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;
	char				 ifname[IF_NAMESIZE];
	size_t				 n;

	if (sa->sa_family == AF_UNIX) {
		snprintf(ip, iplen, "%s", ((const struct sockaddr_un *)sa)->sun_path);
		*port = 0;
		return AF_UNIX;
	}
	if (sa->sa_family == AF_INET || (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))) {
		if (iplen < sizeof("255.255.255.255"))
			return -1;
		if (sa->sa_family == AF_INET) {
			format_ipv4((const uint8_t *)&sin->sin_addr, ip);
			*port = ntohs(sin->sin_port);
		} else {
			format_ipv4(&sin6->sin6_addr.s6_addr[12], ip);
			*port = ntohs(sin6->sin6_port);
		}
		return AF_INET;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	*port = ntohs(sin6->sin6_port);
	if (inet_ntop(AF_INET6, &sin6->sin6_addr, ip, iplen) == NULL)
		return -1;
	if (sin6->sin6_scope_id != 0) {	/* "%eth0", or "%2" if it is gone */
		n = strlen(ip);
		if (if_indextoname(sin6->sin6_scope_id, ifname) != NULL)
			snprintf(ip + n, iplen - n, "%%%s", ifname);
		else
			snprintf(ip + n, iplen - n, "%%%u",
			    (unsigned)sin6->sin6_scope_id);
	}
	return AF_INET6;
}

int
addr_format_peer(const struct sockaddr *sa, char *buf, size_t len)
{
	char		ip[ADDR_STRLEN];
	uint16_t	port = 0;
	int		fam = addr_format(sa, ip, sizeof(ip), &port);

	if (fam == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, port);
	else if (fam == AF_INET)
		snprintf(buf, len, "%s:%u", ip, port);
	return fam;
}

socklen_t
addr_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_un);
}

int
addr_is_any(const struct sockaddr_storage *a)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)a;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)a;

	if (a->ss_family == AF_INET)
		return sin->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
}

int
addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in	*b4 = (const struct sockaddr_in *)b;
	const struct sockaddr_in6	*a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6	*b6 = (const struct sockaddr_in6 *)b;

	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_UNIX)
		return strcmp(((const struct sockaddr_un *)a)->sun_path,
		    ((const struct sockaddr_un *)b)->sun_path) == 0;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		    a6->sin6_scope_id == b6->sin6_scope_id &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0;
	return 0;
}

int
addr_conflict(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in	*b4 = (const struct sockaddr_in *)b;

	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_UNIX)
		return addr_equal(a, b);
	/* sin_port and sin6_port sit at the same offset */
	if (a4->sin_port != b4->sin_port)
		return 0;
	return addr_equal(a, b) || addr_is_any(a) || addr_is_any(b);
}

static void
mask_bits(uint8_t *a, int len, int bits)
{
	int i;

	for (i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			a[i] &= (uint8_t)(0xff << (8 - bits));
			bits = 0;
		}
	}
}

int
cidr_parse(const char *s, struct cidr *c)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 buf[ADDR_STRLEN + 8], *slash, *end;
	long			 bits = -1;
	int			 max;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			return -1;
		bits = strtol(slash, &end, 10);
		if (*end != '\0')
			return -1;
	}
	if (addr_parse(buf, 0, &ss, &len) != 0)
		return -1;
	memset(c, 0, sizeof(*c));
	c->family = ss.ss_family;
	if (c->family == AF_INET) {
		memcpy(c->addr, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		max = 32;
	} else {
		memcpy(c->addr, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		max = 128;
	}
	if (bits > max)
		return -1;
	c->bits = bits < 0 ? max : (int)bits;
	mask_bits(c->addr, max / 8, c->bits);
	return 0;
}

/* The address bytes of sa, an IPv4-mapped IPv6 address as IPv4. */
static int
addr_bytes(const struct sockaddr *sa, uint8_t *out)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memcpy(out, &sin6->sin6_addr.s6_addr[12], 4);
		return AF_INET;
	}
	memcpy(out, &sin6->sin6_addr, 16);
	return AF_INET6;
}

int
cidr_match(const struct cidr *c, const struct sockaddr *sa)
{
	uint8_t a[16];

	memset(a, 0, sizeof(a));
	if (addr_bytes(sa, a) != c->family)
		return 0;
	mask_bits(a, c->family == AF_INET ? 4 : 16, c->bits);
	return memcmp(a, c->addr, c->family == AF_INET ? 4 : 16) == 0;
}

int
addr_source_key(const struct sockaddr *sa, int prefix6, uint8_t *key)
{
	int fam;

	memset(key, 0, 16);
	if ((fam = addr_bytes(sa, key)) == AF_INET6)
		mask_bits(key, 16, prefix6);
	return fam;
}
