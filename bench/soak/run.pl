#!/usr/bin/perl
# bench/soak: mixed traffic at a fixed rate for a long time against the
# whole control plane, then a connection-exhaustion phase, then a quiet
# tail; not part of the suite.  Starts PostgreSQL, och-cloudsim, every
# customer-facing FastCGI binary (-n workers) behind nginx with the
# shipped config, `och-poller provision` for the whole run and one
# `och-poller metrics` cycle a minute; orders C customers through the
# WHMCS API (HMAC), logs each in through WHMCS SSO, makes each instance's
# agent ready, then drives bench/soak/load.mjs:
#   steady      RATE req/s: dashboard reads (me, instance, metrics,
#               channels), WHMCS lookups and pings, agent config fetches
#               and reports, health, an order every 2 s; one long poll
#               per agent all the time;
#   exhaustion  the same, plus SLOW slow clients trickling headers (and
#               reconnecting when dropped) and POLLS extra long polls;
#   after       the mix alone again: does everything come back?
# Every 10 s it samples each FastCGI worker's RSS and PostgreSQL's
# connection count; at the end prints per phase and route the count,
# statuses, p50/p99, and the samples' first/last/max.
#   OCH_SRCDIR=$PWD OCH_BUILDDIR=$PWD/build perl -It/lib bench/soak/run.pl \
#       [minutes=30] [rate=1000] [exhaustion-minutes=3] [slow=400] [polls=300]
use strict;
use warnings;
use OCH::Stack;
use OCH::Login qw(session_of sso_login);
use Digest::SHA qw(sha256_hex);
use IO::Select;
use IPC::Open2;
use JSON::PP;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

my $minutes = shift // 30;
my $rate = shift // 1000;
my $xmin = shift // 3;
my $nslow = shift // 400;
my $npolls = shift // 300;
my $customers = $ENV{OCH_SOAK_CUSTOMERS} // 20;
my $workers = $ENV{OCH_SOAK_WORKERS} // 2;
my @bins = qw(health instances auth agent settings metrics);
my $J = JSON::PP->new->canonical(1);

my $s = OCH::Stack->new;
$s->start_pg;
my $sim = $s->start_sim('--boot-delay', '0', '--create-delay', '0', '--action-delay', '0',
    '--rate-limit', '100000000', '--server-limit', '1000000');
my $base = $s->start_api(binaries => \@bins, workers => $workers,
    config => { BOOT_TIMEOUT => 120 });
my $total_s = ($minutes + $xmin + 1) * 60;
$s->spawn(name => 'poller-provision', cmd => [ $s->bin('poller/och-poller'), 'provision' ],
    env => { $s->env, POLLER_RUN_SECONDS => $total_s + 120 });

# customers: ordered through the WHMCS API, signed in through WHMCS SSO
my @cust;
for my $i (1 .. $customers) {
	my $r = $s->signed(POST => '/api/v1/instances', { whmcs_service_id => $i, whmcs_client_id => $i,
	    email => "soak$i\@example.com", plan => 'starter', region => 'eu-helsinki' });
	die "order $i: $r->{status} $r->{content}\n" unless $r->{status} == 201;
	push @cust, { instance => $r->{json}{id}, service => $i };
}
$s->wait_for(sub { $s->psql_one(q{SELECT count(*) FROM instances WHERE state = 'active'}) == $customers },
    timeout => 300) or die "instances not active\n";
for my $c (@cust) {
	my $login = sso_login($s, $c->{instance});
	$c->{cookie} = session_of($login)->{Cookie};
	die "no session cookie: $login->{status}\n" unless $c->{cookie} =~ /_session=[^;]/;
	sleep 0.1;	# the auth location's per-address limit (10 r/s)
}
# agents: a fresh bootstrap token per instance traded at ready, as a
# rebuilt VPS would (the simulated VPS already used its own)
my @agents;
for my $c (@cust) {
	my $boot = join '', map { sprintf '%02x', int rand 256 } 1 .. 32;
	$s->psql("INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at) VALUES (:'h', :'i', now() + interval '1 hour')",
	    h => sha256_hex($boot), i => $c->{instance});
	my $r = $s->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => $boot });
	die "ready: $r->{status} $r->{content}\n" unless $r->{status} == 200 && $r->{json}{agent_token};
	push @agents, { token => $r->{json}{agent_token} };
	sleep 0.2;	# the ready location's per-address limit (5 r/s)
}
my ($key, $secret) = $s->api_client;

# samplers: RSS and private memory of every worker, PostgreSQL
# connections; metrics cycles.  RSS counts the shared libraries' pages a
# worker has touched (libcrypto, libc, libpq...: several MiB, shared by
# every process on the host); a worker's own cost is its private memory
# (Private_Clean + Private_Dirty of /proc/PID/smaps_rollup), and that is
# what the 8 MiB budget holds.
my $BUDGET_KIB = 8 * 1024;
my @samples;
sub private_kib {
	my ($pid) = @_;
	open my $fh, '<', "/proc/$pid/smaps_rollup" or return 0;
	my $kib = 0;
	while (<$fh>) { $kib += $1 if /^Private_(?:Clean|Dirty):\s+(\d+)/ }
	return $kib;
}
sub sample {
	my (%rss, %priv);
	for my $bn (@bins) {
		my $p = $s->proc("$bn.fcgi") or next;
		my @kids = map { /(\d+)/ ? $1 : () } `ps -o pid= --ppid $p->{pid}`;
		$rss{$bn} = [ sort { $a <=> $b } map { (`ps -o rss= -p $_` =~ /(\d+)/)[0] // 0 } @kids ];
		$priv{$bn} = [ sort { $a <=> $b } map { private_kib($_) } @kids ];
	}
	my $pg = $s->psql_one(q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'});
	push @samples, { t => time, rss => \%rss, priv => \%priv, pg => $pg };
}

my $plan = { base => $base, rate => $rate, report => 60, customers => \@cust, agents => \@agents,
    hmac => { key => $key, secret => $secret }, orders_per_s => 0.5, order_base => 100000, max_inflight => 512,
    phases => [ { name => 'steady', seconds => $minutes * 60 },
	{ name => 'exhaustion', seconds => $xmin * 60, slow => $nslow, extra_polls => $npolls },
	{ name => 'after', seconds => 60 } ] };
my ($out, $in);
my $lpid = open2($out, $in, 'node', "$ENV{OCH_SRCDIR}/bench/soak/load.mjs");
print $in $J->encode($plan);
close $in;
printf "soak: %d min at %d req/s, %d customers, %d workers per binary; exhaustion %d min (%d slow clients, %d extra long polls)\n",
    $minutes, $rate, $customers, $workers, $xmin, $nslow, $npolls;
my $t0 = time;
my ($next_sample, $next_metrics) = ($t0, $t0 + 30);
my @phases;
my $sel = IO::Select->new($out);
my $buf = '';
while (1) {
	if ($sel->can_read(1)) {
		my $n = sysread($out, $buf, 65536, length $buf);
		last unless $n;
		while ($buf =~ s/^(.*)\n//) {
			my $l = eval { $J->decode($1) } or next;
			if ($l->{partial}) {
				my ($bad, $n5) = (0, 0);
				for my $r (values %{ $l->{routes} }) {
					$n5 += $r->{status}{$_} for grep { /^5/ } keys %{ $r->{status} };
				}
				printf "  %4.0f s %s: %d requests, %d 5xx\n", $l->{t}, $l->{phase},
				    eval { my $x = 0; $x += $_->{n} for values %{ $l->{routes} }; $x }, $n5;
			} else {
				push @phases, $l;
			}
		}
	}
	my $now = time;
	if ($now >= $next_sample) { sample(); $next_sample += 10 }
	if ($now >= $next_metrics) {
		my $pid = fork // die;
		if (!$pid) {
			open STDOUT, '>>', $s->dir . '/poller-metrics.log'; open STDERR, '>&', \*STDOUT;
			%ENV = (%ENV, $s->env);
			exec $s->bin('poller/och-poller'), 'metrics' or exit 127;
		}
		$next_metrics += 60;
	}
	1 while waitpid(-1, WNOHANG) > 0 && 0;
}
waitpid($lpid, 0);
sample();

for my $p (@phases) {
	print "\n== phase $p->{phase} (to $p->{t} s)\n";
	printf "%-52s %9s %8s %8s %9s  %s\n", 'route', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'statuses';
	for my $r (sort keys %{ $p->{routes} }) {
		my $x = $p->{routes}{$r};
		printf "%-52s %9d %8.1f %8.1f %9.1f  %s\n", $r, $x->{n}, $x->{p50}, $x->{p99}, $x->{max},
		    join(' ', map { "$_:$x->{status}{$_}" } sort keys %{ $x->{status} });
	}
	my ($n, $n5) = (0, 0);
	for my $x (values %{ $p->{routes} }) {
		$n += $x->{n};
		$n5 += $x->{status}{$_} for grep { /^5/ } keys %{ $x->{status} };
	}
	printf "total %d requests (%.0f answered/s), %d 5xx; %d not sent (over %d unanswered); slow clients opened %d, closed by the server %d\n",
	    $n, $p->{answered_per_s} // 0, $n5, $p->{skipped_inflight_cap} // 0, $plan->{max_inflight},
	    $p->{slow_opened} // 0, $p->{slow_closed_by_server} // 0;
}
print "\n== samples every 10 s (first / last / max)\n";
for my $bn (@bins) {
	my @max = map { my $r = $_->{rss}{$bn} // []; @$r ? $r->[-1] : 0 } @samples;
	my @sum = map { my $r = $_->{rss}{$bn} // []; my $x = 0; $x += $_ for @$r; $x } @samples;
	printf "%-10s largest worker RSS KiB %6d / %6d / %6d   all workers %6d / %6d KiB\n", $bn,
	    $max[0], $max[-1], (sort { $b <=> $a } @max)[0], $sum[0], $sum[-1];
}
my @over;
for my $bn (@bins) {
	my @pmax = map { my $r = $_->{priv}{$bn} // []; @$r ? $r->[-1] : 0 } @samples;
	my $peak = (sort { $b <=> $a } @pmax)[0] // 0;
	printf "%-10s largest worker private KiB %6d / %6d / %6d   budget %d KiB: %s\n", $bn,
	    $pmax[0], $pmax[-1], $peak, $BUDGET_KIB, $peak < $BUDGET_KIB ? 'ok' : 'OVER';
	push @over, $bn if $peak >= $BUDGET_KIB;
}
my @pg = map { $_->{pg} } @samples;
printf "PostgreSQL client connections %d / %d / %d\n", $pg[0], $pg[-1], (sort { $b <=> $a } @pg)[0];
printf "orders made during the run: %d, active: %d\n",
    $s->psql_one(q{SELECT count(*) FROM instances WHERE whmcs_service_id >= 100000}),
    $s->psql_one(q{SELECT count(*) FROM instances WHERE whmcs_service_id >= 100000 AND state = 'active'});
print "alive at the end: ", join(' ', map { my $p = $s->proc("$_.fcgi"); "$_=" . ($p && kill(0, $p->{pid}) ? 'yes' : 'NO') } @bins), "\n";
my @bad = $s->log_problems;
print "log problems: ", (@bad ? "\n" . join('', @bad[0 .. ($#bad < 9 ? $#bad : 9)]) : "none\n");
$s->stop_all;
print @over ? "worker memory budget exceeded: @over\n" : "every worker within its memory budget\n";
exit(@over ? 1 : 0);
