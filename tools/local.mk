# tools/: ochctl, the operator's command line.
sbin_PROGRAMS += tools/ochctl
tools_ochctl_SOURCES = tools/ochctl.c tools/ochctl.h tools/ctl_more.c
tools_ochctl_LDADD = $(OCH_LIBS)
tools_ochctl_SOURCES += tools/ctl_instances.c
tools_ochctl_SOURCES += tools/ctl_secret.c
tools_ochctl_SOURCES += tools/ctl_userdata.c
tools_ochctl_SOURCES += tools/ctl_rotate.c
tools_ochctl_SOURCES += tools/ctl_dbbackup.c
