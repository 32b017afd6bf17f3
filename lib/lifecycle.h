/*
 * lifecycle.h: the instance states in C (inst_state_*).
 *
 * INST_STATES below is the C side of the lifecycle: each state, in the
 * order of the instances.state CHECK (schema/001_core.sql), with its kind
 * as in schema/180_lifecycle.sql's instance_states:
 *   MOVING  the poller has a step to run: it claims the instance;
 *   STABLE  the poller acts only on an intent (desired state, pending
 *           plan or action);
 *   FINAL   nothing happens any more;
 *   FAILED  waits for a retry or a termination.
 * The moves allowed between states live in one place, the database's
 * instance_moves table (180_lifecycle), whose trigger refuses any other
 * change of state a program makes.  t/459-lifecycle.t checks that this
 * list, the schema, the dashboard's generated list (webapp/src/generated/
 * states.ts), the WHMCS module's labels and docs/api.md agree.
 */
#ifndef OCH_LIFECYCLE_H
#define OCH_LIFECYCLE_H

/* X(ENUM, "name", KIND) */
#define INST_STATES(X) \
	X(PENDING,	"pending",	MOVING) \
	X(CREATING,	"creating",	MOVING) \
	X(BOOTING,	"booting",	MOVING) \
	X(ACTIVE,	"active",	STABLE) \
	X(SUSPENDING,	"suspending",	MOVING) \
	X(SUSPENDED,	"suspended",	STABLE) \
	X(RESUMING,	"resuming",	MOVING) \
	X(RESIZING,	"resizing",	MOVING) \
	X(REBOOTING,	"rebooting",	MOVING) \
	X(REBUILDING,	"rebuilding",	MOVING) \
	X(TERMINATING,	"terminating",	MOVING) \
	X(TERMINATED,	"terminated",	FINAL) \
	X(FAILED,	"failed",	FAILED)

#define INST_STATE_ENUM(e, n, k) INST_##e,
enum inst_state {
	INST_STATES(INST_STATE_ENUM)
	INST_STATE__MAX,
	INST_STATE_UNKNOWN = INST_STATE__MAX
};
#undef INST_STATE_ENUM

enum inst_kind { INST_K_MOVING, INST_K_STABLE, INST_K_FINAL, INST_K_FAILED };

/* "pending", ...; "?" for a value out of range. */
const char	*inst_state_name(enum inst_state);
/* The state of a name; INST_STATE_UNKNOWN for NULL or an unknown name. */
enum inst_state	 inst_state_parse(const char *);
/* Its kind; INST_K_FINAL for INST_STATE_UNKNOWN (nothing to do). */
enum inst_kind	 inst_state_kind(enum inst_state);
/* "moving", "stable", "final", "failed" (as in instance_states.kind). */
const char	*inst_kind_name(enum inst_kind);

#endif
