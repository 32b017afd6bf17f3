/*
 * vm.h: simulated servers.  A vm is what Hetzner calls a server seen from
 * the inside: a loopback IPv4 and a fake IPv6 net, power state, a disk
 * (image + user-data), and what its OS does when it boots: on the first
 * boot of a disk it reads the user-data as cloud-init would and either
 * refuses it or performs the first-boot step (the ready callback, or with
 * --agent the real agent); while running it serves node_exporter metrics
 * (over TLS with a key of its own when the user-data is the control
 * plane's: och-setup makes that key at first boot).
 * The Hetzner API (sim_hetzner.c) owns the API-facing fields and drives power
 * changes through the vm_* functions.
 */
#ifndef SIM_VM_H
#define SIM_VM_H

#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "loop.h"

enum vm_status {
	VM_INITIALIZING,
	VM_STARTING,
	VM_RUNNING,
	VM_STOPPING,
	VM_OFF,
	VM_DELETING,
	VM_REBUILDING,
	VM_MIGRATING,
	VM_UNKNOWN,
	VM__MAX
};

struct ud;
struct cb_job;
struct exp_srv;
struct xt_key;

struct vm {
	int64_t			 id;
	char			*name;
	enum vm_status		 status;
	double			 created;	/* wall clock */
	const struct cat_type	*type;
	const struct cat_loc	*loc;
	int64_t			 image_id;	/* system image or snapshot */
	int			 disk;		/* primary_disk_size, GB */
	cJSON			*labels;
	char			*user_data;	/* NULL when none was given */
	int			 has_ipv4, has_ipv6;
	uint32_t		 ip4;		/* host order, 127.64/10 */
	char			 ip4s[16];
	char			 ip6net[48];	/* "2001:db8:...::/64" */
	char			 ip6[48];	/* its ::1 */
	int64_t			 ip4_id, ip6_id;
	int			 ssh_keys;	/* created with ssh_keys */
	cJSON			*keys;		/* [{id,name,fingerprint}] */
	int			 backups;	/* backup window set */
	int			 protect_delete;
	int			 protect_rebuild;
	/* /_sim/servers/{id}/usage: the share of the root file system and
	   of the memory in use as the exporter shows it (< 0: the natural
	   curve) */
	double			 disk_used_pct;
	double			 mem_used_pct;
	/* what the exporter shows as node_load1 and as the size and the
	   available bytes of / when set (any finite number: what a VPS's
	   root can make its exporter say) */
	double			 load1, disk_size, disk_avail;
	int			 load1_set, disk_size_set, disk_avail_set;

	/* the inside */
	double			 booted_at;	/* wall; 0 while down */
	int			 boots;
	int			 fresh;		/* cloud-init has not run */
	struct loop_timer	 boot_timer;
	struct loop_timer	 acpi_timer;	/* shutdown requested */
	const char		*boot_state;	/* static string */
	char			*boot_reason;
	struct ud		*ud;
	struct cb_job		*cb;
	const char		*cb_state;	/* static string */
	int			 cb_attempts;
	long			 cb_status;
	char			*cb_error;
	char			*cb_url;
	unsigned char		 ne_pw[32];	/* SHA-256 of the exporter */
	int			 ne_pw_set;	/* password ready gave */
	struct exp_srv		*exporter;
	struct xt_key		*tls;		/* NULL: plain HTTP */
	char			*exp_error;
	long			 scrapes;
	/* since the key last changed: connections, requests, with creds */
	long			 exp_conns, exp_requests, exp_auth;
	pid_t			 agent_pid;
	int			 agent_starts;
	int			 agent_last_exit;
	char			*dir;		/* agent: state/servers/<id> */
	struct loop_timer	 setup_timer;	/* first-boot work, then ready */
	struct loop_timer	 pool_timer;	/* next warm pool poll */
	char			*pool_token;	/* secret: the pool's poll token */
	char			*pool_url;
	double			 pool_poll;	/* seconds between polls */
	int			 pool_polls;

	struct vm		*next;
};

/* 1 when image_id is not a system image (a snapshot: pre-built). */
int		 vm_image_prebuilt(int64_t image_id);
/* The create_server action's duration for image_id (latency profile). */
double		 vm_create_delay(int64_t image_id);

/*
 * vmimage.c: on a first boot whose user-data is an image build
 * (/etc/och/image.env: power off after setup_bare) or an image check
 * (/etc/och/image-check.env: power off after setup_prebuilt when the disk
 * is a snapshot, else stay up), schedule that and return 1 (no agent, no
 * ready call); otherwise 0.
 */
int		 vm_image_boot(struct vm *);

/* Name of a status as the API spells it. */
const char	*vm_status_name(enum vm_status);

/*
 * Create a stopped vm (status initializing) with unique addresses.
 * user_data may be NULL.  Returns the vm, or NULL when no address is free.
 */
struct vm	*vm_new(const char *name, const struct cat_type *,
		    const struct cat_loc *, int64_t image_id,
		    const char *user_data);
struct vm	*vm_find(int64_t id);
struct vm	*vm_find_name(const char *);
struct vm	*vm_first(void);
size_t		 vm_count(void);

/* Power on: status running; the OS boots after the boot delay. */
void		 vm_power_on(struct vm *);
/* Power off: stops the exporter, the agent and any callback. */
void		 vm_power_off(struct vm *, enum vm_status);
/*
 * ACPI shutdown request: an OS that is up powers the machine off one
 * action delay later; one that is not up (booting, or already off)
 * ignores it and the server stays as it is.
 */
void		 vm_acpi_shutdown(struct vm *);
/* Reboot: the OS goes down and comes up again after the boot delay. */
void		 vm_reboot(struct vm *);
/* New disk from image_id (and new user-data when given). */
void		 vm_reinstall(struct vm *, int64_t image_id,
		    const char *user_data);
/*
 * First boot of a disk: och-setup's node_exporter key when the user-data
 * is the control plane's (or its web config asks for TLS); in agent mode
 * also on disk, where the agent reads the certificate for its pin.
 * Returns 0, or -1 with v->boot_reason set.
 */
int		 vm_tls_key(struct vm *);
/*
 * An impostor on the vm's address: the exporter answers with another
 * key (as another machine that took the address would), and the
 * exporter's counters restart.  Returns 0, or -1 with *err (free it)
 * when the vm has no TLS key or no new one could be made.
 */
int		 vm_impostor(struct vm *, char **err);
/* Remove the vm and everything it runs. */
void		 vm_delete(struct vm *);
/* Remove all (reset and exit). */
void		 vm_delete_all(void);
/* The agent process pid exited (from the SIGCHLD handler). */
void		 vm_agent_exited(pid_t, int status);

/*
 * The fraction of the root file system (disk) or of the memory (mem)
 * available up seconds after boot: the one set through /_sim, else the
 * natural curve.
 */
double		 vm_disk_avail(const struct vm *, double up);
double		 vm_mem_avail(const struct vm *, double up, double phase);

/* /_sim/servers view of one vm (no secrets). */
cJSON		*vm_json(const struct vm *);

#endif
