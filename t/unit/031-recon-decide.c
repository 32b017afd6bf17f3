/*
 * 031-recon-decide: the reconciler's pure decide step (lib/recon_decide.c),
 * table by table: an instance's state, desired state, pending plan or
 * action and failed_state -> the next move; a failed state -> where a
 * retry resumes; the power states -> action, final state and email; a
 * resize -> its next action from the server's type and status; a boot
 * -> activate, time out or keep checking; a failed action -> fail,
 * reissue or recreate.  No database, no network.
 */
#include <stdio.h>
#include <string.h>

#include "lifecycle.h"
#include "recon_int.h"
#include "tap.h"

static void
set(char *dst, size_t sz, const char *v)
{
	snprintf(dst, sz, "%s", v != NULL ? v : "");
}

static struct ri
mk(const char *state, const char *desired, const char *plan,
    const char *action, const char *failed, int cleanup)
{
	struct ri	 in;

	memset(&in, 0, sizeof(in));
	set(in.state, sizeof(in.state), state);
	set(in.desired, sizeof(in.desired), desired);
	set(in.pending_plan, sizeof(in.pending_plan), plan);
	set(in.pending_action, sizeof(in.pending_action), action);
	set(in.failed_state, sizeof(in.failed_state), failed);
	in.cleanup = cleanup;
	return in;
}

static const struct {
	const char	*state, *desired, *plan, *action, *failed;
	int		 cleanup;
	enum recon_move	 want;
} moves[] = {
	/* termination wins over everything but itself */
	{ "terminated", "terminated", NULL, NULL, NULL, 0, RM_RELEASE },
	{ "active", "terminated", NULL, NULL, NULL, 0, RM_TERMINATE },
	{ "suspended", "terminated", "pro", "reboot", NULL, 0, RM_TERMINATE },
	{ "pending", "terminated", NULL, NULL, NULL, 0, RM_TERMINATE },
	{ "booting", "terminated", NULL, NULL, NULL, 0, RM_TERMINATE },
	{ "resizing", "terminated", "pro", NULL, NULL, 0, RM_TERMINATE },
	{ "failed", "terminated", NULL, NULL, "creating", 1, RM_TERMINATE },
	{ "failed", "terminated", NULL, NULL, "terminating", 0, RM_RELEASE },
	{ "terminating", "terminated", NULL, NULL, NULL, 0, RM_TERMINATING },
	/* failed: only a failed create's leftovers are work */
	{ "failed", "active", NULL, NULL, "creating", 1, RM_CLEANUP },
	{ "failed", "active", NULL, NULL, "creating", 0, RM_RELEASE },
	{ "failed", "suspended", NULL, NULL, "active", 0, RM_RELEASE },
	/* the transient states run their step */
	{ "pending", "active", NULL, NULL, NULL, 0, RM_PICKUP },
	{ "creating", "active", NULL, NULL, NULL, 0, RM_CREATE },
	{ "creating", "suspended", NULL, NULL, NULL, 0, RM_CREATE },
	{ "booting", "active", NULL, NULL, NULL, 0, RM_BOOT },
	{ "rebuilding", "active", NULL, NULL, NULL, 0, RM_REBUILD },
	{ "suspending", "suspended", NULL, NULL, NULL, 0, RM_POWER },
	{ "suspending", "active", NULL, NULL, NULL, 0, RM_POWER },
	{ "resuming", "active", NULL, NULL, NULL, 0, RM_POWER },
	{ "rebooting", "active", NULL, NULL, NULL, 0, RM_POWER },
	{ "resizing", "active", "pro", NULL, NULL, 0, RM_RESIZE },
	/* active and suspended: the intents, in order */
	{ "active", "active", NULL, NULL, NULL, 0, RM_RELEASE },
	{ "suspended", "suspended", NULL, NULL, NULL, 0, RM_RELEASE },
	{ "active", "suspended", NULL, NULL, NULL, 0, RM_SUSPEND },
	{ "active", "suspended", "pro", "reboot", NULL, 0, RM_SUSPEND },
	{ "suspended", "active", NULL, NULL, NULL, 0, RM_RESUME },
	{ "suspended", "active", "pro", NULL, NULL, 0, RM_RESUME },
	{ "active", "active", "pro", NULL, NULL, 0, RM_START_RESIZE },
	{ "active", "active", "pro", "reboot", NULL, 0, RM_START_RESIZE },
	{ "suspended", "suspended", "pro", NULL, NULL, 0, RM_START_RESIZE },
	{ "active", "active", NULL, "reboot", NULL, 0, RM_REBOOT },
	{ "active", "active", NULL, "rebuild", NULL, 0, RM_START_REBUILD },
	{ "suspended", "suspended", NULL, "reboot", NULL, 0, RM_DROP_ACTION },
	{ "suspended", "suspended", NULL, "rebuild", NULL, 0,
	    RM_DROP_ACTION },
	/* a state the schema does not know: nothing is done */
	{ "bogus", "active", NULL, "reboot", NULL, 0, RM_RELEASE },
};

static void
test_moves(void)
{
	struct ri	 in;
	char		 name[160];
	size_t		 i;

	for (i = 0; i < OCH_NELEM(moves); i++) {
		in = mk(moves[i].state, moves[i].desired, moves[i].plan,
		    moves[i].action, moves[i].failed, moves[i].cleanup);
		snprintf(name, sizeof(name), "%s (wants %s%s%s%s%s%s) -> %s",
		    moves[i].state, moves[i].desired,
		    moves[i].plan ? ", plan " : "",
		    moves[i].plan ? moves[i].plan : "",
		    moves[i].action ? ", " : "",
		    moves[i].action ? moves[i].action : "",
		    moves[i].cleanup ? ", cleanup" : "",
		    recon_move_name(moves[i].want));
		if (!ok(recon_decide(&in) == moves[i].want, name))
			printf("#   got %s\n", recon_move_name(recon_decide(
			    &in)));
	}
	ok(strcmp(recon_move_name(RM__MAX), "?") == 0, "move name range");
}

static const struct {
	const char	*state, *resume, *again;
	int		 cleanup;
} resumes[] = {
	{ "pending", "creating", NULL, 1 },
	{ "creating", "creating", NULL, 1 },
	{ "booting", "creating", NULL, 1 },
	{ "suspending", "active", NULL, 0 },
	{ "rebooting", "active", NULL, 0 },
	{ "resuming", "suspended", NULL, 0 },
	{ "rebuilding", "active", "rebuild", 0 },
	{ "resizing", "resizing", NULL, 0 },
	{ "terminating", "terminating", NULL, 0 },
};

static void
test_resume(void)
{
	const char	*again, *at;
	char		 name[96];
	size_t		 i;
	int		 cleanup;

	for (i = 0; i < OCH_NELEM(resumes); i++) {
		at = recon_resume_at(resumes[i].state, &cleanup, &again);
		snprintf(name, sizeof(name), "failed in %s resumes at %s",
		    resumes[i].state, resumes[i].resume);
		ok(strcmp(at, resumes[i].resume) == 0 &&
		    cleanup == resumes[i].cleanup &&
		    (again == NULL) == (resumes[i].again == NULL) &&
		    (again == NULL || strcmp(again, resumes[i].again) == 0),
		    name);
	}
}

static void
test_power(void)
{
	enum hz_act	 act;
	const char	*final, *mail;

	ok(recon_power_plan("suspending", &act, &final, &mail) == 0 &&
	    act == HZ_POWEROFF && strcmp(final, "suspended") == 0 &&
	    strcmp(mail, "suspended") == 0, "suspending: poweroff, suspended");
	ok(recon_power_plan("resuming", &act, &final, &mail) == 0 &&
	    act == HZ_POWERON && strcmp(final, "active") == 0 &&
	    strcmp(mail, "unsuspended") == 0, "resuming: poweron, active");
	ok(recon_power_plan("rebooting", &act, &final, &mail) == 0 &&
	    act == HZ_REBOOT && strcmp(final, "active") == 0 && mail == NULL,
	    "rebooting: reboot, active, no email");
	ok(recon_power_plan("active", &act, &final, &mail) == -1,
	    "active has no power plan");
	ok(strcmp(recon_act_name(HZ_SHUTDOWN), "shutdown") == 0 &&
	    strcmp(recon_act_name((enum hz_act)99), "?") == 0, "act names");
}

static const struct {
	const char	*srv_type, *status, *action, *ret;
	double		 age;
	enum recon_rz	 want;
	const char	*name;
} resizes[] = {
	{ "cx22", "running", "", "active", 0, RZ_SHUTDOWN,
	    "old type running: shutdown" },
	{ "cx22", "running", "shutdown", "active", 5, RZ_WAIT,
	    "shutdown issued: wait" },
	{ "cx22", "running", "shutdown", "active", RECON_SHUTDOWN_TIMEOUT,
	    RZ_HARD_OFF, "shutdown ignored: poweroff" },
	{ "cx22", "stopping", "poweroff", "active", 90, RZ_WAIT,
	    "poweroff issued: wait" },
	{ "cx22", "off", "shutdown", "active", 5, RZ_CHANGE_TYPE,
	    "old type off: change_type" },
	{ "cx32", "running", "change_type", "active", 9, RZ_DONE,
	    "new type running, was active: done" },
	{ "cx32", "off", "change_type", "active", 9, RZ_POWERON,
	    "new type off, was active: poweron" },
	{ "cx32", "running", "change_type", "suspended", 9, RZ_POWEROFF,
	    "new type running, was suspended: poweroff" },
	{ "cx32", "off", "poweroff", "suspended", 9, RZ_DONE,
	    "new type off, was suspended: done" },
	{ "cx32", "starting", "change_type", "active", 9, RZ_WAIT,
	    "new type starting: wait" },
};

static void
test_resize(void)
{
	struct ri	 in;
	size_t		 i;

	for (i = 0; i < OCH_NELEM(resizes); i++) {
		in = mk("resizing", "active", "pro", NULL, NULL, 0);
		set(in.server_type, sizeof(in.server_type), "cx22");
		set(in.new_server_type, sizeof(in.new_server_type), "cx32");
		set(in.action, sizeof(in.action), resizes[i].action);
		set(in.return_state, sizeof(in.return_state), resizes[i].ret);
		in.age = resizes[i].age;
		ok(recon_resize_next(&in, resizes[i].srv_type,
		    resizes[i].status) == resizes[i].want, resizes[i].name);
	}
	in = mk("resizing", "active", "", NULL, NULL, 0);
	set(in.server_type, sizeof(in.server_type), "cx22");
	ok(strcmp(recon_resize_target(&in), "cx22") == 0,
	    "no pending plan: the current type");
	set(in.pending_plan, sizeof(in.pending_plan), "pro");
	ok(strcmp(recon_resize_target(&in), "cx22") == 0,
	    "a pending plan without a type here: the current type");
	set(in.new_server_type, sizeof(in.new_server_type), "cx32");
	ok(strcmp(recon_resize_target(&in), "cx32") == 0,
	    "the pending plan's type");
}

static void
test_boot(void)
{
	struct ri	 in;

	in = mk("booting", "active", NULL, NULL, NULL, 0);
	ok(recon_boot_check(&in, "active", 1, 5, 600) == RB_MOVED,
	    "moved by the ready call");
	ok(recon_boot_check(&in, "booting", 1, 900, 600) == RB_ACTIVATE,
	    "ready (even late) activates");
	ok(recon_boot_check(&in, "booting", 0, 600, 600) == RB_TIMEOUT,
	    "no ready call within the timeout");
	ok(recon_boot_check(&in, "booting", 0, 599.9, 600) == RB_CHECK,
	    "still booting");
	in.attempts = 2;
	ok(recon_action_failed(&in, 8) == RR_RECREATE,
	    "create action failed: recreate");
	ok(recon_action_failed(&in, 3) == RR_FAIL, "attempts spent: fail");
	set(in.state, sizeof(in.state), "rebuilding");
	ok(recon_action_failed(&in, 8) == RR_REISSUE,
	    "rebuild action failed: reissue");
}

static void
test_poll(void)
{
	ok(recon_poll_ms(1000, -1) == 1000, "poll: at least base");
	ok(recon_poll_ms(1000, 20) == 5000, "poll: a quarter of the age");
	ok(recon_poll_ms(1000, 1000) == 10000, "poll: at most 10 x base");
	ok(recon_uuid_ok("0b9c8f5e-1d2a-4c3b-9e8f-7a6b5c4d3e2f") &&
	    !recon_uuid_ok("0b9c8f5e-1d2a-4c3b-9e8f-7a6b5c4d3e2") &&
	    !recon_uuid_ok("0b9c8f5e_1d2a-4c3b-9e8f-7a6b5c4d3e2f") &&
	    !recon_uuid_ok(NULL), "uuid text");
}

/* Every state of lifecycle.h: a name that parses back; a moving one has a step. */
static void
test_lifecycle(void)
{
	struct ri	 in;
	char		 name[96];
	int		 s;

	for (s = 0; s < INST_STATE__MAX; s++) {
		snprintf(name, sizeof(name), "%s parses back",
		    inst_state_name((enum inst_state)s));
		ok((int)inst_state_parse(inst_state_name((enum inst_state)s)) == s,
		    name);
		if (inst_state_kind((enum inst_state)s) != INST_K_MOVING)
			continue;
		in = mk(inst_state_name((enum inst_state)s), "active", NULL,
		    NULL, NULL, 0);
		snprintf(name, sizeof(name), "moving %s has a step (%s)",
		    in.state, recon_move_name(recon_decide(&in)));
		ok(recon_decide(&in) != RM_RELEASE, name);
	}
	ok(inst_state_parse("exploded") == INST_STATE_UNKNOWN &&
	    inst_state_parse(NULL) == INST_STATE_UNKNOWN, "unknown names");
	ok(strcmp(inst_state_name(INST_STATE_UNKNOWN), "?") == 0 &&
	    inst_state_kind(INST_STATE_UNKNOWN) == INST_K_FINAL,
	    "the unknown state has nothing to do");
	ok(strcmp(inst_kind_name(INST_K_MOVING), "moving") == 0 &&
	    strcmp(inst_kind_name(INST_K_FAILED), "failed") == 0, "kind names");
}

int
main(void)
{
	test_lifecycle();
	test_moves();
	test_resume();
	test_power();
	test_resize();
	test_boot();
	test_poll();
	return done_testing();
}
