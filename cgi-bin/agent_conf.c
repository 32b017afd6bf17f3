/*
 * agent_conf.c: parts of the gateway config the agent fetches
 * (agent_api.c's build_config) that follow the real OpenClaw 2026.9.6:
 * the gateway block, the plugin entries a channel needs, and the command
 * owner the first DM pairing approval named.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "ent_command.h"
#include "log.h"

/* Channels whose runtime is an external plugin (@openclaw/<kind>). */
static const char *const plugin_channels[] = { "whatsapp", "discord", "slack" };

cJSON *
agent_gateway_block(const char *fqdn)
{
	cJSON	*g, *a, *arr, *ui;
	char	*origin = xasprintf("https://%s", fqdn);

	g = cJSON_CreateObject();
	cJSON_AddStringToObject(g, "mode", "local");
	cJSON_AddNumberToObject(g, "port", 18789);
	cJSON_AddStringToObject(g, "bind", "loopback");
	a = cJSON_AddObjectToObject(g, "auth");
	cJSON_AddStringToObject(a, "mode", "token");
	cJSON_AddStringToObject(a, "token", "${OPENCLAW_GATEWAY_TOKEN}");
	arr = cJSON_AddArrayToObject(g, "trustedProxies");
	cJSON_AddItemToArray(arr, cJSON_CreateString("127.0.0.1"));
	ui = cJSON_AddObjectToObject(g, "controlUi");
	cJSON_AddBoolToObject(ui, "enabled", 1);
	arr = cJSON_AddArrayToObject(ui, "allowedOrigins");
	cJSON_AddItemToArray(arr, cJSON_CreateString(origin));
	cJSON_AddStringToObject(g, "publicOrigin", origin);
	free(origin);
	return g;
}

void
agent_channel_plugin(cJSON *entries, const char *kind)
{
	size_t	 i;

	for (i = 0; i < OCH_NELEM(plugin_channels); i++)
		if (strcmp(kind, plugin_channels[i]) == 0 &&
		    cJSON_GetObjectItemCaseSensitive(entries, kind) == NULL)
			cJSON_AddBoolToObject(cJSON_AddObjectToObject(entries,
			    kind), "enabled", 1);
}

/* "telegram:987654321": a channel id, a colon, a sender id. */
static int
owner_ok(const char *s)
{
	const char	*c = strchr(s, ':');
	size_t		 n = strlen(s);

	return c != NULL && c > s && n <= 160 && c[1] != '\0' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") ==
	    (size_t)(c - s) && strspn(c + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.@+:-") == strlen(c + 1);
}

enum och_err
agent_owner(struct db *db, const char *instance_id, cJSON *oc)
{
	char		*owner;
	enum och_err	 err;
	cJSON		*arr;

	if ((err = ent_command_owner(db, instance_id, &owner)) != OCH_OK)
		return err;
	if (owner != NULL && owner_ok(owner)) {
		arr = cJSON_AddArrayToObject(cJSON_AddObjectToObject(oc,
		    "commands"), "ownerAllowFrom");
		cJSON_AddItemToArray(arr, cJSON_CreateString(owner));
	} else if (owner != NULL)
		log_warn("instance %s: stored command owner is malformed; "
		    "left out", instance_id);
	free(owner);
	return OCH_OK;
}
