/* backoff.h: the one exponential backoff: min, then doubled up to max.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_BACKOFF_H
#define PINETD_BACKOFF_H

/* Steps *ms to its next value and returns it. */
static inline unsigned
backoff_next(unsigned *ms, unsigned min, unsigned max)
{
	*ms = *ms ? *ms * 2 : min;
	if (*ms > max)
		*ms = max;
	return *ms;
}

#endif
