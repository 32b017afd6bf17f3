/*
 * recon_decide.c: the reconciler's pure decisions (recon_int.h): given
 * what is known of a claimed instance, and what was just observed of its
 * server, the next move.  No database, no network, no clock: everything
 * here is a function of its arguments, tested state by state in
 * t/unit/031-recon-decide.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "hcl.h"
#include "lifecycle.h"
#include "och.h"
#include "recon_int.h"

static int
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

long long
recon_backoff_ms(int n, unsigned base_ms, unsigned cap_ms, long long hint_ms)
{
	long long	 d;

	if (n < 1)
		n = 1;
	d = hcl_backoff_ms((unsigned)(n - 1 > 30 ? 30 : n - 1), base_ms,
	    cap_ms);
	if (hint_ms > 3600 * 1000LL)
		hint_ms = 3600 * 1000LL;
	return d > hint_ms ? d : hint_ms;
}

int
recon_ipv6_host(const char *net, char *out, size_t outsz)
{
	struct in6_addr	 a;
	char		 buf[INET6_ADDRSTRLEN + 8], *slash;
	int		 prefixed;

	if (net == NULL || strlen(net) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", net);
	prefixed = (slash = strchr(buf, '/')) != NULL;
	if (prefixed)
		*slash = '\0';
	if (inet_pton(AF_INET6, buf, &a) != 1)
		return -1;
	if (prefixed)
		a.s6_addr[15] |= 1;
	if (inet_ntop(AF_INET6, &a, out, (socklen_t)outsz) == NULL)
		return -1;
	return 0;
}

int
recon_uuid_ok(const char *s)
{
	size_t	 i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	}
	return 1;
}

long long
recon_poll_ms(unsigned base_ms, double age)
{
	long long	 d;

	d = age > 0 ? (long long)(age * 1000.0 / 4.0) : 0;
	if (d < (long long)base_ms)
		d = base_ms;
	if (d > 10LL * base_ms)
		d = 10LL * base_ms;
	return d;
}

static const char *const move_names[RM__MAX] = {
	[RM_RELEASE] = "release",
	[RM_TERMINATE] = "terminate",
	[RM_CLEANUP] = "cleanup",
	[RM_PICKUP] = "pickup",
	[RM_CREATE] = "create",
	[RM_BOOT] = "boot",
	[RM_REBUILD] = "rebuild",
	[RM_POWER] = "power",
	[RM_RESIZE] = "resize",
	[RM_TERMINATING] = "terminating",
	[RM_SUSPEND] = "suspend",
	[RM_RESUME] = "resume",
	[RM_START_RESIZE] = "start_resize",
	[RM_REBOOT] = "reboot",
	[RM_START_REBUILD] = "start_rebuild",
	[RM_DROP_ACTION] = "drop_action",
};

const char *
recon_move_name(enum recon_move m)
{
	return (unsigned)m < RM__MAX && move_names[m] != NULL ?
	    move_names[m] : "?";
}

/* The moving states (lifecycle.h) and the step each runs until done. */
static const enum recon_move steps[INST_STATE__MAX] = {
	[INST_PENDING] = RM_PICKUP,
	[INST_CREATING] = RM_CREATE,
	[INST_BOOTING] = RM_BOOT,
	[INST_REBUILDING] = RM_REBUILD,
	[INST_SUSPENDING] = RM_POWER,
	[INST_RESUMING] = RM_POWER,
	[INST_REBOOTING] = RM_POWER,
	[INST_RESIZING] = RM_RESIZE,
	[INST_TERMINATING] = RM_TERMINATING,
};

/* active or suspended: what the customer or an admin asked for. */
static enum recon_move
decide_stable(const struct ri *in)
{
	int	 active = is(in->state, "active");

	if (active && is(in->desired, "suspended"))
		return RM_SUSPEND;
	if (!active && is(in->desired, "active"))
		return RM_RESUME;
	if (in->pending_plan[0] != '\0')
		return RM_START_RESIZE;
	if (active && is(in->pending_action, "reboot"))
		return RM_REBOOT;
	if (active && is(in->pending_action, "rebuild"))
		return RM_START_REBUILD;
	if (in->pending_action[0] != '\0')
		/* a reboot or rebuild asked while suspended */
		return RM_DROP_ACTION;
	return RM_RELEASE;
}

enum recon_move
recon_decide(const struct ri *in)
{
	enum inst_state	 st = inst_state_parse(in->state);

	if (st == INST_TERMINATED)
		return RM_RELEASE;
	if (is(in->desired, "terminated") && st != INST_TERMINATING &&
	    !(st == INST_FAILED && is(in->failed_state, "terminating")))
		return RM_TERMINATE;
	switch (inst_state_kind(st)) {
	case INST_K_FAILED:
		return in->cleanup ? RM_CLEANUP : RM_RELEASE;
	case INST_K_MOVING:
		return steps[st];
	case INST_K_STABLE:
		return decide_stable(in);
	default:
		return RM_RELEASE;
	}
}

const char *
recon_resume_at(const char *state, int *cleanup, const char **again)
{
	*cleanup = 0;
	*again = NULL;
	if (is(state, "pending") || is(state, "creating") ||
	    is(state, "booting")) {
		*cleanup = 1;
		return "creating";
	}
	if (is(state, "suspending") || is(state, "rebooting"))
		return "active";
	if (is(state, "resuming"))
		return "suspended";
	if (is(state, "rebuilding")) {
		*again = "rebuild";
		return "active";
	}
	return state;
}

static const struct {
	enum hz_act	 act;
	const char	*name;
} acts[] = {
	{ HZ_POWERON, "poweron" },
	{ HZ_POWEROFF, "poweroff" },
	{ HZ_SHUTDOWN, "shutdown" },
	{ HZ_REBOOT, "reboot" },
};

const char *
recon_act_name(enum hz_act a)
{
	size_t	 i;

	for (i = 0; i < OCH_NELEM(acts); i++)
		if (acts[i].act == a)
			return acts[i].name;
	return "?";
}

static const struct {
	const char	*state;
	enum hz_act	 act;
	const char	*final;
	const char	*mail;
} powers[] = {
	{ "suspending", HZ_POWEROFF, "suspended", "suspended" },
	{ "resuming", HZ_POWERON, "active", "unsuspended" },
	{ "rebooting", HZ_REBOOT, "active", NULL },
};

int
recon_power_plan(const char *state, enum hz_act *act, const char **final,
    const char **mail)
{
	size_t	 i;

	for (i = 0; i < OCH_NELEM(powers); i++)
		if (is(state, powers[i].state)) {
			*act = powers[i].act;
			*final = powers[i].final;
			*mail = powers[i].mail;
			return 0;
		}
	return -1;
}

const char *
recon_resize_target(const struct ri *in)
{
	return in->pending_plan[0] != '\0' && in->new_server_type[0] != '\0' ?
	    in->new_server_type : in->server_type;
}

/*
 * Shutdown, wait until off, change_type without disk upgrade (Hetzner
 * starts the server again), poweron when it is not running, poweroff
 * when it was suspended.  Read from the server, so any point repeats.
 */
enum recon_rz
recon_resize_next(const struct ri *in, const char *srv_type,
    const char *srv_status)
{
	int	 want_on;

	if (!is(srv_type, recon_resize_target(in))) {
		if (is(srv_status, "off"))
			return RZ_CHANGE_TYPE;
		if (is(in->action, "shutdown") &&
		    in->age >= RECON_SHUTDOWN_TIMEOUT)
			/* the OS ignores ACPI: cut the power */
			return RZ_HARD_OFF;
		if (is(in->action, "shutdown") || is(in->action, "poweroff"))
			return RZ_WAIT;
		return RZ_SHUTDOWN;
	}
	/* change_type starts the server again: a suspended one goes off */
	want_on = !is(in->return_state, "suspended");
	if (is(srv_status, want_on ? "running" : "off"))
		return RZ_DONE;
	if (is(srv_status, want_on ? "off" : "running"))
		return want_on ? RZ_POWERON : RZ_POWEROFF;
	return RZ_WAIT;
}

enum recon_boot
recon_boot_check(const struct ri *in, const char *cur, int ready, double age,
    long boot_timeout)
{
	if (!is(cur, in->state))
		return RB_MOVED;
	if (ready)
		return RB_ACTIVATE;
	if (age >= (double)boot_timeout)
		return RB_TIMEOUT;
	return RB_CHECK;
}

enum recon_redo
recon_action_failed(const struct ri *in, int max_attempts)
{
	if (in->attempts + 1 >= max_attempts)
		return RR_FAIL;
	return is(in->state, "rebuilding") ? RR_REISSUE : RR_RECREATE;
}
