/*
 * ochctl.h: what the ochctl subcommand files share.  Each later command
 * group (instances, user-data, ...) lives in its own tools/ctl_*.c and is
 * reached through ctl_dispatch_more().
 */
#ifndef OCH_OCHCTL_H
#define OCH_OCHCTL_H

#include "cfg.h"
#include "db.h"

struct cry_keyring;

struct ctl {
	struct cfg		 cfg;
	struct db		*db;
	struct cry_keyring	*keys;
};

/* Load the master keyring into ctl->keys; 0 or -1 (reason on stderr). */
int		 ctl_need_keys(struct ctl *);
/* The schema directory from config or the installed default. */
const char	*ctl_schema_dir(const struct cfg *);
/* Sorted NNN_*.sql names in dir; count or -1 (caller frees). */
int		 ctl_schema_files(const char *dir, char ***out);
/*
 * Further command groups (tools/ctl_more.c).  Returns the exit status,
 * or -1 if argv[0] is not a command it knows.
 */
int		 ctl_dispatch_more(struct ctl *, int argc, char **argv);
/* ochctl instances list|show|retry (tools/ctl_instances.c). */
int		 ctl_instances(struct ctl *, int argc, char **argv);
/* Print the usage lines of the further command groups. */
void		 ctl_usage_more(void);

/* `ochctl secret seal AD` (tools/ctl_secret.c). */
int		 ctl_secret(struct ctl *, int, char **);

/* `ochctl user-data ID` (tools/ctl_userdata.c). */
int		 ctl_userdata(struct ctl *, int, char **);

/* `ochctl rotate-keys` (tools/ctl_rotate.c). */
int		 ctl_rotate(struct ctl *, int, char **);

/* `ochctl image build|list` (tools/ctl_image.c). */
int		 ctl_image(struct ctl *, int, char **);

/* `ochctl db-backup FILE` (tools/ctl_dbbackup.c). */
int		 ctl_dbbackup(struct ctl *, int, char **);

#endif
