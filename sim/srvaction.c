/*
 * srvaction.c: POST /servers/{id}/actions/NAME (poweron, poweroff, shutdown,
 * reboot, reset, rebuild, change_type, create_image, enable_backup,
 * disable_backup): the checks Hetzner makes and the state changes at the
 * end of each action.  sim_hetzner.c routes here (shz_server_action).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "log.h"
#include "action.h"
#include "catalog.h"
#include "sim_hetzner.h"
#include "image.h"
#include "labels.h"
#include "util.h"
#include "vm.h"

/* --- server actions ----------------------------------------------- */

/* A start, and the end of a rebuild: running, or off when it failed. */
static void
start_done(struct act *a, int64_t sid, int64_t unused)
{
	struct vm	*v;

	if ((v = vm_find(sid)) == NULL)
		return;
	if (a->fail)
		v->status = VM_OFF;
	else
		vm_power_on(v);
}

static void
off_done(struct act *a, int64_t sid, int64_t unused)
{
	struct vm	*v;

	if ((v = vm_find(sid)) != NULL && !a->fail)
		vm_power_off(v, VM_OFF);
	else if (v != NULL && v->status == VM_STOPPING)
		v->status = VM_RUNNING;
}

static void
reboot_done(struct act *a, int64_t sid, int64_t unused)
{
	struct vm	*v;

	if ((v = vm_find(sid)) != NULL && !a->fail)
		vm_reboot(v);
}

/* The disk is copied to the new type, and the server started again. */
static void
change_type_done(struct act *a, int64_t sid, int64_t arg)
{
	const struct cat_type	*t;
	struct vm		*v;

	if ((v = vm_find(sid)) == NULL || a->fail ||
	    (t = cat_type_at((size_t)(arg & 0xffff))) == NULL)
		return;
	v->type = t;
	if (arg >> 16)
		v->disk = t->disk;
	vm_power_on(v);
}

/* The request reached the server: its OS decides what happens next. */
static void
shutdown_done(struct act *a, int64_t sid, int64_t unused)
{
	struct vm	*v;

	if ((v = vm_find(sid)) != NULL && !a->fail)
		vm_acpi_shutdown(v);
}

static void
image_done(struct act *a, int64_t sid, int64_t image_id)
{
	img_ready(image_id, !a->fail);
}

static void
answer_action(struct http_req *r, struct act *a, cJSON *root)
{
	if (root == NULL)
		root = su_jobj();
	if (r->fault.kind == FLT_ACTION_ERROR)
		act_set_fail(a);
	cJSON_AddItemToObject(root, "action", act_json(a));
	http_json(r, 201, root);
}

/* rebuild: {"image": ..., "user_data": ...} */
static void
do_rebuild(struct http_req *r, struct vm *v, cJSON *body)
{
	cJSON		*image, *ud, *root;
	struct act	*a;
	char		 num[32], *msg;
	const char	*imgs;
	int64_t		 id;
	int		 bad = 0, rc;

	image = shz_field(r, body, "image", 'n', 1, &bad);
	ud = shz_field(r, body, "user_data", 's', 0, &bad);
	if (bad)
		return;
	if (ud != NULL && strlen(ud->valuestring) > HZ_USER_DATA_MAX) {
		shz_invalid(r, "user_data", "is too long (maximum is 32KiB)");
		return;
	}
	if (v->protect_rebuild) {
		shz_error(r, 423, "protected", "server is protected", NULL);
		return;
	}
	imgs = shz_idname(image, num, sizeof(num));
	if ((rc = img_resolve(imgs, v->type->arch, &id)) != 0) {
		msg = xasprintf("image '%.64s' %s", imgs, rc == -2 ?
		    "does not support the architecture of the server type" :
		    rc == -3 ? "is not available" : "not found");
		shz_error(r, 400, "invalid_input", msg, NULL);
		free(msg);
		return;
	}
	vm_power_off(v, VM_REBUILDING);
	vm_reinstall(v, id, ud ? ud->valuestring : NULL);
	a = act_start("rebuild_server", su_cfg.action_delay, v->id,
	    start_done, 0);
	root = su_jobj();
	shz_root_password(root, v->ssh_keys);
	answer_action(r, a, root);
}

/* change_type: {"server_type": ..., "upgrade_disk": bool} */
static void
do_change_type(struct http_req *r, struct vm *v, cJSON *body)
{
	const struct cat_type	*t;
	cJSON			*st, *up;
	struct act		*a;
	char			 num[32];
	size_t			 i;
	int			 bad = 0;

	st = shz_field(r, body, "server_type", 'n', 1, &bad);
	up = shz_field(r, body, "upgrade_disk", 'b', 1, &bad);
	if (bad)
		return;
	if ((t = cat_type_find(shz_idname(st, num, sizeof(num)))) == NULL) {
		shz_invalid(r, "server_type", "server type not found");
		return;
	}
	if (v->status != VM_OFF) {
		shz_error(r, 412, "server_not_stopped", "server must be "
		    "stopped before changing its type", NULL);
		return;
	}
	if (strcmp(t->arch, v->type->arch) != 0 || !cat_type_in(t, v->loc) ||
	    t->disk < v->disk) {
		shz_error(r, 422, "invalid_server_type", strcmp(t->arch,
		    v->type->arch) ? "server type has another architecture" :
		    !cat_type_in(t, v->loc) ? "server type is not available "
		    "in this location" : "disk of the server type is smaller "
		    "than the server's disk", NULL);
		return;
	}
	for (i = 0; cat_type_at(i) != t; i++)
		;
	a = act_start("change_server_type", su_cfg.action_delay, v->id,
	    change_type_done, (int64_t)i | ((int64_t)cJSON_IsTrue(up) << 16));
	answer_action(r, a, NULL);
}

/* create_image: {"type", "description", "labels"} */
static void
do_create_image(struct http_req *r, struct vm *v, cJSON *body)
{
	cJSON		*type, *desc, *labels, *root, *img;
	const char	*err, *ty = "snapshot";
	struct act	*a;
	int64_t		 id;
	int		 bad = 0;

	type = shz_field(r, body, "type", 's', 0, &bad);
	desc = shz_field(r, body, "description", 's', 0, &bad);
	labels = shz_field(r, body, "labels", 'o', 0, &bad);
	if (bad)
		return;
	if (type != NULL) {
		ty = type->valuestring;
		if (strcmp(ty, "snapshot") && strcmp(ty, "backup")) {
			shz_invalid(r, "type", "must be snapshot or backup");
			return;
		}
	}
	if (labels != NULL && !lbl_valid(labels, &err)) {
		shz_invalid(r, "labels", err);
		return;
	}
	id = img_create(v, ty, desc ? desc->valuestring : NULL, labels);
	a = act_start("create_image", su_cfg.action_delay, v->id, image_done,
	    id);
	act_add_resource(a, id, "image");
	root = su_jobj();
	img = img_json_id(id);
	cJSON_AddItemToObject(root, "image", img);
	answer_action(r, a, root);
}

void
shz_server_action(struct http_req *r)
{
	const char	*name;
	struct vm	*v;
	struct act	*a;
	cJSON		*body;

	name = strrchr(r->route->pattern, '/') + 1;
	if ((v = shz_server_param(r)) == NULL || (body = shz_body(r)) == NULL)
		return;
	if (v->status == VM_DELETING) {
		shz_not_found(r, "server");
		goto out;
	}
	if (act_server_busy(v->id)) {
		shz_error(r, 423, "locked", "server is locked by another "
		    "action", NULL);
		goto out;
	}
	if (strcmp(name, "poweron") == 0) {
		if (v->status == VM_OFF)
			v->status = VM_STARTING;
		a = act_start("start_server", su_cfg.action_delay, v->id,
		    start_done, 0);
	} else if (strcmp(name, "poweroff") == 0) {
		/* a power cut: the OS stops now, the status follows */
		if (v->status == VM_RUNNING &&
		    r->fault.kind != FLT_ACTION_ERROR)
			vm_power_off(v, VM_STOPPING);
		a = act_start("stop_server", su_cfg.action_delay, v->id,
		    off_done, 0);
	} else if (strcmp(name, "shutdown") == 0) {
		a = act_start("shutdown_server", su_cfg.action_delay, v->id,
		    shutdown_done, 0);
	} else if (strcmp(name, "reboot") == 0) {
		a = act_start("reboot_server", su_cfg.action_delay, v->id,
		    reboot_done, 0);
	} else if (strcmp(name, "reset") == 0) {
		a = act_start("reset_server", su_cfg.action_delay, v->id,
		    reboot_done, 0);
	} else if (strcmp(name, "rebuild") == 0) {
		do_rebuild(r, v, body);
		goto out;
	} else if (strcmp(name, "change_type") == 0) {
		do_change_type(r, v, body);
		goto out;
	} else if (strcmp(name, "create_image") == 0) {
		do_create_image(r, v, body);
		goto out;
	} else if (strcmp(name, "enable_backup") == 0) {
		v->backups = 1;
		a = act_start("enable_backup", su_cfg.action_delay, v->id,
		    NULL, 0);
	} else {
		v->backups = 0;
		img_drop_backups(v->id);
		a = act_start("disable_backup", su_cfg.action_delay, v->id,
		    NULL, 0);
	}
	answer_action(r, a, NULL);
out:
	cJSON_Delete(body);
}

