/*
 * sim_agent.c: spawning and stopping per-server processes (see sim_agent.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "och.h"
#include "log.h"
#include "sim_agent.h"
#include "loop.h"
#include "util.h"
#include "vm.h"

#define AG_MAX		65536
#define AG_GRACE	5.0

extern char	**environ;

struct child {
	pid_t	 pid;
	double	 stop_at;	/* 0 while not asked to stop */
};

static struct child	*kids;
static int		 nkids;
static struct loop_timer kill_timer;

int
ag_count(void)
{
	return nkids;
}

/* SIGKILL groups that ignored SIGTERM for the grace period. */
static void
escalate(void *arg)
{
	double	 now;
	int	 i, more = 0;

	now = su_mono();
	for (i = 0; i < nkids; i++) {
		if (kids[i].stop_at == 0)
			continue;
		if (now - kids[i].stop_at >= AG_GRACE)
			kill(-kids[i].pid, SIGKILL);
		else
			more = 1;
	}
	if (more)
		loop_timer_at(&kill_timer, now + 1, escalate, NULL);
}

pid_t
ag_spawn(const char *exe, const char *dir, char *const env[],
    const char *logpath)
{
	char		**envp, *argv[2];
	sigset_t	 none;
	size_t		 n = 0, m = 0, i, j, klen;
	pid_t		 pid;
	int		 fd;

	if (nkids >= AG_MAX) {
		log_error("too many agent processes");
		return -1;
	}
	while (environ[n] != NULL)
		n++;
	while (env[m] != NULL)
		m++;
	envp = xcalloc(n + m + 1, sizeof(*envp));
	/* ours override inherited ones */
	for (i = 0, j = 0; i < n; i++) {
		klen = strcspn(environ[i], "=");
		for (m = 0; env[m] != NULL; m++)
			if (strncmp(env[m], environ[i], klen) == 0 &&
			    env[m][klen] == '=')
				break;
		if (env[m] == NULL)
			envp[j++] = environ[i];
	}
	for (m = 0; env[m] != NULL; m++)
		envp[j++] = env[m];
	argv[0] = (char *)exe;
	argv[1] = NULL;
	if ((pid = fork()) == -1) {
		log_error("fork: %s", strerror(errno));
		free(envp);
		return -1;
	}
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		setsid();
		if (chdir(dir) == -1)
			_exit(126);
		if ((fd = open("/dev/null", O_RDONLY)) != -1) {
			dup2(fd, 0);
			close(fd);
		}
		if ((fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND,
		    0600)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		closefrom(3);
		execve(exe, argv, envp);
		_exit(127);
	}
	free(envp);
	kids = xrealloc(kids, (nkids + 1) * sizeof(*kids));
	kids[nkids].pid = pid;
	kids[nkids].stop_at = 0;
	nkids++;
	return pid;
}

void
ag_stop(pid_t pid)
{
	int	 i;

	for (i = 0; i < nkids; i++)
		if (kids[i].pid == pid && kids[i].stop_at == 0) {
			kids[i].stop_at = su_mono();
			kill(-pid, SIGTERM);
			if (kill_timer.idx == 0)
				loop_timer_at(&kill_timer, su_mono() + 1,
				    escalate, NULL);
		}
}

void
ag_reap(void)
{
	pid_t	 pid;
	int	 st, i;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < nkids; i++)
			if (kids[i].pid == pid) {
				/* the group may live on: make sure it ends */
				kill(-pid, SIGKILL);
				kids[i] = kids[--nkids];
				break;
			}
		vm_agent_exited(pid, WIFEXITED(st) ? WEXITSTATUS(st) :
		    128 + WTERMSIG(st));
	}
	if (nkids == 0)
		loop_timer_cancel(&kill_timer);
}

void
ag_shutdown(void)
{
	struct timespec	 ts = { 0, 20 * 1000 * 1000 };
	int		 i, tries;

	for (i = 0; i < nkids; i++)
		kill(-kids[i].pid, SIGTERM);
	for (tries = 0; tries < 150 && nkids > 0; tries++) {
		nanosleep(&ts, NULL);
		ag_reap();
	}
	for (i = 0; i < nkids; i++)
		kill(-kids[i].pid, SIGKILL);
	while (nkids > 0 && waitpid(-1, NULL, 0) > 0)
		ag_reap();
	loop_timer_cancel(&kill_timer);
	free(kids);
	kids = NULL;
	nkids = 0;
}
