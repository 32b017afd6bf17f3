# fuzz/: libFuzzer harnesses, one per parser that meets outside input.
# Built only in a tree configured with CC=clang --enable-fuzzing, by
# `make fuzz` (the library and the harnesses; nothing else), and run by
# t/015-fuzz.t over the seed corpora in fuzz/corpus/<harness>/ and the
# regression inputs in fuzz/regress/<harness>/.  See fuzz/README.md.
FUZZ_HARNESSES = json-body query session hmac prom tpl cfg hetzner cloudflare resend whmcs headers
EXTRA_DIST += fuzz/README.md fuzz/fuzz.h fuzz/prov.h fuzz/corpus fuzz/regress
if FUZZING
FUZZ_PROGS =
FUZZ_PROGS += fuzz/fuzz-json-body
FUZZ_PROGS += fuzz/fuzz-query
FUZZ_PROGS += fuzz/fuzz-session
FUZZ_PROGS += fuzz/fuzz-hmac
FUZZ_PROGS += fuzz/fuzz-prom
FUZZ_PROGS += fuzz/fuzz-tpl
FUZZ_PROGS += fuzz/fuzz-cfg
FUZZ_PROGS += fuzz/fuzz-hetzner
FUZZ_PROGS += fuzz/fuzz-cloudflare
FUZZ_PROGS += fuzz/fuzz-resend
FUZZ_PROGS += fuzz/fuzz-whmcs
FUZZ_PROGS += fuzz/fuzz-headers
noinst_PROGRAMS += $(FUZZ_PROGS)
fuzz_fuzz_json_body_SOURCES = fuzz/json-body.c fuzz/fuzz.h
fuzz_fuzz_json_body_LDADD = $(OCH_LIBS)
fuzz_fuzz_json_body_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_query_SOURCES = fuzz/query.c fuzz/fuzz.h
fuzz_fuzz_query_LDADD = $(OCH_LIBS)
fuzz_fuzz_query_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_session_SOURCES = fuzz/session.c fuzz/fuzz.h
fuzz_fuzz_session_LDADD = $(OCH_LIBS)
fuzz_fuzz_session_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_hmac_SOURCES = fuzz/hmac.c fuzz/fuzz.h
fuzz_fuzz_hmac_LDADD = $(OCH_LIBS)
fuzz_fuzz_hmac_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_prom_SOURCES = fuzz/prom.c fuzz/fuzz.h
fuzz_fuzz_prom_LDADD = $(OCH_LIBS)
fuzz_fuzz_prom_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_tpl_SOURCES = fuzz/tpl.c fuzz/fuzz.h
fuzz_fuzz_tpl_LDADD = $(OCH_LIBS)
fuzz_fuzz_tpl_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_cfg_SOURCES = fuzz/cfg.c fuzz/fuzz.h
fuzz_fuzz_cfg_LDADD = $(OCH_LIBS)
fuzz_fuzz_cfg_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_hetzner_SOURCES = fuzz/hetzner.c fuzz/fuzz.h fuzz/prov.h
fuzz_fuzz_hetzner_LDADD = $(OCH_LIBS)
fuzz_fuzz_hetzner_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_cloudflare_SOURCES = fuzz/cloudflare.c fuzz/fuzz.h fuzz/prov.h
fuzz_fuzz_cloudflare_LDADD = $(OCH_LIBS)
fuzz_fuzz_cloudflare_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_resend_SOURCES = fuzz/resend.c fuzz/fuzz.h fuzz/prov.h
fuzz_fuzz_resend_LDADD = $(OCH_LIBS)
fuzz_fuzz_resend_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_whmcs_SOURCES = fuzz/whmcs.c fuzz/fuzz.h fuzz/prov.h
fuzz_fuzz_whmcs_LDADD = $(OCH_LIBS)
fuzz_fuzz_whmcs_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_headers_SOURCES = fuzz/headers.c fuzz/fuzz.h
fuzz_fuzz_headers_LDADD = $(OCH_LIBS)
fuzz_fuzz_headers_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz: $(FUZZ_PROGS)
else
fuzz:
	@echo "make fuzz: configure this tree with CC=clang --enable-fuzzing" >&2; exit 1
endif
.PHONY: fuzz
