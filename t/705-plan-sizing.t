# Plans sized from the measured gateway (bench/openclaw/sizing.env, from
# bench/openclaw/measure.sh; bench/README.md has the runs): every seeded
# plan, and the server type it gets in each location (the simulator's
# Hetzner catalogue), has at least twice the measured idle memory of the
# gateway with its helpers and plugins; och-setup's swap rule gives each
# plan the swap docs/operator.md names (the rule run through `och-setup
# check`, nothing swapped on here).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
my $dir = $t->dir;
my $setup = $t->src('cloud-init/och-setup');

my %m;
open my $fh, '<', $t->src('bench/openclaw/sizing.env') or die "sizing.env: $!";
while (<$fh>) { $m{$1} = $2 if /^([A-Z_]+)=(\d+)\s*(?:#.*)?$/ }
close $fh;
ok($m{IDLE_RSS_MB} && $m{IDLE_RSS_MB} > 500, "the measured idle memory: $m{IDLE_RSS_MB} MB");
my $min = 2 * $m{IDLE_RSS_MB};

# swap_mb=N from `och-setup check` for a plan of mem MB
sub swap_of {
	my ($mem) = @_;
	open my $o, '>', "$dir/vps.env" or die;
	print $o "OCH_FQDN=a.example\nOCH_OPENCLAW_VERSION=2026.9.6\nOCH_MEMORY_MB=$mem\n";
	close $o;
	my $out = `OCH_VPS_ENV='$dir/vps.env' OCH_SETUP_LOG='$dir/setup.log' bash '$setup' check 2>/dev/null`;
	return $? == 0 && $out =~ /^swap_mb=(\d+)$/m ? $1 : undef;
}

# the rule at its edges: swap tops the RAM up to 6 GiB, never more than the RAM
for my $c ([1024, 1024], [2048, 2048], [3072, 3072], [4096, 2048], [5120, 1024], [6143, 1], [6144, 0], [65536, 0]) {
	is(swap_of($c->[0]), $c->[1], "swap rule: $c->[0] MB of RAM -> $c->[1] MB of swap");
}

my %types = map { $_->{name} => $_ }
    @{ $t->http(GET => $t->sim_url . '/hetzner/v1/server_types?per_page=50',
	headers => { Authorization => 'Bearer ' . $OCH::Stack::SIM{hetzner_token} })->{json}{server_types} };
ok(scalar(keys %types) >= 4, 'the server types of the catalogue');
my %want_swap = (starter => 2048, professional => 0, enterprise => 0);
my @plans = $t->psql('SELECT name, memory_mb, server_type FROM plans WHERE active ORDER BY sort');
is_deeply([ map { $_->[0] } @plans ], [qw(starter professional enterprise)], 'the seeded plans');
for my $p (@plans) {
	my ($name, $mem, $type) = @$p;
	cmp_ok($mem, '>=', $min, "$name: $mem MB of RAM, at least twice the measured idle $m{IDLE_RSS_MB} MB");
	is(swap_of($mem), $want_swap{$name}, "$name: och-setup makes $want_swap{$name} MB of swap");
	my @where = ($type, map { $_->[0] }
	    $t->psql("SELECT server_type FROM plan_server_types WHERE plan = :'p' ORDER BY location", p => $name));
	for my $st (@where) {
		my $ty = $types{$st};
		ok($ty && $ty->{memory} * 1024 >= $mem, "$name on $st: the server has the plan's RAM ("
		    . ($ty ? $ty->{memory} : '?') . ' GB)');
	}
}
$t->done_testing;
