# sim: och-cloudsim, the local Hetzner/Cloudflare/Resend/WHMCS stand-in.
# It is self-sufficient: from lib/ it only compiles och.c and log.c.
# Makefile.am includes this file unless ./configure --disable-sim.
bin_PROGRAMS += sim/och-cloudsim
sim_och_cloudsim_SOURCES = \
	sim/main.c \
	sim/util.h sim/util.c \
	sim/loop.h sim/loop.c \
	sim/http.h sim/http.c \
	sim/fault.h sim/fault.c \
	sim/control.h sim/control.c \
	sim/catalog.h sim/catalog.c \
	sim/labels.h sim/labels.c \
	sim/sim_hetzner.h sim/sim_hetzner.c sim/srvaction.c sim/hzlist.c \
	sim/sshkey.h sim/sshkey.c sim/firewall.h sim/firewall.c \
	sim/action.h sim/action.c \
	sim/image.h sim/image.c \
	sim/vm.h sim/vm.c sim/vmimage.c \
	sim/sim_userdata.h sim/sim_userdata.c \
	sim/exporter.h sim/exporter.c sim/exptls.h sim/exptls.c sim/vmtls.c \
	sim/callback.h sim/callback.c \
	sim/sim_agent.h sim/sim_agent.c \
	sim/sim_cloudflare.h sim/sim_cloudflare.c sim/cfenv.h sim/cfenv.c \
	sim/sim_resend.h sim/sim_resend.c \
	sim/sim_whmcs.h sim/sim_whmcs.c \
	lib/och.h lib/och.c \
	lib/log.h lib/log.c
sim_och_cloudsim_CPPFLAGS = $(AM_CPPFLAGS) $(MHD_CFLAGS) $(YAML_CFLAGS) \
	$(XCRYPT_CFLAGS)
sim_och_cloudsim_LDADD = $(MHD_LIBS) $(CJSON_LIBS) $(CURL_LIBS) \
	$(YAML_LIBS) $(XCRYPT_LIBS) $(LIBSSL_LIBS) $(OPENSSL_LIBS) -lm
EXTRA_DIST += sim/README.md \
	sim/clients/package.json sim/clients/package-lock.json sim/clients/check.mjs \
	t/lib/sim/testlib.pl t/lib/sim/fakeapi.pl t/lib/sim/validate.py
