# tools/: ochctl, the operator's command line.
sbin_PROGRAMS += tools/ochctl
tools_ochctl_SOURCES = tools/ochctl.c tools/ochctl.h tools/ctl_instances.c \
	tools/ctl_secret.c tools/ctl_userdata.c tools/ctl_rotate.c \
	tools/ctl_dbbackup.c tools/ctl_image.c
tools_ochctl_LDADD = $(OCH_LIBS)
# och-routes: lib/routes.def as nginx locations, the docs' route index, a
# list (t/156-routes.t); `make routes` rewrites the generated parts of
# nginx/och-site.conf.in and docs/api.md after routes.def changed.
noinst_PROGRAMS += tools/och-routes
tools_och_routes_SOURCES = tools/och-routes.c
.PHONY: routes
routes: tools/och-routes$(EXEEXT)
	for f in nginx:nginx/och-site.conf.in docs:docs/api.md; do \
	  tools/och-routes $${f%%:*} <$(srcdir)/$${f#*:} >$(srcdir)/$${f#*:}.new && \
	  mv $(srcdir)/$${f#*:}.new $(srcdir)/$${f#*:} || exit 1; \
	done
