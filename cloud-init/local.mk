# cloud-init/: the customer VPS recipe (user-data template rendered with
# lib/tpl.c), the scripts it installs (och-setup, och-agent), the agent's
# protocol, and och-render, which renders a template from the command line
# (tests, operators).
cloudinitdir = $(pkgdatadir)/cloud-init
dist_cloudinit_DATA = cloud-init/user-data.yaml.tmpl cloud-init/AGENT-PROTOCOL.md
dist_cloudinit_SCRIPTS = cloud-init/och-agent cloud-init/och-setup
nodist_cloudinit_DATA = cloud-init/och-agent.gz.b64 cloud-init/och-setup.gz.b64
CLEANFILES += cloud-init/och-agent.gz.b64 cloud-init/och-setup.gz.b64

# The scripts as user-data embeds them ({{agent_gz_b64}}, {{setup_gz_b64}}):
# comment lines dropped, gzip, base64 on one line.
OCH_NOCOMMENT = sed -e '1!{/^[[:space:]]*\#/d;}'
cloud-init/och-agent.gz.b64: $(srcdir)/cloud-init/och-agent
	$(AM_V_GEN)$(MKDIR_P) cloud-init && \
	$(OCH_NOCOMMENT) $(srcdir)/cloud-init/och-agent | gzip -9n | \
	    base64 -w0 >$@.tmp && mv -f $@.tmp $@
cloud-init/och-setup.gz.b64: $(srcdir)/cloud-init/och-setup
	$(AM_V_GEN)$(MKDIR_P) cloud-init && \
	$(OCH_NOCOMMENT) $(srcdir)/cloud-init/och-setup | gzip -9n | \
	    base64 -w0 >$@.tmp && mv -f $@.tmp $@

noinst_PROGRAMS += cloud-init/och-render
cloud_init_och_render_SOURCES = cloud-init/och-render.c
cloud_init_och_render_LDADD = $(OCH_LIBS)

# stand-ins for the openclaw and clawhub commands (tests, och-cloudsim)
EXTRA_DIST += t/bin/openclaw t/bin/clawhub
