/* inetd.h: classic inetd.conf lines read as pinetd service sections.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_INETD_H
#define PINETD_INETD_H

#include "strbuf.h"

/* Receives one "FILE:LINE: message" line per error. */
typedef void (*inetd_errfn)(const char *line, void *arg);

enum {
	INETD_ONELINE,	/* each service on its source line: libconfuse's
			 * line numbers are then the inetd.conf's own */
	INETD_PRETTY	/* sections to read and keep, for --import-inetd */
};

/* Reads the inetd.conf FILE and appends its services to out as
 * pinetd.conf text in the given form. Returns the number of errors,
 * each reported through errfn (-1 when the file cannot be read). */
int	inetd_convert(const char *file, int form, struct strbuf *out,
	    inetd_errfn errfn, void *arg);

#endif
