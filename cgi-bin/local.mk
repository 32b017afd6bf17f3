# cgi-bin/: one FastCGI binary per route group.
cgibin_PROGRAMS += cgi-bin/health.fcgi
cgi_bin_health_fcgi_SOURCES = cgi-bin/health.c
cgi_bin_health_fcgi_LDADD = $(OCH_LIBS)
