# `./configure --disable-sim` builds the product without the simulator
# (issue 12): a fresh out-of-tree build configured that way says so in its
# summary, builds every FastCGI binary, the poller and ochctl, builds no
# och-cloudsim, and no binary it built needs libmicrohttpd, libyaml or
# libxcrypt (the simulator's libraries), so a production host need not
# install them.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use File::Path qw(make_path);

my $t = OCH::Test->new;
my $src = $ENV{OCH_SRCDIR};
my $b = $t->dir . '/build';
make_path($b);
ok(-x "$src/configure", 'the source tree is configured (autoreconf ran)') or BAIL_OUT('no configure');

sub sh_in {	# run a shell command in the build folder, output to a log
	my ($log, $cmd) = @_;
	my $rc = system('sh', '-c', "cd '$b' && $cmd >'$b/$log' 2>&1");
	open my $fh, '<', "$b/$log" or die "$log: $!";
	local $/;
	return ($rc == 0, scalar <$fh> // '');
}
my ($ok, $out) = sh_in('configure.log', "'$src/configure' --disable-sim");
ok($ok, 'configure --disable-sim') or diag(substr($out, -2000));
like($out, qr/^\s*simulator:\s+no\s*$/m, 'its summary says the simulator is not built');
($ok, $out) = sh_in('make.log', 'make -j2 all');
ok($ok, 'make all') or diag(substr($out, -3000));

my @bins = ((glob "$b/cgi-bin/*.fcgi"), "$b/poller/och-poller", "$b/tools/ochctl");
cmp_ok(scalar(grep { -x $_ } @bins), '>=', 8, 'the FastCGI binaries, the poller and ochctl are built')
    or diag join ' ', @bins;
ok(!-e "$b/sim/och-cloudsim", 'och-cloudsim is not');
for my $bin (grep { -x $_ } @bins) {
	my $needed = join ' ', `readelf -d '$bin' 2>/dev/null` =~ /\(NEEDED\).*\[(\S+)\]/g;
	like($needed, qr/libpq/, "$bin: readelf lists its libraries") if $bin eq $bins[0];
	unlike($needed, qr/libmicrohttpd|libyaml|libcrypt\.so/, "$bin needs none of the simulator's libraries");
}

$t->done_testing;
