#!/usr/bin/perl
# bench/provision: orders through the signed API, provisioned by
# och-poller against och-cloudsim, in three rounds in one invocation:
#   1. ORDERS orders from one client as fast as it signs them, while
#      POLLERS provision pollers run, every simulated provider delay at
#      zero: orders/s (first order to last active), Hetzner and
#      Cloudflare requests per order, order -> creating and -> active
#      p50/p99;
#   2. the same ORDERS queued first, then the pollers started: how fast
#      the pollers work through a backlog (the client is not the limit);
#   3. a quarter as many orders with a fixed simulated provider latency
#      (create action 0.5 s + boot 1.0 s): order -> active minus that
#      latency is what the orchestration adds (the goal: under 1 s).
#   OCH_BUILDDIR=build perl -It/lib bench/provision/run.pl [orders] [pollers]
use strict;
use warnings;
use OCH::Stack;
use Time::HiRes qw(time sleep);

my $orders = shift // 200;
my $pollers = shift // 2;

sub pct {
	my ($p, @v) = @_;
	@v = sort { $a <=> $b } @v;
	return 0 unless @v;
	my $i = int($p / 100 * $#v + 0.5);
	return $v[$i];
}

sub round {
	my ($n, $backlog, @delays) = @_;
	my %d = @delays;
	my $s = OCH::Stack->new;
	$s->start_pg;
	my $sim = $s->start_sim('--boot-delay', $d{boot}, '--create-delay', $d{create},
	    '--action-delay', '0', '--resend-rate', '10000', '--rate-limit', '360000');
	$s->start_api(binaries => [qw(health instances agent)], config => { BOOT_TIMEOUT => 600 });
	$s->api_client;
	my $start = sub {
		for my $i (1 .. $pollers) {
			$s->spawn(name => "poller$i", cmd => [ $s->bin('poller/och-poller'), 'provision' ],
			    env => { $s->env, POLLER_RUN_SECONDS => 600 });
		}
	};
	unless ($backlog) {
		$start->();
		sleep 0.5;
	}
	$s->http(DELETE => "$sim/_sim/stats");
	my $t0 = time;
	for my $k (1 .. $n) {
		my $r = $s->signed(POST => '/api/v1/instances', { whmcs_service_id => $k,
		    whmcs_client_id => $k, email => "bench$k\@example.test", plan => 'starter',
		    region => 'eu-helsinki' });
		die "order $k: $r->{status} $r->{content}\n" unless $r->{status} == 201;
	}
	my $placed = time - $t0;
	if ($backlog) {
		$t0 = time;
		$start->();
	}
	my $deadline = time + 600;
	while (time < $deadline) {
		last if $s->psql_one(q{SELECT count(*) FROM instances WHERE state = 'active'}) == $n;
		sleep 0.05;
	}
	my $done = time - $t0;
	my $active = $s->psql_one(q{SELECT count(*) FROM instances WHERE state = 'active'});
	my @lat = map { $_->[0] } $s->psql(q{SELECT extract(epoch FROM active_at - created_at) FROM instances
	    WHERE active_at IS NOT NULL});
	my @pick = map { $_->[0] } $s->psql(q{SELECT extract(epoch FROM c.at - o.at) FROM instance_events o
	    JOIN instance_events c ON c.instance_id = o.instance_id AND c.kind = 'state.creating'
	    WHERE o.kind = 'order.created'});
	my $st = $s->http(GET => "$sim/_sim/stats")->{json};
	my %req;
	for my $svc (qw(hetzner cloudflare)) {
		# the fleet's SSH key and firewall (lib/fleetnet.h) are per fleet
		$req{ m{^\S+ /(?:ssh_keys|firewalls)\b} ? 'fleet' : $svc } += $st->{$svc}{$_}
		    for keys %{ $st->{$svc} // {} };
	}
	$s->stop_all;
	return { n => $n, active => $active, placed => $placed, done => $done,
	    p50 => pct(50, @lat), p99 => pct(99, @lat), pick50 => pct(50, @pick), pick99 => pct(99, @pick),
	    hz => ($req{hetzner} // 0) / $n, cf => ($req{cloudflare} // 0) / $n, fleet => $req{fleet} // 0,
	    hzroutes => $st->{hetzner} };
}

my $a = round($orders, 0, boot => 0, create => 0);
printf "round 1: %d orders, %d pollers, zero provider delays\n", $a->{n}, $pollers;
printf "  all %d active after %.2f s (orders placed in %.2f s): %.1f orders/s\n",
    $a->{active}, $a->{done}, $a->{placed}, $a->{n} / $a->{done};
printf "  Hetzner requests per order %.2f, Cloudflare %.2f (fleet network, per fleet: %d)\n", $a->{hz}, $a->{cf},
    $a->{fleet};
printf "  Hetzner routes: %s\n", join ', ', map { "$_ $a->{hzroutes}{$_}" } sort keys %{ $a->{hzroutes} };
printf "  order -> creating p50 %.3f s p99 %.3f s\n", $a->{pick50}, $a->{pick99};
printf "  order -> active p50 %.3f s p99 %.3f s\n", $a->{p50}, $a->{p99};

my $c = round($orders, 1, boot => 0, create => 0);
printf "round 2: a backlog of %d orders, %d pollers started, zero provider delays\n", $c->{n}, $pollers;
printf "  all %d active %.2f s after the pollers started: %.1f orders/s\n",
    $c->{active}, $c->{done}, $c->{n} / $c->{done};
printf "  Hetzner requests per order %.2f, Cloudflare %.2f (fleet network, per fleet: %d)\n", $c->{hz}, $c->{cf},
    $c->{fleet};

my $n2 = int($orders / 4) || 1;
my $b = round($n2, 0, boot => 1.0, create => 0.5);
printf "round 3: %d orders, provider latency 1.5 s (create 0.5 s + boot 1.0 s)\n", $b->{n};
printf "  all %d active after %.2f s\n", $b->{active}, $b->{done};
printf "  order -> active p50 %.3f s p99 %.3f s; added by the orchestration p50 %.3f s p99 %.3f s\n",
    $b->{p50}, $b->{p99}, $b->{p50} - 1.5, $b->{p99} - 1.5;
printf "  Hetzner requests per order %.2f, Cloudflare %.2f (fleet network, per fleet: %d)\n", $b->{hz}, $b->{cf},
    $b->{fleet};
