/*
 * agent_api.c: config, commands and report for the VPS agent.  Until the
 * VPS issue lands these answer 501-like "not implemented" as a clear
 * error (503 unavailable) rather than pretending to work.
 */
#include "agent.h"

static void
later(struct req *r)
{
	resp_error(r, OCH_EUNAVAIL, "not available yet");
}

void agent_config(struct req *r) { later(r); }
void agent_commands(struct req *r) { later(r); }
void agent_command_result(struct req *r) { later(r); }
void agent_report(struct req *r) { later(r); }
