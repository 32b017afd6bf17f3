/*
 * agent.h: the agent routes beyond ready (config, commands, report),
 * implemented in cgi-bin/agent_api.c for issue 6.
 */
#ifndef OCH_AGENT_H
#define OCH_AGENT_H

#include "srv.h"

/* Start the long-poll waker thread (srv_main's init hook); 0 or -1. */
int	agent_init(struct app *);
void	agent_config(struct req *);
void	agent_commands(struct req *);
void	agent_command_result(struct req *);
void	agent_report(struct req *);

#define AGENT_ROUTES \
	{ "GET", "/api/v1/agent/config", AUTH_AGENT, agent_config, 0 }, \
	{ "GET", "/api/v1/agent/commands", AUTH_AGENT, agent_commands, 0 }, \
	{ "POST", "/api/v1/agent/commands/{id}", AUTH_AGENT, agent_command_result, 256 * 1024 }, \
	{ "POST", "/api/v1/agent/report", AUTH_AGENT, agent_report, 256 * 1024 },

#endif
