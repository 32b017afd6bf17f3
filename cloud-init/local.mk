# cloud-init/: the customer VPS recipe (user-data template, rendered by
# lib/userdata.c with lib/tpl.c), the two scripts the VPS downloads from
# the control plane at boot (och-setup, och-agent: nginx serves them as
# /vps/och-setup and /vps/och-agent), the agent's protocol, and och-render,
# which renders a template from the command line (tests, operators).
cloudinitdir = $(pkgdatadir)/cloud-init
dist_cloudinit_DATA = cloud-init/user-data.yaml.tmpl cloud-init/AGENT-PROTOCOL.md \
	cloud-init/image.yaml.tmpl cloud-init/image-check.yaml.tmpl
dist_cloudinit_SCRIPTS = cloud-init/och-agent cloud-init/och-setup

noinst_PROGRAMS += cloud-init/och-render
cloud_init_och_render_SOURCES = cloud-init/och-render.c
cloud_init_och_render_LDADD = $(OCH_LIBS)

# stand-ins for the openclaw and clawhub commands (tests, och-cloudsim)
EXTRA_DIST += t/bin/openclaw t/bin/clawhub
