# poller/: och-poller (provision | metrics | maintain), run by cron.
sbin_PROGRAMS += poller/och-poller
poller_och_poller_SOURCES = poller/poller.c poller/scrape.h poller/scrape.c \
	poller/pstats.h poller/pstats.c
poller_och_poller_LDADD = $(OCH_LIBS)
# the email templates it renders (OCH_TEMPLATE_DIR/templates/email)
emailtmpldir = $(pkgdatadir)/templates/email
dist_emailtmpl_DATA = \
	templates/email/welcome.subject.tmpl \
	templates/email/welcome.html.tmpl \
	templates/email/welcome.txt.tmpl \
	templates/email/suspended.subject.tmpl \
	templates/email/suspended.html.tmpl \
	templates/email/suspended.txt.tmpl \
	templates/email/unsuspended.subject.tmpl \
	templates/email/unsuspended.html.tmpl \
	templates/email/unsuspended.txt.tmpl \
	templates/email/terminated.subject.tmpl \
	templates/email/terminated.html.tmpl \
	templates/email/terminated.txt.tmpl \
	templates/email/provisioning_failed.subject.tmpl \
	templates/email/provisioning_failed.html.tmpl \
	templates/email/provisioning_failed.txt.tmpl \
	templates/email/magic_link.subject.tmpl \
	templates/email/magic_link.html.tmpl \
	templates/email/magic_link.txt.tmpl \
	templates/email/alert_opened.subject.tmpl \
	templates/email/alert_opened.html.tmpl \
	templates/email/alert_opened.txt.tmpl \
	templates/email/alert_resolved.subject.tmpl \
	templates/email/alert_resolved.html.tmpl \
	templates/email/alert_resolved.txt.tmpl
# the minimal user-data (OCH_TEMPLATE_DIR/cloud-init), used while the
# full VPS recipe (cloud-init/user-data.yaml.tmpl) is not installed
minimaluddir = $(pkgdatadir)/cloud-init
dist_minimalud_DATA = cloud-init/minimal.yaml.tmpl
