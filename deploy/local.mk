# deploy/: what an operator installs next to the binaries.
deploydir = $(pkgdatadir)/deploy
dist_deploy_DATA = %D%/och.conf.example %D%/openclawhost-fcgi@.service
dist_deploy_DATA += %D%/och-poller.cron
promdir = $(pkgdatadir)/deploy/prometheus
dist_prom_DATA = %D%/prometheus/och-scrape.yml %D%/prometheus/och-rules.yml
