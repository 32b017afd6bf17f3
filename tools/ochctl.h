/*
 * ochctl.h: what the ochctl subcommand files share.  A command group
 * (instances, user-data, ...) lives in its own tools/ctl_*.c and has a
 * row in ochctl.c's command table; each returns the exit status (2 after
 * its own usage line; -1 makes ochctl print the whole usage, exit 2).
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
/* ochctl instances list|show|retry (tools/ctl_instances.c). */
int		 ctl_instances(struct ctl *, int argc, char **argv);

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
