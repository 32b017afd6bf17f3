#!/usr/bin/perl
# bench/pool: order -> gateway ready on the three paths, with och-cloudsim
# in its Hetzner-like latency profile (--latency-profile hetzner,
# sim/README.md): a cold order on the bare system image, a cold order on
# the pre-built image (`ochctl image build`, made first under the fast
# default profile: the build is not what is measured), and an order that
# takes a server from the warm pool.  "Gateway ready" is the VPS's ready
# call, which the simulator makes when its modelled first-boot work
# (installs on a bare image, configuration and the gateway's start on a
# pre-built one, the config patch after a claim) is done.  Also counts
# the Hetzner requests on each order's path (/_sim/stats between the
# order and its activation); the pool's refill after a claim is counted
# apart.  About 7 minutes (the bare path alone is ~4).
#   OCH_BUILDDIR=build perl -It/lib bench/pool/run.pl
use strict;
use warnings;
use OCH::Stack;
use Time::HiRes qw(time sleep);

my $s = OCH::Stack->new;
$s->start_pg;
my $sim = $s->start_sim('--resend-rate', '10000', '--rate-limit', '360000');
$s->start_api(binaries => [qw(health instances agent)], config => { BOOT_TIMEOUT => 900,
    OPENCLAW_VERSION => '2026.9.6' });
$s->api_client;
sub one { $s->psql_one(@_) }
sub hz { my $st = $s->http(GET => "$sim/_sim/stats")->{json}{hetzner} // {}; $st }
sub total { my $h = shift; my $n = 0; $n += $_ for values %$h; $n }

# the pre-built image, built fast (not measured), then the Hetzner profile
my ($rc, $out, $err) = $s->ochctl('image', 'build', '--poll', '0.5', '--timeout', '120');
die "image build: $out $err\n" if $rc;
my $img = one("SELECT hetzner_image_id FROM images WHERE state = 'current'");
# professional stays on the bare system image for the cold bare path
$s->psql("UPDATE plans SET image = 'ubuntu-24.04' WHERE name = 'professional'");
my $lat = $s->sim_latency(profile => 'hetzner');	# and HETZNER_CREATE_MS for the poller
$s->spawn(name => 'poller', cmd => [ $s->bin('poller/och-poller'), 'provision' ],
    env => { $s->env, POLLER_RUN_SECONDS => 900 });
sleep 1;

my $svc = 0;
sub order {
	my ($plan, $region, $label) = @_;
	$s->http(DELETE => "$sim/_sim/stats");
	$svc++;
	my $t0 = time;
	my $r = $s->signed(POST => '/api/v1/instances', { whmcs_service_id => $svc, whmcs_client_id => $svc,
	    email => "pool$svc\@example.test", plan => $plan, region => $region });
	die "order: $r->{status} $r->{content}\n" unless $r->{status} == 201;
	my $id = $r->{json}{id};
	$s->wait_for(sub { one("SELECT state FROM instances WHERE id = :'i'", i => $id) eq 'active' },
	    timeout => 900) or die "$label: not active\n";
	my $el = time - $t0;
	my $h = hz();
	eval { where_time($id, $label); 1 } or print "   (where the time went: $@)";
	my $refill = $h->{'POST /servers'} // 0;
	$refill = 0 if $label !~ /warm/;
	my $path = total($h) - $refill;
	printf "%-22s order -> gateway ready %6.1f s   Hetzner requests on its path %d (%s)%s\n",
	    $label, $el, $path, join(', ', map { "$_ $h->{$_}" } sort keys %$h),
	    $label =~ /warm/ ? "; the refill: $refill POST /servers" : '';
	return $el;
}

# Where an order's time went, from the database's and the simulator's
# clocks (one machine): the control plane before the create call, the
# provider's create and boot, the first-boot work up to the ready call, and
# the control plane after it.  A pool server was created and booted long
# before its order: only claim -> ready is the order's there.
sub epoch { one("SELECT extract(epoch FROM :'t'::timestamptz)", t => $_[0]) }
sub where_time {
	my ($id, $label) = @_;
	my ($created, $active, $sid) = @{ ($s->psql("SELECT extract(epoch FROM created_at), extract(epoch FROM active_at),"
	    . " hetzner_server_id FROM instances WHERE id = :'i'", i => $id))[0] };
	my $v = $s->http(GET => "$sim/_sim/servers/$sid")->{json} // {};
	# the create's answer is stored with the server.created event (the
	# simulator's own "created" has whole seconds)
	my $made = one("SELECT extract(epoch FROM min(at)) FROM instance_events WHERE instance_id = :'i'"
	    . " AND kind IN ('server.created', 'server.pooled')", i => $id);
	my $booted = epoch($v->{boot}{booted_at});
	if ($label =~ /warm/) {
		printf "%-22s   order -> claimed %.1f s | claimed -> active (rename, DNS, the agent's claim and config) %.1f s"
		    . " (the server booted %.0f s before the order)\n", '', $made - $created, $active - $made,
		    $created - $booted;
		return;
	}
	printf "%-22s   ours before the create %.1f s | Hetzner create + boot %.1f s | first-boot work to the ready call"
	    . " and ours after it %.1f s\n", '', $made - $created, $booted - $made, $active - $booted;
}

printf "load: %s", `uptime`;
printf "profile: %s\n", join(' ', map { "$_=$lat->{$_}" } sort keys %$lat);
my $pre = order('starter', 'eu-nuremberg', 'cold, pre-built image');
# the warm pool: one server for starter in eu-helsinki
$s->psql("INSERT INTO pool_targets (plan, region, target, monthly_cents) VALUES ('starter', 'eu-helsinki', 1, 500)");
my $t0 = time;
$s->wait_for(sub { one("SELECT count(*) FROM pool_servers WHERE state = 'ready'") == 1 }, timeout => 300)
    or die "the pool did not fill\n";
printf "%-22s pool server created -> waiting in the pool %.1f s\n", 'warm pool fill', time - $t0;
my $warm = order('starter', 'eu-helsinki', 'warm pool');
my $bare = order('professional', 'eu-falkenstein', 'cold, bare image');
printf "ratios: bare/warm %.1f, pre-built/warm %.1f, bare/pre-built %.1f\n", $bare / $warm, $pre / $warm,
    $bare / $pre;
$s->stop_all;
