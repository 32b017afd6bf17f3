/*
 * ctl_dbbackup.c: `ochctl db-backup FILE` writes a pg_dump of the control
 * plane's database (custom format, restorable with pg_restore) to FILE.
 *
 * The dump is written to FILE.partial (mode 0600: it holds hashed tokens
 * and sealed secrets) and renamed into place only when pg_dump succeeded,
 * so FILE is either a whole dump or untouched.  The connection settings
 * reach pg_dump through libpq's own environment variables, taken apart
 * from DATABASE_URL by PQconninfoParse(): a password in the URL never
 * appears in pg_dump's command line (which any local user can read).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "ochctl.h"
#include "och.h"

/*
 * In the child: export every setting of the connection string as the
 * libpq variable that names it.  Returns 0, or -1 if the string does not
 * parse (the reason is not printed: it may quote the password).
 */
static int
export_conninfo(const char *url)
{
	PQconninfoOption	*opts, *o;
	char			*msg = NULL;

	if ((opts = PQconninfoParse(url, &msg)) == NULL) {
		PQfreemem(msg);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (o->val != NULL && o->envvar != NULL && *o->val != '\0')
			setenv(o->envvar, o->val, 1);
	PQconninfoFree(opts);
	return 0;
}

/*
 * Run pg_dump into path.  Returns 0, or -1 with one line on stderr.
 */
static int
run_pg_dump(const char *url, const char *path)
{
	pid_t	 pid;
	int	 st;

	if ((pid = fork()) == -1) {
		fprintf(stderr, "ochctl: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (export_conninfo(url) < 0) {
			fprintf(stderr, "ochctl: DATABASE_URL does not parse\n");
			_exit(1);
		}
		execlp("pg_dump", "pg_dump", "--format=custom",
		    "--no-password", "--file", path, (char *)NULL);
		fprintf(stderr, "ochctl: pg_dump: %s\n", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			fprintf(stderr, "ochctl: waitpid: %s\n",
			    strerror(errno));
			return -1;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "ochctl: pg_dump failed (see its message "
		    "above); nothing was written\n");
		return -1;
	}
	return 0;
}

int
ctl_dbbackup(struct ctl *ctl, int argc, char **argv)
{
	char	*tmp;
	int	 fd, rc = 1;

	if (argc != 2 || argv[1][0] == '\0') {
		fprintf(stderr, "usage: ochctl db-backup FILE\n");
		return 2;
	}
	tmp = xasprintf("%s.partial", argv[1]);
	/* create it 0600 ourselves: pg_dump would honour the umask */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		fprintf(stderr, "ochctl: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return 1;
	}
	(void)fchmod(fd, 0600);
	close(fd);
	if (run_pg_dump(cfg_get(&ctl->cfg, CFG_DATABASE_URL), tmp) < 0)
		unlink(tmp);
	else if (rename(tmp, argv[1]) == -1) {
		fprintf(stderr, "ochctl: rename to %s: %s\n", argv[1],
		    strerror(errno));
		unlink(tmp);
	} else {
		printf("wrote %s (restore: pg_restore --clean --if-exists "
		    "-d DATABASE %s)\n", argv[1], argv[1]);
		rc = 0;
	}
	free(tmp);
	return rc;
}
