# t/: C unit tests (t/unit/NNN-*.c, TAP on stdout) and Perl tests (t/*.t).
# `make check` builds and runs the C tests; scripts/test.sh runs everything.
# Add a unit test with:
#   check_PROGRAMS += t/unit/NNN-name
#   t_unit_NNN_name_SOURCES = t/unit/NNN-name.c t/unit/tap.h
#   t_unit_NNN_name_LDADD = $(OCH_LIBS)
TESTS = $(check_PROGRAMS)
EXTRA_DIST += t/unit/tap.h
