/* control.h: the control socket that pinetctl talks to.
 *
 * The protocol, one command per connection: the client sends one line
 * (at most 255 bytes, ended by a newline or by shutting down its side):
 *
 *	status		the status table (see status.h)
 *	status json	the same as one JSON object
 *	reload		load the configuration again
 *
 * The master answers with a status line, "OK" or "ERR", either of them
 * optionally followed by a space and a one-line message; then payload
 * lines (the table, the JSON object; after ERR, the reasons, such as one
 * "FILE:LINE: message" line per configuration error); then it closes the
 * connection, which ends the reply. A client that is not root or the
 * daemon's own user gets "ERR permission denied" and nothing else.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_CONTROL_H
#define PINETD_CONTROL_H

#include <stddef.h>

/* Creates the socket at path (mode 0600), replacing a stale one, and
 * watches it in the loop. Returns -1, logged, when it cannot. */
int	control_init(const char *path);
/* What "reload" runs: fn returns 0 with a summary in msg, or -1 with one
 * line per error ("FILE:LINE: message"). Unset, "reload" answers
 * "ERR reload: not supported yet". */
void	control_set_reload(int (*fn)(char *msg, size_t len));
/* Drops every client, closes the socket and removes its file. */
void	control_close(void);

#endif
