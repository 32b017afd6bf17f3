# cgi-bin/: one FastCGI binary per route group.
cgibin_PROGRAMS += cgi-bin/health.fcgi
cgi_bin_health_fcgi_SOURCES = cgi-bin/health.c
cgi_bin_health_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/instances.fcgi
cgi_bin_instances_fcgi_SOURCES = cgi-bin/instances.c
cgi_bin_instances_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/agent.fcgi
cgi_bin_agent_fcgi_SOURCES = cgi-bin/agent.c cgi-bin/agent.h cgi-bin/agent_api.c
cgi_bin_agent_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/auth.fcgi
cgi_bin_auth_fcgi_SOURCES = cgi-bin/auth.c
cgi_bin_auth_fcgi_LDADD = $(OCH_LIBS)
cgibin_PROGRAMS += cgi-bin/settings.fcgi
cgi_bin_settings_fcgi_SOURCES = cgi-bin/settings.c
cgi_bin_settings_fcgi_LDADD = $(OCH_LIBS)
