/*
 * ctl_userdata.c: `ochctl user-data ID` prints the #cloud-config an
 * instance was (or would be) given, for an operator to inspect.  It mints
 * no token: the one-time bootstrap token is shown as a run of zeros (the
 * real one is single use and only its hash is stored).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ochctl.h"
#include "userdata.h"
#include "valid.h"

static const struct db_stmt stmt_inst = { "ctl_ud_inst",
	"SELECT i.id, i.slug, i.plan, i.openclaw_version, p.memory_mb"
	" FROM instances i JOIN plans p ON p.name = i.plan"
	" WHERE i.id = $1::uuid" };

#define PLACEHOLDER \
	"0000000000000000000000000000000000000000000000000000000000000000"

int
ctl_userdata(struct ctl *ctl, int argc, char **argv)
{
	struct ud_instance	 in;
	PGresult		*res;
	const char		*p[1];
	char			*tmpl = NULL, *out, *plugins;
	enum och_err		 err;

	if (argc != 2 || !valid_uuid(argv[1])) {
		fprintf(stderr, "usage: ochctl user-data INSTANCE-ID\n");
		return 2;
	}
	p[0] = argv[1];
	if ((res = db_exec(ctl->db, &stmt_inst, 1, p, &err)) == NULL) {
		fprintf(stderr, "ochctl: %s\n", err_message(err));
		return 1;
	}
	if (PQntuples(res) != 1) {
		fprintf(stderr, "ochctl: no instance %s\n", argv[1]);
		PQclear(res);
		return 1;
	}
	memset(&in, 0, sizeof(in));
	in.id = db_val(res, 0, 0);
	in.slug = db_val(res, 0, 1);
	in.plan = db_val(res, 0, 2);
	in.openclaw_version = db_val(res, 0, 3);
	in.memory_mb = (long)db_int(res, 0, 4);
	out = NULL;
	if ((in.plugins = plugins = ud_plugins(ctl->db, in.plan, &err)) !=
	    NULL && (tmpl = ud_template(&ctl->cfg, &err)) != NULL)
		out = ud_render(tmpl, &ctl->cfg, &in, PLACEHOLDER, &err);
	PQclear(res);
	free(tmpl);
	free(plugins);
	if (out == NULL) {
		fprintf(stderr, "ochctl: the user-data does not render (see the "
		    "log line above)\n");
		return 1;
	}
	fputs(out, stdout);
	fprintf(stderr, "ochctl: %zu bytes; the bootstrap token is shown as "
	    "zeros\n", strlen(out));
	free(out);
	return 0;
}
