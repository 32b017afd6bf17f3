nginxdir = $(pkgdatadir)/nginx
dist_nginx_DATA = %D%/och-site.conf.in %D%/och-fastcgi.conf %D%/nginx.conf.in \
	%D%/och-realip.conf %D%/och-metrics-allow.conf %D%/och-tls.conf
