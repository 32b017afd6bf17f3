/*
 * loop.h: the simulator's single event loop: one epoll set for every file
 * descriptor (the HTTP daemon, exporter sockets, curl sockets, signals) and
 * a heap of timers on the monotonic clock.  Everything runs on the main
 * thread, so no module needs locks.
 */
#ifndef SIM_LOOP_H
#define SIM_LOOP_H

#include <stddef.h>
#include <stdint.h>

typedef void	(*loop_fd_fn)(void *arg, uint32_t events);
typedef void	(*loop_timer_fn)(void *arg);

/* A timer: embed it in the owning object and zero it before first use. */
struct loop_timer {
	double		 when;		/* monotonic seconds */
	loop_timer_fn	 fn;
	void		*arg;
	size_t		 idx;		/* heap slot + 1; 0 when not armed */
};

/* Create the epoll set; 0 on success, -1 on failure (errno set). */
int	 loop_init(void);
/* Release everything (timers must have been cancelled by their owners). */
void	 loop_free(void);
/* Watch fd for EPOLLIN/EPOLLOUT events; 0 on success, -1 on failure. */
int	 loop_add(int fd, uint32_t events, loop_fd_fn, void *arg);
/* Change the events of a watched fd; 0 or -1. */
int	 loop_mod(int fd, uint32_t events);
/* Stop watching fd (before closing it). */
void	 loop_del(int fd);
/* Arm (or re-arm) a timer to fire at monotonic time `when`. */
void	 loop_timer_at(struct loop_timer *, double when, loop_timer_fn,
	    void *arg);
/* Disarm a timer; harmless when it is not armed. */
void	 loop_timer_cancel(struct loop_timer *);
/*
 * A library with its own timers (libmicrohttpd): timeout_fn gives the ms
 * the next wait may last (-1: no limit); run_fn runs after every wait.
 */
typedef long	(*loop_timeout_fn)(void);
typedef void	(*loop_run_fn)(void);
void	 loop_set_hook(int slot, loop_timeout_fn, loop_run_fn);
/* Run until loop_stop(); 0 on a clean stop, -1 if epoll failed. */
int	 loop_run(void);
void	 loop_stop(void);
/* Number of watched file descriptors (for /_sim/health). */
size_t	 loop_nfds(void);

#endif
