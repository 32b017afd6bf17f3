# cgi-bin/: one FastCGI binary per route group.
cgibin_PROGRAMS += cgi-bin/health.fcgi
cgi_bin_health_fcgi_SOURCES = cgi-bin/health.c cgi-bin/health.h \
	cgi-bin/health_metrics.c
cgi_bin_health_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/instances.fcgi
cgi_bin_instances_fcgi_SOURCES = cgi-bin/instances.c
cgi_bin_instances_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/agent.fcgi
cgi_bin_agent_fcgi_SOURCES = cgi-bin/agent.c cgi-bin/agent.h cgi-bin/agent_api.c \
    cgi-bin/agent_status.c \
    cgi-bin/agent_conf.c cgi-bin/agent_pool.c
cgi_bin_agent_fcgi_LDADD = $(OCH_LIBS) -lpthread
cgibin_PROGRAMS += cgi-bin/auth.fcgi
cgi_bin_auth_fcgi_SOURCES = cgi-bin/auth.c
cgi_bin_auth_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/settings.fcgi
cgi_bin_settings_fcgi_SOURCES = cgi-bin/settings.c cgi-bin/settings.h \
    cgi-bin/settings_status.c cgi-bin/settings_gateway.c \
    cgi-bin/settings_progress.c cgi-bin/settings_providers.c
cgi_bin_settings_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/webhooks.fcgi
cgi_bin_webhooks_fcgi_SOURCES = cgi-bin/webhooks.c
cgi_bin_webhooks_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/admin.fcgi
cgi_bin_admin_fcgi_SOURCES = cgi-bin/admin.c cgi-bin/admin.h cgi-bin/admin_util.c \
    cgi-bin/admin_fleet.c cgi-bin/admin_skills.c cgi-bin/admin_plans.c \
    cgi-bin/admin_view.c \
    cgi-bin/admin_pool.c
cgi_bin_admin_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/metrics.fcgi
cgi_bin_metrics_fcgi_SOURCES = cgi-bin/metrics.c
cgi_bin_metrics_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/alerts.fcgi
cgi_bin_alerts_fcgi_SOURCES = cgi-bin/alerts.c
cgi_bin_alerts_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/backups.fcgi
cgi_bin_backups_fcgi_SOURCES = cgi-bin/backups.c
cgi_bin_backups_fcgi_LDADD = $(OCH_LIBS)
