/*
 * loop.c: epoll plus a binary heap of timers (see loop.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "och.h"
#include "log.h"
#include "loop.h"
#include "util.h"

#define LOOP_HOOKS	4

struct watch {
	int		 fd;
	loop_fd_fn	 fn;
	void		*arg;
};

static int			 epfd = -1;
static struct watch		**watches;	/* indexed by fd */
static size_t			 nwatches;	/* array size */
static size_t			 nfds;
static struct loop_timer	**heap;
static size_t			 nheap, capheap;
static int			 stopping;
static loop_timeout_fn		 hooks[LOOP_HOOKS];
static loop_run_fn		 runs[LOOP_HOOKS];

int
loop_init(void)
{
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	return 0;
}

void
loop_free(void)
{
	size_t	 i;

	for (i = 0; i < nwatches; i++)
		free(watches[i]);
	free(watches);
	watches = NULL;
	nwatches = nfds = 0;
	free(heap);
	heap = NULL;
	nheap = capheap = 0;
	if (epfd != -1)
		close(epfd);
	epfd = -1;
}

int
loop_add(int fd, uint32_t events, loop_fd_fn fn, void *arg)
{
	struct epoll_event	 ev;
	struct watch		*w;
	size_t			 n;

	if (fd < 0)
		return -1;
	if ((size_t)fd >= nwatches) {
		n = nwatches ? nwatches : 64;
		while (n <= (size_t)fd)
			n *= 2;
		watches = xrealloc(watches, n * sizeof(*watches));
		memset(watches + nwatches, 0, (n - nwatches) *
		    sizeof(*watches));
		nwatches = n;
	}
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->fn = fn;
	w->arg = arg;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.fd = fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		free(w);
		return -1;
	}
	free(watches[fd]);
	watches[fd] = w;
	nfds++;
	return 0;
}

int
loop_mod(int fd, uint32_t events)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.fd = fd;
	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

void
loop_del(int fd)
{
	if (fd < 0 || (size_t)fd >= nwatches || watches[fd] == NULL)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
	free(watches[fd]);
	watches[fd] = NULL;
	nfds--;
}

size_t
loop_nfds(void)
{
	return nfds;
}

static void
heap_swap(size_t a, size_t b)
{
	struct loop_timer	*t;

	t = heap[a];
	heap[a] = heap[b];
	heap[b] = t;
	heap[a]->idx = a + 1;
	heap[b]->idx = b + 1;
}

static void
heap_up(size_t i)
{
	while (i > 0 && heap[(i - 1) / 2]->when > heap[i]->when) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(size_t i)
{
	size_t	 l, r, m;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < nheap && heap[l]->when < heap[m]->when)
			m = l;
		if (r < nheap && heap[r]->when < heap[m]->when)
			m = r;
		if (m == i)
			return;
		heap_swap(i, m);
		i = m;
	}
}

void
loop_timer_cancel(struct loop_timer *t)
{
	size_t	 i;

	if (t == NULL || t->idx == 0)
		return;
	i = t->idx - 1;
	t->idx = 0;
	nheap--;
	if (i == nheap)
		return;
	heap[i] = heap[nheap];
	heap[i]->idx = i + 1;
	heap_down(i);
	heap_up(i);
}

void
loop_timer_at(struct loop_timer *t, double when, loop_timer_fn fn,
    void *arg)
{
	loop_timer_cancel(t);
	t->when = when;
	t->fn = fn;
	t->arg = arg;
	if (nheap == capheap) {
		capheap = capheap ? capheap * 2 : 64;
		heap = xrealloc(heap, capheap * sizeof(*heap));
	}
	heap[nheap] = t;
	t->idx = ++nheap;
	heap_up(nheap - 1);
}

void
loop_set_hook(int slot, loop_timeout_fn fn, loop_run_fn run)
{
	if (slot >= 0 && slot < LOOP_HOOKS) {
		hooks[slot] = fn;
		runs[slot] = run;
	}
}

void
loop_stop(void)
{
	stopping = 1;
}

/* Milliseconds until the next timer or hook deadline, capped at 1 s. */
static int
next_timeout(void)
{
	double	 d;
	long	 ms = 1000, h;
	int	 i;

	if (nheap > 0) {
		d = (heap[0]->when - su_mono()) * 1000.0;
		if (d < 0)
			d = 0;
		if (d < ms)
			ms = (long)d + (d > (long)d);
	}
	for (i = 0; i < LOOP_HOOKS; i++)
		if (hooks[i] != NULL && (h = hooks[i]()) >= 0 && h < ms)
			ms = h;
	return (int)ms;
}

static void
run_timers(void)
{
	struct loop_timer	*t;
	double			 now;
	int			 budget = 10000;

	now = su_mono();
	while (nheap > 0 && heap[0]->when <= now && budget-- > 0) {
		t = heap[0];
		loop_timer_cancel(t);
		t->fn(t->arg);
	}
}

int
loop_run(void)
{
	struct epoll_event	 evs[256];
	struct watch		*w;
	int			 n, i;

	stopping = 0;
	while (!stopping) {
		n = epoll_wait(epfd, evs, OCH_NELEM(evs), next_timeout());
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (i = 0; i < n && !stopping; i++) {
			if ((size_t)evs[i].data.fd >= nwatches ||
			    (w = watches[evs[i].data.fd]) == NULL)
				continue;
			w->fn(w->arg, evs[i].events);
		}
		run_timers();
		for (i = 0; i < LOOP_HOOKS && !stopping; i++)
			if (runs[i] != NULL)
				runs[i]();
	}
	return 0;
}
