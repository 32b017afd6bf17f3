/*
 * ent_command.h: the commands queued for an instance's agent
 * (lib/ent_command.c).  The ownership rule and the shared views are
 * lib/ent.h's.
 */
#ifndef OCH_ENT_COMMAND_H
#define OCH_ENT_COMMAND_H

#include "ent.h"

/* a command nobody finished within this is over (its agent is gone) */
#define ENT_COMMAND_EXPIRE	"6 minutes"

/* A command for an instance's agent (schema: instance_commands). */
struct ent_command {
	char	*id;		/* a bigint's text */
	char	*kind;
	char	*status;	/* queued, running, done, failed, expired */
	char	*args_json;	/* a JSON object's text */
	char	*result_json;	/* NULL until the agent sent one */
	char	*created_at;	/* RFC 3339, UTC */
	char	*finished_at;	/* NULL while not finished */
};

/*
 * What a customer may have waiting for their agent, per instance.  An
 * agent takes up to 20 commands a poll (ent_command_claim()), and a
 * person approves a few pairing codes or devices at a time: 10 commands
 * queued or running within ENT_COMMAND_EXPIRE are plenty, and bound what
 * one customer can make the database and their agent hold.  Older ones
 * still wait for an agent that is away (it runs them when back): 50 in
 * all, so the queue of an agent that never comes back stops growing.
 */
#define ENT_COMMAND_PENDING_MAX	10
#define ENT_COMMAND_BACKLOG_MAX	50

/*
 * Queue command kind (args: a JSON object's text) for the agent of
 * instance id, created_by who, when the instance has fewer than
 * ENT_COMMAND_PENDING_MAX young and ENT_COMMAND_BACKLOG_MAX queued or
 * running commands (checked and queued under a lock of the instance's
 * queue, one round trip): *cid its id (caller frees).  Returns OCH_OK;
 * OCH_ERATE when the queue is full, nothing stored, *cid NULL and
 * *retry the seconds until the oldest young command is over (0 when
 * the backlog is full: only the agent frees it); or db_batch()'s error
 * with *cid NULL.
 */
enum och_err	 ent_command_queue(struct db *, const char *id,
		    const char *kind, const char *args, const char *who,
		    char **cid, long *retry);
/*
 * The newest queued or running command of kind on instance id younger
 * than ENT_COMMAND_EXPIRE: *cid its id (caller frees), NULL when none.
 * Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_command_open(struct db *, const char *id,
		    const char *kind, char **cid);
/*
 * Command cid of instance id: an unfinished one older than
 * ENT_COMMAND_EXPIRE is marked expired first; *out one command (caller
 * frees with ent_command_free(*out, 1)).  Returns OCH_OK, OCH_ENOTFOUND
 * (*out NULL) or db_exec()'s error.
 */
enum och_err	 ent_command_get(struct db *, const char *id,
		    const char *cid, struct ent_command **out);
/*
 * The newest 40 backup_create and backup_restore commands of instance
 * id, newest first: *out an array of *n (caller frees with
 * ent_command_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error
 * with *out NULL and *n 0.
 */
enum och_err	 ent_command_backups(struct db *, const char *id,
		    struct ent_command **out, size_t *n);
/*
 * For instance id's agent, in one transaction of its own: the queued and
 * running commands (at most 20, oldest first), marked running: *out an
 * array of *n, with id, kind and args_json (caller frees with
 * ent_command_free(*out, *n)).  Returns OCH_OK, or the database error
 * with *out NULL and *n 0.
 */
enum och_err	 ent_command_claim(struct db *, const char *id,
		    struct ent_command **out, size_t *n);
/*
 * The agent's result of command cid of instance id: status running,
 * done or failed, result a JSON object's text.  Returns OCH_OK,
 * OCH_ENOTFOUND (no such command), OCH_ECONFLICT (it already has its
 * final result) or the database error.
 */
enum och_err	 ent_command_finish(struct db *, const char *id,
		    const char *cid, const char *status, const char *result);
/*
 * The command owner the first approved DM pairing of instance id named
 * ("<channel>:<sender>"): *owner (caller frees), NULL when none.
 * Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_command_owner(struct db *, const char *id, char **owner);
/* Free n commands from an ent_command_* function (NULL is fine). */
void		 ent_command_free(struct ent_command *, size_t n);

#endif
