#!/usr/bin/perl
# bench/metrics: one `och-poller metrics` cycle over N simulated
# node_exporters (och-cloudsim, basic auth with the password each server
# got on its ready call), repeated C times.  Prints, per cycle, the wall
# time, targets/s, the poller's CPU time (user+sys) and CPU ms per 1,000
# targets, and the rows stored; then the projection against DESIGN §11
# (10,000 targets within one 60 s cycle on one core).
#   OCH_SRCDIR=$PWD OCH_BUILDDIR=$PWD/build perl -It/lib bench/metrics/run.pl [N] [cycles] [concurrency]
use strict;
use warnings;
use OCH::Stack;
use Time::HiRes qw(time sleep);
require "$ENV{OCH_SRCDIR}/sim/testlib.pl";

my $N = shift // 1000;
my $cycles = shift // 3;
my $conc = shift // 500;
my $s = OCH::Stack->new;
$s->start_pg;
start_fast_sim($s, '--rate-limit', '100000000', '--server-limit', '1000000');
my ($api) = fake_api($s, 'fakeapi');	# ready answer: password "ne-secret-pass"

# N servers, booted, exporters up
my $t0 = time;
my %ip;
for my $i (1 .. $N) {
	my $r = create_server($s, name => "bench-$i", user_data => user_data(api => $api,
	    token => sprintf('tok-%06d-0123456789', $i)));
	die "create failed: $r->{status}\n" unless $r->{status} == 201;
	$ip{$i} = $r->{json}{server}{public_net}{ipv4}{ip};
}
$s->wait_for(sub { simctl($s, 'GET', '/health')->{ready_ok} == $N }, timeout => 300)
    or die "not all servers booted\n";
printf "%d simulated servers up in %.1f s\n", $N, time - $t0;

# N active instances with their sealed passwords
my $uid = $s->psql_one(q{INSERT INTO users (email) VALUES ('bench@example.test') RETURNING id});
my $sql = "INSERT INTO instances (slug, user_id, plan, region, state, ipv4) VALUES\n"
    . join(",\n", map { sprintf "('bench-%06d', %d, 'starter', 'eu-helsinki', 'active', '%s')", $_, $uid, $ip{$_} } 1 .. $N);
$s->psql($sql);
my @ids = map { $_->[0] } $s->psql(q{SELECT id FROM instances ORDER BY slug});
open my $fh, '>', $s->dir . '/secrets.sql' or die $!;
for my $id (@ids) {
	my $v = $s->seal("instance_secrets:$id:node_exporter_password", 'ne-secret-pass');
	print $fh "INSERT INTO instance_secrets (instance_id, name, value_enc) VALUES ('$id', 'node_exporter_password', '$v'::bytea);\n";
}
close $fh;
system("$s->{pg_bindir}/psql -X -q -h '$s->{pgdir}' -U och -d och -f '" . $s->dir . "/secrets.sql'") == 0
    or die "secrets insert failed\n";
$s->write_config(METRICS_CONCURRENCY => $conc);

my $log = $s->dir . '/poller-metrics.log';
my @res;
for my $c (1 .. $cycles) {
	my @before = times;
	my $w0 = time;
	my $pid = fork // die;
	if (!$pid) {
		open STDOUT, '>>', $log; open STDERR, '>&', \*STDOUT;
		%ENV = (%ENV, $s->env);
		exec $s->bin('poller/och-poller'), 'metrics' or exit 127;
	}
	waitpid($pid, 0);
	my $rc = $? >> 8;
	my $wall = time - $w0;
	my @after = times;
	my $cpu = ($after[2] - $before[2]) + ($after[3] - $before[3]);
	open my $lf, '<', $log or die;
	my ($sum) = (grep { /metrics: \d+ targets/ } <$lf>)[-1];
	close $lf;
	my ($tg, $up, $rows, $ms) = $sum =~ /(\d+) targets, (\d+) up, \d+ down, (\d+) rows stored in (\d+) ms/;
	push @res, { wall => $wall, cpu => $cpu, up => $up, rows => $rows, ms => $ms };
	printf "cycle %d: exit %d, %d targets, %d up, %d rows, %d ms (poller's own clock), %.0f targets/s, CPU %.2f s = %.0f ms per 1,000 targets\n",
	    $c, $rc, $tg, $up, $rows, $ms, $tg / ($ms / 1000 || 1), $cpu, 1e6 * $cpu / $N;
	sleep 1.1;	# cpu_util needs a second between cycles
}
my ($best) = sort { $a->{ms} <=> $b->{ms} } @res;
my $cpu_per_1k = (sort { $a <=> $b } map { $_->{cpu} / $N * 1000 } @res)[int(@res / 2)];
printf "best cycle: %d ms for %d targets (%.0f targets/s); median CPU %.2f s per 1,000 targets\n",
    $best->{ms}, $N, $N / ($best->{ms} / 1000), $cpu_per_1k;
printf "projection: 10,000 targets need %.1f s of poller CPU per cycle (budget: 60 s on one core)\n",
    $cpu_per_1k * 10;
print "rows in metrics: ", $s->psql_one('SELECT count(*) FROM metrics'), "\n";
$s->stop_all;
