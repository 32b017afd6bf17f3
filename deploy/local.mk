# deploy/: what an operator installs next to the binaries.
deploydir = $(pkgdatadir)/deploy
dist_deploy_DATA = %D%/och.conf.example %D%/openclawhost-fcgi@.service
dist_deploy_DATA += %D%/och-poller.cron
promdir = $(pkgdatadir)/deploy/prometheus
dist_prom_DATA = %D%/prometheus/och-scrape.yml %D%/prometheus/och-rules.yml

# och-install: a fresh Debian host to a running control plane (or an
# upgrade in place); @PREFIX@ becomes the configured prefix
sbin_SCRIPTS = deploy/och-install
EXTRA_DIST += %D%/och-install.in
CLEANFILES += deploy/och-install
deploy/och-install: $(srcdir)/deploy/och-install.in Makefile
	@$(MKDIR_P) deploy
	$(AM_V_GEN)sed -e 's|@PREFIX[@]|$(prefix)|g' $(srcdir)/deploy/och-install.in >$@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@

# the dashboard, when it has been built (npm run build in webapp/)
install-data-local:
	@if [ -f $(srcdir)/webapp/dist/index.html ]; then \
	  $(MKDIR_P) $(DESTDIR)$(pkgdatadir)/www && \
	  cp -R $(srcdir)/webapp/dist/. $(DESTDIR)$(pkgdatadir)/www/; \
	fi
