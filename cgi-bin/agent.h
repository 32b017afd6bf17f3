/*
 * agent.h: the agent routes beyond ready (config, commands, report),
 * implemented in cgi-bin/agent_api.c for issue 6.
 */
#ifndef OCH_AGENT_H
#define OCH_AGENT_H

#include <cjson/cJSON.h>

#include "db.h"
#include "srv.h"

/* Start the long-poll waker thread (srv_main's init hook); 0 or -1. */
int	agent_init(struct app *);
void	agent_config(struct req *);
void	agent_commands(struct req *);
void	agent_command_result(struct req *);
void	agent_report(struct req *);

/* What a ready call or report's setup did to the instance. */
enum agent_setup { AGENT_SETUP_NONE, AGENT_SETUP_ACTIVE, AGENT_SETUP_WAIT,
	AGENT_SETUP_FAILED, AGENT_SETUP_ERROR };

/*
 * agent_status.c.  Store the setup state the VPS sent for instance id
 * (in `state`) and, when booting or rebuilding, activate it, leave it
 * booting (setup still running) or fail it (setup failed), inside the
 * caller's transaction.  Returns what happened; AGENT_SETUP_ERROR with
 * *err on a database error.
 */
enum agent_setup agent_setup_apply(struct req *, const char *id,
		    const char *state, const cJSON *setup, enum och_err *err);
/*
 * Keep a report's setup, tls, skills, devices and usage for the token's
 * instance (its agent_reports row must exist), and settle a booting
 * instance by its setup; inside the caller's transaction.  Returns OCH_OK
 * or a database error.
 */
enum och_err	 agent_report_store(struct req *, const cJSON *report);
/*
 * The first part of a report of another JSON type than the protocol's
 * (cloud-init/AGENT-PROTOCOL.md §5: health an object, pairing_requests
 * an array, …; absent or null is fine), or NULL when every part fits.
 */
const char	*agent_report_misfit(const cJSON *report);

/*
 * Add the instance's current gateway token to the agent's config
 * document as "gateway_token" (a rotation reaches the VPS this way).
 * Leaves it out, logged, when it is missing or does not open.
 */
void		 agent_config_token(struct req *, cJSON *doc);

/*
 * agent_pool.c.  agent_pool_ready: answer a ready call whose token (hash)
 * is a warm pool server's; 1 when it answered, 0 when the token is not
 * one (the caller refuses it).  agent_pool_poll: POST /api/v1/agent/pool.
 */
int		 agent_pool_ready(struct req *, const char *hash);
void		 agent_pool_poll(struct req *);

/* agent_conf.c */
/* The gateway block for the instance at fqdn (caller deletes); never fails. */
cJSON		*agent_gateway_block(const char *fqdn);
/* plugins.entries.<kind>.enabled = true when the channel kind's runtime is
 * an external plugin (whatsapp, discord, slack); never fails. */
void		 agent_channel_plugin(cJSON *entries, const char *kind);
/* commands.ownerAllowFrom in oc from the first approved DM pairing that
 * named a command owner.  OCH_OK, or the database error (oc untouched). */
enum och_err	 agent_owner(struct db *, const char *instance_id, cJSON *oc);

#endif
