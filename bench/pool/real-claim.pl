#!/usr/bin/perl
# bench/pool/real-claim: a warm pool order on the REAL OpenClaw gateway
# (the pinned package scripts/openclaw-deps.sh installs, Node 24, no
# network, no channel plugin), the claim t/737 runs: PostgreSQL, nginx,
# the FastCGI binaries, och-poller provision with a pool target of 1, and
# cloud-init/och-agent on the pool server (och-cloudsim's agent mode) with
# the gateway in the state och-setup leaves at first boot on a pre-built
# image (the image's onboarded state, the first boot's env file with a
# throwaway token, started on it).  The pool fills under
# the simulator's fast default profile; the order runs under its hetzner
# profile (sim/README.md), as bench/pool/run.pl's warm order does, but
# with the real agent's claim in place of the profile's `claim` delay.
# Prints, from the order: the claim, the ready call (active), the
# instance's gateway token accepted by the gateway (polled on its admin
# RPC `health` with the token the dashboard reveals), the agent's
# "config revision applied", the customer's "gateway ready" step and the
# full report that follows the first, quick one;
# the agent's log lines from the claim on; and the Hetzner requests
# between the order and gateway ready.  About 2-3 minutes.
#   OCH_BUILDDIR=build perl -It/lib bench/pool/real-claim.pl
use strict;
use warnings;
use OCH::Stack;
use OCH::OpenClaw;
use File::Path ();
use JSON::PP;
use Time::HiRes qw(time sleep);

sub slurp { my ($f) = @_; open my $fh, '<', $f or return undef; local $/; <$fh> }
my $s = OCH::Stack->new;
my $oc = OCH::OpenClaw->new($s);
die 'scripts/openclaw-deps.sh: ' . $oc->error . "\n" unless $oc->ok;
END { $oc->unit('stop') if $oc && $oc->ok && -d $s->dir }
$s->start_pg;
my $sim;
{
	local %ENV = (%ENV, $oc->agent_env, OCH_CLAWHUB_BIN => $s->src('t/bin/clawhub'),
	    OCH_READY_TIMEOUT => 900);
	$sim = $s->start_sim('--agent', $s->src('cloud-init/och-agent'), '--resend-rate', '10000',
	    '--rate-limit', '360000');
}
$s->start_api(binaries => [qw(health instances agent auth settings)], config => { BOOT_TIMEOUT => 900 });
$s->api_client;
sub one { $s->psql_one(@_) }
$s->psql("INSERT INTO pool_targets (plan, region, target, monthly_cents) VALUES ('starter', 'eu-helsinki', 1, 500)");
$s->spawn(name => 'poller', cmd => [ $s->bin('poller/och-poller'), 'provision' ],
    env => { $s->env, POLLER_RUN_SECONDS => 1800 });
$s->wait_for(sub { one("SELECT count(*) FROM pool_servers WHERE state = 'ready'") == 1 }, timeout => 300)
    or die "the pool did not fill\n";
my $sid = one("SELECT hetzner_server_id FROM pool_servers WHERE state = 'ready'");
my $adir = $s->http(GET => "$sim/_sim/servers/$sid")->{json}{agent}{dir} // die "no agent folder\n";
my ($fqdn) = (slurp("$adir/root/etc/och/vps.env") // '') =~ /^OCH_FQDN=(\S+)$/m or die "no FQDN\n";

# the pool server's first boot: och-setup's gateway state, then the start
my $t0 = time;
my ($rc, $out) = $oc->prebuilt_first_boot($fqdn);
die "first boot: $out\n" if $rc;
my $t1 = time;
$oc->unit('start');
$s->wait_for(sub { $oc->ready }, timeout => 900, interval => 0.2) or die "the gateway did not start\n";
printf "pool server's gateway: the image's state and the first boot's part %.1f s, start to /readyz %.1f s\n", $t1 - $t0,
    time - $t1;
my ($tw) = (slurp("$oc->{state}/.env") // '') =~ /^OPENCLAW_GATEWAY_TOKEN=(\S+)$/m;
my $lat = $s->sim_latency(profile => 'hetzner');
sleep 2;	# the pool server polls on, under the new profile

printf "load: %s", `uptime`;
printf "profile: %s\n", join(' ', map { "$_=$lat->{$_}" } sort keys %$lat);
$s->http(DELETE => "$sim/_sim/stats");
my $order = time;
my $r = $s->signed(POST => '/api/v1/instances', { whmcs_service_id => 1, whmcs_client_id => 1,
    email => 'real-claim@example.test', plan => 'starter', region => 'eu-helsinki' });
die "order: $r->{status} $r->{content}\n" unless $r->{status} == 201;
my $id = $r->{json}{id};
# the certificate step's file (certbot cannot run here), as t/737
open my $tf, '>', "$adir/tls.json" or die;
print $tf qq({"mode":"letsencrypt"}\n);
close $tf;
# the token the customer's dashboard reveals, polled on the gateway
# (once the instance has it: from its ready call on)
my $me = $s->sso_session($id);
my ($tok, $shown, $live);
$s->wait_for(sub {
	$tok //= $s->http(POST => "/api/v1/instances/$id/gateway-token", headers => $me)->{json}{token};
	return 0 unless $tok;
	$shown //= time;
	my ($c) = $oc->rpc('health', $tok);
	$live = time if $c == 200;
	$live }, timeout => 900, interval => 0.1) or die "the gateway never took the instance's token\n";
my ($c) = $oc->rpc('health', $tw);
my $prog;
$s->wait_for(sub { $prog = $s->http(GET => "/api/v1/instances/$id/progress", headers => $me)->{json};
    $prog && $prog->{done} }, timeout => 900, interval => 0.2) or die "never gateway ready\n";
my $h = $s->http(GET => "$sim/_sim/stats")->{json}{hetzner} // {};
my $refill = $h->{'POST /servers'} // 0;
my $n = 0;
$n += $_ for values %$h;
my $created = one("SELECT extract(epoch FROM created_at) FROM instances WHERE id = :'i'", i => $id);
sub ev { one("SELECT extract(epoch FROM min(at)) - :'c' FROM instance_events WHERE instance_id = :'i' AND kind = :'k'",
    c => $created, i => $id, k => $_[0]) }
my %st = map { $_->{step} => $_->{elapsed_s} } @{ $prog->{steps} };
printf "order -> claimed (pool.claimed) %.1f s\n", ev('pool.claimed');
printf "order -> active (the agent's ready call) %.1f s\n", ev('state.active');
printf "order -> the dashboard reveals the instance's gateway token %.1f s\n", $shown - $order;
printf "order -> the instance's gateway token accepted by the gateway %.1f s (the throwaway one then: HTTP %s)\n",
    $live - $order, $c;
printf "order -> the customer's steps: %s\n", join(', ', map { "$_->{step} $_->{elapsed_s} s" } @{ $prog->{steps} });
printf "Hetzner requests from the order to gateway ready: %d on its path (%s); the refill: %d POST /servers\n",
    $n - $refill, join(', ', map { "$_ $h->{$_}" } sort keys %$h), $refill;
# the full report (the CLI's parts: channels, usage, models) after the
# first, quick one: the next report
my $rep = sub { one("SELECT extract(epoch FROM reported_at) FROM agent_reports WHERE instance_id = :'i'", i => $id) };
my $first = $rep->();
my $full = $s->wait_for(sub { my $x = $rep->(); $x > $first && $x }, timeout => 900, interval => 0.5);
printf "order -> the first report %.1f s, the full one after it (the CLI's channels, pairing, usage, models) %s\n",
    $first - $created, $full ? sprintf('%.1f s', $full - $created) : 'never';
# the agent's side, from the claim (its log has whole seconds)
my @l = split /\n/, slurp("$adir/agent.log") // '';
my ($i) = grep { $l[$_] =~ /pool: claimed by an order/ } 0 .. $#l;
print "agent log from the claim:\n", map { "  $_\n" } @l[ ($i // 0) .. $#l ];
printf "load at the end: %s", `uptime`;
$oc->unit('stop');
$s->stop_all;
# (left for a look when the run died)
File::Path::remove_tree($s->dir);
