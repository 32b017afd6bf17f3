# lib/: the static library every binary links.  Helpers working on a
# module add their files with `lib_libcore_a_SOURCES += ...` lines below.
noinst_LIBRARIES += lib/libcore.a
lib_libcore_a_SOURCES = \
	lib/och.h lib/och.c \
	lib/log.h lib/log.c \
	lib/cfg.h lib/cfg.c \
	lib/db.h lib/db.c \
	lib/req.h lib/req.c \
	lib/srv.h lib/srv.c lib/park.h lib/park.c lib/routes.def \
	lib/auth.h lib/auth.c
# crypto, JWT, validators (cry_, tok_, valid_)
lib_libcore_a_SOURCES += lib/cry.h lib/cry.c lib/tok.h lib/tok.c \
	lib/valid.h lib/valid.c
# shared request counters for the Prometheus exposition (stats_)
lib_libcore_a_SOURCES += lib/stats.h lib/stats.c
# HMAC request signing (hmac_)
lib_libcore_a_SOURCES += lib/hmac.h lib/hmac.c
# templates for user-data and emails (tpl_)
lib_libcore_a_SOURCES += lib/tpl.h lib/tpl.c
# HTTP client and provider clients (hcl_, hz_, cf_, rs_, wh_)
lib_libcore_a_SOURCES += lib/fleetnet.h lib/fleetnet.c lib/fleetcfg.c
lib_libcore_a_SOURCES += lib/hcl.h lib/hcl.c lib/hcl_perr.c lib/hetzner.h lib/hetzner.c \
	lib/hetzner_int.h lib/hetzner_answer.c \
	lib/cloudflare.h lib/cloudflare.c lib/resend.h lib/resend.c \
	lib/whmcs.h lib/whmcs.c
# instance lifecycle records shared by the API and the poller, and the
# instance states (inst_)
lib_libcore_a_SOURCES += lib/inst.h lib/inst.c lib/lifecycle.h lib/lifecycle.c
# the audit log (audit_)
lib_libcore_a_SOURCES += lib/audit.h lib/audit.c
# the typed data layer of the entities other than instances (ent_)
lib_libcore_a_SOURCES += lib/ent.h lib/ent_view.c lib/ent_instance.c \
	lib/ent_ops.c lib/ent_plan.c lib/ent_key.c lib/ent_channel.c \
	lib/ent_skill.c lib/ent_backup.c lib/ent_command.c lib/ent_status.c \
	lib/ent_secret.c lib/ent_agent.c lib/ent_pool.c lib/ent_session.c \
	lib/ent_user.c lib/ent_whmcs.c lib/ent_alert.c lib/ent_metric.c \
	lib/ent_fleet.c lib/ent_catalog.c lib/ent_archive.c lib/ent_report.c
# strict JSON field getters (js_)
lib_libcore_a_SOURCES += lib/js.h lib/js.c
# reconcile steps, outbox delivery, user-data (recon_, obx_, ud_)
lib_libcore_a_SOURCES += lib/recon.h lib/recon.c lib/recon_int.h \
	lib/recon_decide.c lib/recon_queue.c lib/recon_store.c \
	lib/recon_effects.c lib/outbox.h lib/outbox.c \
	lib/userdata.h lib/userdata.c
# Prometheus text parser and the derived metrics series (prom_, met_)
lib_libcore_a_SOURCES += lib/prom.h lib/prom.c lib/met.h lib/met.c
# alert conditions and their evaluation (alert_)
lib_libcore_a_SOURCES += lib/alert.h lib/alert.c lib/alerthook.h lib/alerthook.c
# off-server backups: the S3 client and the backup work (s3_, bak_)
lib_libcore_a_SOURCES += lib/s3.h lib/s3.c lib/backup.h lib/backup.c
# an admin's read-only view of a customer's dashboard (view_)
lib_libcore_a_SOURCES += lib/view.h lib/view.c
# the warm pool: claims, upkeep, admin view (pool_)
lib_libcore_a_SOURCES += lib/pool.h lib/pool.c lib/poolrun.c
# Hetzner snapshots as backups (snap_)
lib_libcore_a_SOURCES += lib/snapshot.h lib/snapshot.c
