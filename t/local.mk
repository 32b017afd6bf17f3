# t/: C unit tests (t/unit/NNN-*.c, TAP on stdout) and Perl tests (t/*.t).
# `make check` builds and runs the C tests; scripts/test.sh runs everything.
# Add a unit test with:
#   check_PROGRAMS += t/unit/NNN-name
#   t_unit_NNN_name_SOURCES = t/unit/NNN-name.c t/unit/tap.h
#   t_unit_NNN_name_LDADD = $(OCH_LIBS)
TESTS = $(check_PROGRAMS)
EXTRA_DIST += t/unit/tap.h
# a FastCGI binary for the loop's own tests (t/2NN-*.t)
noinst_PROGRAMS += t/unit/echo.fcgi
t_unit_echo_fcgi_SOURCES = t/unit/echo-fcgi.c
t_unit_echo_fcgi_LDADD = $(OCH_LIBS)
# security modules: cry_, tok_, valid_, hmac_
check_PROGRAMS += t/unit/001-crypto t/unit/002-jwt t/unit/003-valid \
	t/unit/004-hmac
t_unit_001_crypto_SOURCES = t/unit/001-crypto.c t/unit/tap.h
t_unit_001_crypto_LDADD = $(OCH_LIBS)
t_unit_002_jwt_SOURCES = t/unit/002-jwt.c t/unit/tap.h
t_unit_002_jwt_LDADD = $(OCH_LIBS)
t_unit_003_valid_SOURCES = t/unit/003-valid.c t/unit/tap.h
t_unit_003_valid_LDADD = $(OCH_LIBS)
t_unit_004_hmac_SOURCES = t/unit/004-hmac.c t/unit/tap.h
t_unit_004_hmac_CPPFLAGS = $(AM_CPPFLAGS) -DOCH_TOP_SRCDIR='"$(abs_top_srcdir)"'
t_unit_004_hmac_LDADD = $(OCH_LIBS)
EXTRA_DIST += t/vectors/hmac.json
# declarative request input (js_fields)
check_PROGRAMS += t/unit/005-js-fields
t_unit_005_js_fields_SOURCES = t/unit/005-js-fields.c t/unit/tap.h
t_unit_005_js_fields_LDADD = $(OCH_LIBS)
# the entity layer's declared fields (lib/ent.h)
check_PROGRAMS += t/unit/006-ent-fields
t_unit_006_ent_fields_SOURCES = t/unit/006-ent-fields.c t/unit/tap.h
t_unit_006_ent_fields_LDADD = $(OCH_LIBS)
# template renderer (lib/tpl.c)
check_PROGRAMS += t/unit/010-tpl
t_unit_010_tpl_SOURCES = t/unit/010-tpl.c t/unit/tap.h
t_unit_010_tpl_LDADD = $(OCH_LIBS)
# HTTP client and provider clients (http helper): hcl_, hz_, cf_, rs_, wh_
check_PROGRAMS += t/unit/020-hcl t/unit/021-hcl-transport \
	t/unit/022-hetzner t/unit/023-cloudflare t/unit/024-resend \
	t/unit/025-whmcs
t_unit_020_hcl_SOURCES = t/unit/020-hcl.c t/unit/tap.h
t_unit_020_hcl_LDADD = $(OCH_LIBS)
t_unit_021_hcl_transport_SOURCES = t/unit/021-hcl-transport.c t/unit/tap.h
t_unit_021_hcl_transport_LDADD = $(OCH_LIBS)
t_unit_022_hetzner_SOURCES = t/unit/022-hetzner.c t/unit/tap.h
t_unit_022_hetzner_LDADD = $(OCH_LIBS)
t_unit_023_cloudflare_SOURCES = t/unit/023-cloudflare.c t/unit/tap.h
t_unit_023_cloudflare_LDADD = $(OCH_LIBS)
t_unit_024_resend_SOURCES = t/unit/024-resend.c t/unit/tap.h
t_unit_024_resend_LDADD = $(OCH_LIBS)
t_unit_025_whmcs_SOURCES = t/unit/025-whmcs.c t/unit/tap.h
t_unit_025_whmcs_LDADD = $(OCH_LIBS)
# provider client driver for t/45N-providers-*.t (http helper)
noinst_PROGRAMS += t/unit/prov-drive
t_unit_prov_drive_SOURCES = t/unit/prov-drive.c
t_unit_prov_drive_LDADD = $(OCH_LIBS)
# the poller's pure parts (recon_, ud_, obx_)
check_PROGRAMS += t/unit/030-poller
t_unit_030_poller_SOURCES = t/unit/030-poller.c t/unit/tap.h
t_unit_030_poller_CPPFLAGS = $(AM_CPPFLAGS) -DOCH_TOP_SRCDIR='"$(abs_top_srcdir)"'
t_unit_030_poller_LDADD = $(OCH_LIBS)
# the reconciler's pure decide step (lib/recon_decide.c)
check_PROGRAMS += t/unit/031-recon-decide
t_unit_031_recon_decide_SOURCES = t/unit/031-recon-decide.c t/unit/tap.h
t_unit_031_recon_decide_LDADD = $(OCH_LIBS)
# Prometheus text parser and derived series (prom_, met_)
check_PROGRAMS += t/unit/040-prom
t_unit_040_prom_SOURCES = t/unit/040-prom.c t/unit/tap.h
t_unit_040_prom_CPPFLAGS = $(AM_CPPFLAGS) -DOCH_TOP_SRCDIR='"$(abs_top_srcdir)"'
t_unit_040_prom_LDADD = $(OCH_LIBS)
EXTRA_DIST += t/vectors/node_exporter-e2e-output.txt
# one email template rendered by lib/outbox.c, for t/313-email-templates.t
noinst_PROGRAMS += t/unit/render-mail
t_unit_render_mail_SOURCES = t/unit/render-mail.c
t_unit_render_mail_CPPFLAGS = $(AM_CPPFLAGS) -DOCH_TOP_SRCDIR='"$(abs_top_srcdir)"'
t_unit_render_mail_LDADD = $(OCH_LIBS)
