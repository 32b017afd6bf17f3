/*
 * sim_agent.h: processes that simulated servers run (--agent PATH): spawned in
 * their own session with a working folder and an environment, stopped with
 * SIGTERM to the whole process group (SIGKILL after 5 s), reaped on
 * SIGCHLD.
 */
#ifndef SIM_AGENT_H
#define SIM_AGENT_H

#include <sys/types.h>

/*
 * Start exe in dir with the sim's environment plus `env` ("K=V" strings,
 * NULL-terminated), stdout and stderr appended to logpath.  Returns the
 * pid, or -1 after logging why.
 */
pid_t	 ag_spawn(const char *exe, const char *dir, char *const env[],
	    const char *logpath);
/* Ask a spawned process (group) to stop. */
void	 ag_stop(pid_t);
/* Reap exited children; reports each to vm_agent_exited(). */
void	 ag_reap(void);
/* Stop everything and wait (at most a few seconds) for it to go. */
void	 ag_shutdown(void);
/* Children alive. */
int	 ag_count(void);

#endif
