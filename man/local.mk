# man/: the operator's manual pages.  och.conf(5) lists its keys from
# deploy/och.conf.example, the one documented home of every key.
dist_man_MANS = %D%/ochctl.8 %D%/och-poller.8
man_MANS =
if SIM
man_MANS += %D%/och-cloudsim.1
endif
EXTRA_DIST += %D%/och-cloudsim.1
nodist_man_MANS = %D%/och.conf.5
EXTRA_DIST += %D%/och.conf.5.in %D%/conf2man.awk
CLEANFILES += %D%/och.conf.5

%D%/och.conf.5: $(srcdir)/%D%/och.conf.5.in $(srcdir)/%D%/conf2man.awk \
		$(srcdir)/deploy/och.conf.example
	@$(MKDIR_P) %D%
	$(AM_V_GEN)$(AWK) -f $(srcdir)/%D%/conf2man.awk \
	    $(srcdir)/deploy/och.conf.example >$@.keys && \
	sed -e '/^@KEYS@$$/{r $@.keys' -e 'd;}' \
	    $(srcdir)/%D%/och.conf.5.in >$@.tmp && \
	rm -f $@.keys && mv $@.tmp $@
