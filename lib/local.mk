# lib/: the static library every binary links, in one list, a module (or
# a few that belong together) a line, in this order:
#   the core: och_, log_, cfg_, db_, req_, srv_ (and the long-poll
#     parking), auth_;
#   crypto, JWT, validators (cry_, tok_, valid_); the request counters of
#     the Prometheus exposition (stats_); HMAC signing (hmac_); templates
#     of user-data and emails (tpl_);
#   the HTTP client, what the JSON provider clients share, and the
#     provider clients (fleet_, hcl_, prov_, hz_, cf_, rs_, wh_);
#   the instances' lifecycle records and states (inst_); the audit log
#     (audit_);
#   the typed data layer (ent_: lib/ent.h), an entity a header and a
#     file;
#   strict JSON field getters (js_);
#   reconcile steps, outbox delivery, user-data (recon_, obx_, ud_);
#   the Prometheus text parser and derived series (prom_, met_); alert
#     conditions (alert_); off-server backups and their S3 client (s3_,
#     bak_); an admin's read-only view (view_); the warm pool (pool_);
#     Hetzner snapshots as backups (snap_).
noinst_LIBRARIES += lib/libcore.a
lib_libcore_a_SOURCES = \
	lib/och.h lib/och.c \
	lib/log.h lib/log.c \
	lib/cfg.h lib/cfg.c \
	lib/db.h lib/db.c \
	lib/req.h lib/req.c \
	lib/srv.h lib/srv.c lib/park.h lib/park.c lib/routes.def \
	lib/auth.h lib/auth.c \
	lib/cry.h lib/cry.c lib/tok.h lib/tok.c lib/valid.h lib/valid.c \
	lib/stats.h lib/stats.c \
	lib/hmac.h lib/hmac.c \
	lib/tpl.h lib/tpl.c \
	lib/fleetnet.h lib/fleetnet.c lib/fleetcfg.c \
	lib/hcl.h lib/hcl.c lib/hcl_perr.c \
	lib/hetzner.h lib/hetzner.c lib/hetzner_int.h lib/hetzner_answer.c \
	lib/hcl_prov.h lib/hcl_prov.c \
	lib/cloudflare.h lib/cloudflare.c lib/resend.h lib/resend.c \
	lib/whmcs.h lib/whmcs.c \
	lib/inst.h lib/inst.c lib/lifecycle.h lib/lifecycle.c \
	lib/audit.h lib/audit.c \
	lib/ent.h lib/ent_view.c \
	lib/ent_instance.h lib/ent_instance.c lib/ent_ops.h lib/ent_ops.c \
	lib/ent_fleet.h lib/ent_fleet.c lib/ent_catalog.h lib/ent_catalog.c \
	lib/ent_whmcs.h lib/ent_whmcs.c lib/ent_alert.h lib/ent_alert.c \
	lib/ent_metric.h lib/ent_metric.c \
	lib/ent_archive.h lib/ent_archive.c lib/ent_plan.h lib/ent_plan.c \
	lib/ent_key.h lib/ent_key.c lib/ent_channel.h lib/ent_channel.c \
	lib/ent_skill.h lib/ent_skill.c lib/ent_backup.h lib/ent_backup.c \
	lib/ent_command.h lib/ent_command.c \
	lib/ent_status.h lib/ent_status.c lib/ent_secret.h lib/ent_secret.c \
	lib/ent_agent.h lib/ent_agent.c lib/ent_pool.h lib/ent_pool.c \
	lib/ent_session.h lib/ent_session.c lib/ent_user.h lib/ent_user.c \
	lib/ent_report.h lib/ent_report.c \
	lib/ent_provider.h lib/ent_provider.c \
	lib/js.h lib/js.c \
	lib/recon.h lib/recon.c lib/recon_int.h lib/recon_decide.c \
	lib/recon_queue.c lib/recon_store.c lib/recon_effects.c \
	lib/outbox.h lib/outbox.c lib/userdata.h lib/userdata.c \
	lib/prom.h lib/prom.c lib/met.h lib/met.c \
	lib/alert.h lib/alert.c lib/alerthook.h lib/alerthook.c \
	lib/s3.h lib/s3.c lib/backup.h lib/backup.c \
	lib/view.h lib/view.c \
	lib/pool.h lib/pool.c lib/poolrun.c \
	lib/snapshot.h lib/snapshot.c
