# `make install` puts binaries, schema, nginx and deploy files where an
# operator expects them (into a DESTDIR here).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
my $dest = $t->dir . '/root';
my $out = $t->_capture([ 'make', '-s', '-C', OCH::Stack::builddir(), 'install', "DESTDIR=$dest" ], \my $err);
is($?, 0, 'make install succeeds') or diag($err);
chomp(my $prefix = `sed -n 's/^prefix = //p' '@{[ OCH::Stack::builddir() ]}/Makefile'`);
my $root = "$dest$prefix";
ok(-x "$root/sbin/ochctl", 'ochctl in sbin');
ok(-x "$root/libexec/openclawhost/$_.fcgi", "$_.fcgi in libexec/openclawhost") for qw(health instances agent);
ok(-f "$root/share/openclawhost/schema/001_core.sql", 'schema files');
# och-install enables and starts one unit per FastCGI binary: its list
# must name every binary make install put in libexec (backups.fcgi was
# once left out, and an installed host served no backup route)
my @inst = sort map { m{/([^/]+)\.fcgi$} } glob "$root/libexec/openclawhost/*.fcgi";
my ($list) = `cat '@{[ $t->src('deploy/och-install.in') ]}'` =~ /^BINARIES="([^"]*)"/m;
is(join(' ', sort split ' ', $list // ''), join(' ', @inst),
    "och-install's BINARIES names every installed FastCGI binary (@{[ scalar @inst ]})");
ok(-f "$root/share/openclawhost/nginx/och-site.conf.in", 'nginx site template');
ok(-f "$root/share/openclawhost/deploy/och.conf.example", 'example config');
ok(-f "$root/share/man/$_", "man page $_") for qw(man8/ochctl.8 man8/och-poller.8 man1/och-cloudsim.1 man5/och.conf.5);
ok(!-e "$root/libexec/openclawhost/echo.fcgi" && !glob("$root/*/*echo*"), 'test binaries are not installed');
$t->done_testing;
