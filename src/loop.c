/* loop.c: the epoll loop, signals as a signalfd, timers on one timerfd.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#include "ac-config.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define LOOP_EVENTS	64

static int		 epfd = -1;
static struct evsrc	 sigsrc = { -1, NULL };
static struct evsrc	 timersrc = { -1, NULL };
static void		(*signal_cb)(int);
static int		(*idle_fn)(void);
static int		 idle_pending;
static void		(*batch_end_fn)(void);
static int		 running;
/* The batch being dispatched: a source removed during it must not be
 * called for the events still queued for it (its owner frees it). */
static struct epoll_event	 batch[LOOP_EVENTS];
static int			 batch_next, batch_len;
static struct timer	*timers;	/* unsorted; there are few */

uint64_t
loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
timers_rearm(void)
{
	struct itimerspec	 its;
	struct timer		*t;
	uint64_t		 first = 0;

	for (t = timers; t; t = t->next)
		if (first == 0 || t->when < first)
			first = t->when;
	memset(&its, 0, sizeof(its));
	if (first) {
		/* 0 would disarm: an overdue timer fires in a millisecond */
		its.it_value.tv_sec = (time_t)(first / 1000);
		its.it_value.tv_nsec = (long)(first % 1000) * 1000000;
	}
	if (timerfd_settime(timersrc.fd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
		log_warn("timerfd_settime");
}

void
loop_timer_arm(struct timer *t, uint64_t ms)
{
	if (t->armed)
		loop_timer_cancel(t);
	t->when = loop_now() + (ms ? ms : 1);
	t->armed = 1;
	t->prev = NULL;
	t->next = timers;
	if (timers)
		timers->prev = t;
	timers = t;
	timers_rearm();
}

void
loop_timer_cancel(struct timer *t)
{
	if (!t->armed)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->armed = 0;
	t->prev = t->next = NULL;
	timers_rearm();
}

static void
timers_fire(struct evsrc *src, uint32_t events)
{
	struct timer	*t, *next;
	uint64_t	 expirations, now = loop_now();

	(void)events;
	(void)read(src->fd, &expirations, sizeof(expirations));
	/* A callback may arm or cancel timers: restart the walk each time. */
	for (t = timers; t; t = next) {
		next = t->next;
		if (t->when > now)
			continue;
		loop_timer_cancel(t);
		t->cb(t);
		next = timers;
	}
	timers_rearm();
}

static void
signals_read(struct evsrc *src, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(src->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		signal_cb((int)si.ssi_signo);
}

int
loop_init(const sigset_t *signals, void (*on_signal)(int))
{
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	/* Signals are events: blocked here, read from the signalfd. */
	if (sigprocmask(SIG_BLOCK, signals, NULL) != 0)
		return -1;
	signal_cb = on_signal;
	sigsrc.cb = signals_read;
	sigsrc.fd = signalfd(-1, signals, SFD_NONBLOCK | SFD_CLOEXEC);
	timersrc.cb = timers_fire;
	timersrc.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (sigsrc.fd < 0 || timersrc.fd < 0)
		return -1;
	if (loop_add(&sigsrc, EPOLLIN) != 0 || loop_add(&timersrc, EPOLLIN) != 0)
		return -1;
	return 0;
}

int
loop_add(struct evsrc *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, src->fd, &ev);
}

int
loop_mod(struct evsrc *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, src->fd, &ev);
}

void
loop_del(struct evsrc *src)
{
	int i;

	if (src->fd >= 0)
		(void)epoll_ctl(epfd, EPOLL_CTL_DEL, src->fd, NULL);
	for (i = batch_next; i < batch_len; i++)
		if (batch[i].data.ptr == src)
			batch[i].data.ptr = NULL;
}

void
loop_set_idle(int (*fn)(void))
{
	idle_fn = fn;
}

void
loop_set_batch_end(void (*fn)(void))
{
	batch_end_fn = fn;
}

void
loop_want_idle(void)
{
	idle_pending = 1;
}

void
loop_stop(void)
{
	running = 0;
}

/* Idle work (refilling worker pools) runs only when epoll has nothing
 * ready, so it never delays an accept. */
void
loop_run(void)
{
	int			n, i;

	running = 1;
	while (running) {
		n = epoll_wait(epfd, batch, LOOP_EVENTS,
		    idle_pending && idle_fn ? 0 : -1);
		if (n < 0) {
			if (errno != EINTR)
				fatal("epoll_wait");
			continue;
		}
		if (n == 0) {
			if (idle_pending && idle_fn)
				idle_pending = idle_fn();
			continue;
		}
		batch_len = n;
		log_hold();
		for (i = 0; i < n && running; i++) {
			struct evsrc *src = batch[i].data.ptr;

			batch_next = i + 1;
			if (src != NULL)
				src->cb(src, batch[i].events);
		}
		batch_len = 0;
		if (batch_end_fn)
			batch_end_fn();
		log_release();
	}
}
