/*
 * ctl_more.c: the ochctl command groups added by later issues
 * (instances, user-data).  Each group gets a line in the table.
 */
#include <stdio.h>
#include <string.h>

#include "ochctl.h"

struct ctl_cmd {
	const char	*name;
	const char	*usage;
	int		(*fn)(struct ctl *, int, char **);
};

static const struct ctl_cmd cmds[] = {
	{ "instances", "instances list [STATE] | show ID | retry ID",
	    ctl_instances },
	{ "secret", "secret seal AD  (value on stdin)", ctl_secret },
	{ "user-data", "user-data INSTANCE-ID", ctl_userdata },
	{ "rotate-keys", "rotate-keys", ctl_rotate },
	{ "db-backup", "db-backup FILE", ctl_dbbackup },
	{ "image", "image build [--arch x86|arm] [--if-changed] [--timeout S] "
	    "[--poll S] | list", ctl_image },
	{ NULL, NULL, NULL },
};

int
ctl_dispatch_more(struct ctl *ctl, int argc, char **argv)
{
	size_t	 i;

	for (i = 0; cmds[i].name != NULL; i++)
		if (strcmp(cmds[i].name, argv[0]) == 0)
			return cmds[i].fn(ctl, argc, argv);
	return -1;
}

void
ctl_usage_more(void)
{
	size_t	 i;

	for (i = 0; cmds[i].name != NULL; i++)
		fprintf(stderr, "       ochctl %s\n", cmds[i].usage);
}
