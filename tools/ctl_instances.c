/*
 * ctl_instances.c: `ochctl instances ...`, the operator's view of the
 * provisioning queue:
 *   ochctl instances list [STATE]   id, state, hostname, plan, WHMCS service
 *   ochctl instances show ID        the instance and its history
 *   ochctl instances retry ID       a failed instance resumes at its step
 * Exit status: 0 success, 1 failure (one line on stderr), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inst.h"
#include "ochctl.h"
#include "recon.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

static const struct db_stmt stmt_list = { "ctl_inst_list",
	"SELECT i.id, i.state, i.slug, i.plan, i.whmcs_service_id,"
	" i.desired_state FROM instances i"
	" WHERE $1::text IS NULL OR i.state = $1 ORDER BY i.created_at, i.id" };
static const struct db_stmt stmt_show = { "ctl_inst_show",
	"SELECT i.id, i.slug, i.state, i.desired_state, i.failed_state,"
	" i.plan, i.pending_plan, i.pending_action, i.region, u.email,"
	" i.whmcs_service_id, i.whmcs_client_id, i.hetzner_server_id,"
	" host(i.ipv4), i.ipv6, i.dns_record_id, i.dns_record6_id,"
	" i.attempts, " TS("i.next_attempt_at") ", i.locked_by,"
	" " TS("i.locked_until") ", i.last_error, " TS("i.created_at") ","
	" " TS("i.active_at") ", " TS("i.terminated_at") ", i.cleanup"
	" FROM instances i JOIN users u ON u.id = i.user_id"
	" WHERE i.id = $1::uuid" };
static const struct db_stmt stmt_events = { "ctl_inst_events",
	"SELECT " TS("at") ", kind, from_state, to_state, actor, message"
	" FROM instance_events WHERE instance_id = $1::uuid ORDER BY id" };

static const char *
nz(const char *s)
{
	return s != NULL ? s : "-";
}

/* A uuid as text (what the statements cast); else an error line. */
static int
check_id(const char *id)
{
	size_t	 i;

	if (strlen(id) == 36) {
		for (i = 0; i < 36; i++)
			if ((i == 8 || i == 13 || i == 18 || i == 23) ?
			    id[i] != '-' : strchr("0123456789abcdefABCDEF",
			    id[i]) == NULL || id[i] == '\0')
				break;
		if (i == 36)
			return 0;
	}
	fprintf(stderr, "ochctl: '%s' is not an instance id\n", id);
	return -1;
}

static int
cmd_list(struct ctl *ctl, const char *state)
{
	PGresult	*res;
	const char	*p[1];
	char		*host;
	int		 i;

	p[0] = state;
	if ((res = db_exec(ctl->db, &stmt_list, 1, p, NULL)) == NULL) {
		fprintf(stderr, "ochctl: database unavailable\n");
		return 1;
	}
	printf("%-36s  %-11s  %-32s  %-12s  %s\n", "ID", "STATE", "HOSTNAME",
	    "PLAN", "WHMCS");
	for (i = 0; i < PQntuples(res); i++) {
		host = inst_hostname(db_val(res, i, 2), &ctl->cfg);
		printf("%-36s  %-11s  %-32s  %-12s  %s\n", db_val(res, i, 0),
		    db_val(res, i, 1), host, db_val(res, i, 3),
		    nz(db_val(res, i, 4)));
		free(host);
	}
	PQclear(res);
	return 0;
}

static int
cmd_show(struct ctl *ctl, const char *id)
{
	static const char *const names[] = { "id", "slug", "state",
	    "desired_state", "failed_state", "plan", "pending_plan",
	    "pending_action", "region", "email", "whmcs_service_id",
	    "whmcs_client_id", "hetzner_server_id", "ipv4", "ipv6",
	    "dns_record_id", "dns_record6_id", "attempts", "next_attempt_at",
	    "locked_by", "locked_until", "last_error", "created_at",
	    "active_at", "terminated_at", "cleanup" };
	PGresult	*res, *ev;
	const char	*p[1];
	char		*host;
	size_t		 i;
	int		 j;

	if (check_id(id) < 0)
		return 1;
	p[0] = id;
	if ((res = db_exec(ctl->db, &stmt_show, 1, p, NULL)) == NULL ||
	    (ev = db_exec(ctl->db, &stmt_events, 1, p, NULL)) == NULL) {
		PQclear(res);
		fprintf(stderr, "ochctl: database unavailable\n");
		return 1;
	}
	if (PQntuples(res) != 1) {
		fprintf(stderr, "ochctl: no instance %s\n", id);
		PQclear(res);
		PQclear(ev);
		return 1;
	}
	for (i = 0; i < OCH_NELEM(names); i++) {
		printf("%-18s %s\n", names[i], nz(db_val(res, 0, (int)i)));
		if (i == 1) {
			host = inst_hostname(db_val(res, 0, 1), &ctl->cfg);
			printf("%-18s %s\n", "hostname", host);
			free(host);
		}
	}
	printf("events:\n");
	for (j = 0; j < PQntuples(ev); j++)
		printf("  %s  %-20s %s -> %s  (%s)  %s\n", db_val(ev, j, 0),
		    db_val(ev, j, 1), nz(db_val(ev, j, 2)),
		    nz(db_val(ev, j, 3)), nz(db_val(ev, j, 4)),
		    nz(db_val(ev, j, 5)));
	PQclear(res);
	PQclear(ev);
	return 0;
}

static int
cmd_retry(struct ctl *ctl, const char *id)
{
	char		 state[32];
	enum och_err	 err;

	if (check_id(id) < 0)
		return 1;
	err = recon_retry(ctl->db, id, "operator", state, sizeof(state));
	switch (err) {
	case OCH_OK:
		printf("instance %s resumes at %s\n", id, state);
		return 0;
	case OCH_ENOTFOUND:
		fprintf(stderr, "ochctl: no instance %s\n", id);
		return 1;
	case OCH_ECONFLICT:
		fprintf(stderr, "ochctl: instance %s is not failed (or the "
		    "cleanup of its failed create is still running)\n", id);
		return 1;
	default:
		fprintf(stderr, "ochctl: unable to retry: %s\n", err_code(err));
		return 1;
	}
}

int
ctl_instances(struct ctl *ctl, int argc, char **argv)
{
	if (argc >= 2 && argc <= 3 && strcmp(argv[1], "list") == 0)
		return cmd_list(ctl, argc == 3 ? argv[2] : NULL);
	if (argc == 3 && strcmp(argv[1], "show") == 0)
		return cmd_show(ctl, argv[2]);
	if (argc == 3 && strcmp(argv[1], "retry") == 0)
		return cmd_retry(ctl, argv[2]);
	fprintf(stderr, "usage: ochctl instances list [STATE]\n"
	    "       ochctl instances show ID\n"
	    "       ochctl instances retry ID\n");
	return 2;
}
