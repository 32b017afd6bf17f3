/*
 * vmimage.c: what a simulated server does when its user-data is an image
 * build or an image check (vm.h, vm_image_boot) instead of a customer's
 * first boot: `och-setup image` and `och-setup verify-image` as their
 * time and outcome, modelled by the latency profile (sim/README.md).
 */
#include <string.h>

#include "log.h"
#include "sim_userdata.h"
#include "util.h"
#include "vm.h"

/* 1 when the user-data wrote path (write_files). */
static int
sud_wrote(const struct vm *v, const char *path)
{
	size_t	 i;

	for (i = 0; v->ud != NULL && i < v->ud->nfiles; i++)
		if (strcmp(v->ud->files[i].path, path) == 0)
			return 1;
	return 0;
}

/* An image build or check is done: the OS powers the machine off. */
static void
image_done(void *arg)
{
	struct vm	*v = arg;

	log_info("server %lld: %s done, powering off", (long long)v->id,
	    sud_wrote(v, "/etc/och/image.env") ? "image build" : "image check");
	vm_power_off(v, VM_OFF);
}

/*
 * `och-setup image` (an image builder, /etc/och/image.env): installs
 * (setup_bare), then poweroff.  `och-setup verify-image`
 * (/etc/och/image-check.env): poweroff after setup_prebuilt when the disk
 * is a snapshot, else it stays up (not pre-built).  Returns 1 when the
 * boot is one of those (no agent, no ready call).
 */
int
vm_image_boot(struct vm *v)
{
	if (sud_wrote(v, "/etc/och/image.env")) {
		loop_timer_at(&v->setup_timer, su_mono() + su_cfg.setup_bare,
		    image_done, v);
		return 1;
	}
	if (!sud_wrote(v, "/etc/och/image-check.env"))
		return 0;
	if (vm_image_prebuilt(v->image_id))
		loop_timer_at(&v->setup_timer, su_mono() +
		    su_cfg.setup_prebuilt, image_done, v);
	else
		log_info("server %lld: image check failed: not pre-built",
		    (long long)v->id);
	return 1;
}

