/* libFuzzer target for the PROXY protocol header: whatever the bytes,
 * proxy_need() and proxy_parse() stay inside them, agree with each other,
 * and a reader that follows proxy_need() never takes a byte past the
 * header; the variables made from a parsed header hold no control byte.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../src/proxy.h"

/* Does what proxy_read() does on a stream holding these n bytes that
 * arrive in pieces of step bytes; returns the bytes it consumed. */
static size_t
consume(const uint8_t *d, size_t n, size_t step, int versions, ssize_t *res)
{
	size_t	have = 0, arrived = 0, seen, safe, want;
	ssize_t	r;

	for (;;) {
		if ((r = proxy_need(d, have, versions, &safe)) != 0)
			break;
		assert(safe <= PROXY_MAX && safe >= have);
		if (arrived == have) {
			if (arrived == n)
				break;
			arrived = arrived + step < n ? arrived + step : n;
		}
		/* the peek sees what has come, as far as the buffer goes */
		seen = arrived < PROXY_MAX ? arrived : PROXY_MAX;
		r = proxy_need(d, seen, versions, &safe);
		if (r < 0)
			break;
		want = (r > 0 ? (size_t)r : safe < seen ? safe : seen) - have;
		assert(want > 0 && have + want <= seen);
		have += want;
	}
	*res = r;
	return have;
}

static void
check_env(const struct proxy_hdr *h)
{
	char	env[600];
	size_t	len, i;

	len = proxy_env(h, env, sizeof(env));
	assert(len <= sizeof(env));
	assert(len == 0 || env[len - 1] == '\0');
	for (i = 0; i < len; i++)
		assert(env[i] == '\0' || ((unsigned char)env[i] >= 0x20 &&
		    env[i] != 0x7f));
}

static void
one(const uint8_t *d, size_t n, int versions)
{
	struct proxy_hdr	h;
	size_t			safe, got;
	ssize_t			r, rr;
	int			e;

	r = proxy_need(d, n, versions, &safe);
	assert(r <= (ssize_t)n && r <= PROXY_MAX);
	if (r == 0)
		assert(safe <= PROXY_MAX && safe >= n);
	e = proxy_parse(d, n, versions, &h);
	assert(e <= 0 && e > -PROXY_NERR);
	assert(strlen(proxy_strerror(e)) > 0);
	if (r > 0 && e == 0) {
		assert(h.len == (size_t)r);
		assert(h.srclen <= sizeof(h.src) && h.dstlen <= sizeof(h.dst));
		check_env(&h);
		assert(strlen(proxy_kind(&h)) > 0);
		if (proxy_use_header(&h))
			assert(h.src.ss_family == h.dst.ss_family &&
			    h.srclen > 0);
	}
	if (r < 0)
		assert(e == r);
	/* the reader stops at the header, never past it, however the
	 * bytes arrive */
	got = consume(d, n, n > 0 ? n : 1, versions, &rr);
	if (r > 0)
		assert(rr == r && got == (size_t)r);
	got = consume(d, n, 1 + n % 7, versions, &rr);
	if (r > 0)
		assert(rr == r && got == (size_t)r);
	assert(got <= n);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	one(d, n, PROXY_ANY);
	one(d, n, PROXY_V1);
	one(d, n, PROXY_V2);
	return 0;
}
