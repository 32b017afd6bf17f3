# The manual pages: they render without groff warnings, and each lists
# what its program really has — every ochctl command (from ochctl's own
# usage), every och-cloudsim option (from its getopt table), every poller
# mode, and every configuration key of lib/cfg.c in och.conf(5) (which is
# generated from deploy/och.conf.example).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
my $b = OCH::Stack::builddir();
sub slurp { local (@ARGV, $/) = @_; <> }

my %page = (
	'ochctl.8' => $t->src('man/ochctl.8'),
	'och-poller.8' => $t->src('man/och-poller.8'),
	'och-cloudsim.1' => $t->src('man/och-cloudsim.1'),
	'och.conf.5' => "$b/man/och.conf.5",
);
for my $name (sort keys %page) {
	ok(-s $page{$name}, "$name exists") or next;
	my $out = $t->_capture([ 'groff', '-mandoc', '-Tutf8', '-ww', '-z', $page{$name} ], \my $err);
	is($?, 0, "$name: groff renders it");
	is($err, '', "$name: no groff warnings") or diag($err);
}

# ochctl: every command its usage names is in the page
my $usage = '';
$t->_capture([ $t->bin('tools/ochctl') ], \$usage);
my %cmds = map { $_ => 1 } $usage =~ /ochctl ([a-z][a-z-]*)/g;
ok(keys %cmds >= 8, 'ochctl usage lists its commands') or diag($usage);
my $man = slurp($page{'ochctl.8'});
like($man, qr/^\.Cm \Q$_\E\b/m, "ochctl.8 documents '$_'") for sort keys %cmds;

# och-cloudsim: every long option of the getopt table
my $main = slurp($t->src('sim/main.c'));
my @opts = $main =~ /\{ "([a-z][a-z-]+)", (?:required|no)_argument/g;
ok(@opts >= 20, 'och-cloudsim options found');
$man = slurp($page{'och-cloudsim.1'});
like($man, qr/^\.It Fl -\Q$_\E\b/m, "och-cloudsim.1 documents --$_") for @opts;

# och-poller: every mode its usage names
$t->_capture([ $t->bin('poller/och-poller') ], \$usage);
my ($modes) = $usage =~ /och-poller ([a-z|]+)/;
ok($modes, 'och-poller usage names its modes');
$man = slurp($page{'och-poller.8'});
like($man, qr/^\.It Cm \Q$_\E$/m, "och-poller.8 documents '$_'") for split /\|/, $modes // '';

# och.conf(5): every key of the configuration table
my $cfg = slurp($t->src('lib/cfg.c'));
my @keys = $cfg =~ /^\t\{ "([A-Z][A-Z0-9_]+)", K_/mg;
ok(@keys >= 30, 'configuration keys found in lib/cfg.c');
$man = slurp($page{'och.conf.5'});
like($man, qr/^\.It Ev \Q$_\E$/m, "och.conf.5 documents $_") for @keys;
$t->done_testing;
