/* loop.h: the master's one event loop: epoll, signalfd, timerfd.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#ifndef PINETD_LOOP_H
#define PINETD_LOOP_H

#include <signal.h>
#include <stdint.h>

/* Anything the loop watches; data.ptr of its epoll event points here. */
struct evsrc {
	int	 fd;
	void	(*cb)(struct evsrc *, uint32_t events);
};

struct timer {
	uint64_t	 when;		/* CLOCK_MONOTONIC, ms */
	int		 armed;
	void		(*cb)(struct timer *);
	struct timer	*prev, *next;
};

int		loop_init(const sigset_t *signals, void (*on_signal)(int signo));
int		loop_add(struct evsrc *, uint32_t events);
int		loop_mod(struct evsrc *, uint32_t events);
/* Stops watching src; events of the current batch still queued for it
 * are dropped, so its owner may free it at once. Call it before freeing
 * any source that was added, even when its fd is closed already. */
void		loop_del(struct evsrc *);
void		loop_timer_arm(struct timer *, uint64_t ms_from_now);
void		loop_timer_cancel(struct timer *);
/* fn runs when no event is pending; it returns non-zero while it has
 * more to do. loop_want_idle() asks for it to be run. */
void		loop_set_idle(int (*fn)(void));
void		loop_want_idle(void);
/* fn runs after each batch of events: where sources that a callback
 * retired may be freed, since later events of the batch may name them. */
void		loop_set_batch_end(void (*fn)(void));
void		loop_run(void);
void		loop_stop(void);
uint64_t	loop_now(void);

#endif
