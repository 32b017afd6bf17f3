#!/usr/bin/perl
# The local demo: OCH::Stack (the same code the tests start the system
# with) in the kept folder var/, on 127.0.0.1:8080.
use strict;
use warnings;
use File::Path ();
use OCH::Stack;

$| = 1;
my $port = $ENV{OCH_DEMO_PORT} // 8080;
# each run starts clean: the simulator's servers, DNS records and mail do
# not outlive it, so orders kept from an earlier run would point at
# nothing (the simulator would even hand out their server ids again)
File::Path::remove_tree("$ENV{OCH_SRCDIR}/var");
my $s = OCH::Stack->new(dir => "$ENV{OCH_SRCDIR}/var", keep => 1);
$SIG{INT} = $SIG{TERM} = sub { print "\nstopping...\n"; $s->stop_all; exit 0 };

print "== PostgreSQL (var/pg)\n";
$s->start_pg;
my $have_sim = -x $s->bin('sim/och-cloudsim');
if ($have_sim) {
	print "== och-cloudsim (its servers run och-agent; openclaw CLI and gateway stand-ins)\n";
	$s->start_sim_agents('--boot-delay', '2');
}
# every FastCGI binary the build made (cgi-bin/local.mk names them): the
# demo serves every route, backups included
my @bins = sort map { m{/([^/]+)\.fcgi$} } grep { -x } glob $s->bin('cgi-bin') . '/*.fcgi';
print "== FastCGI binaries: @bins\n== nginx on 127.0.0.1:$port\n";
my $web = -f "$ENV{OCH_SRCDIR}/webapp/dist/index.html" ? "$ENV{OCH_SRCDIR}/webapp/dist" : undef;
my $base = $s->start_api(binaries => \@bins, port => $port, $web ? (webroot => $web) : ());
if (-x $s->bin('poller/och-poller')) {
	print "== och-poller (provision, metrics, maintain)\n";
	for my $mode (qw(provision metrics maintain)) {
		$s->spawn(name => "poller-$mode", cmd => [ '/bin/sh', '-c',
		    "while :; do '" . $s->bin('poller/och-poller') . "' $mode; sleep 1; done" ],
		    env => { $s->env });
	}
}

my ($rc, $out) = $s->ochctl('user', 'create-admin', 'admin@och.test');
my ($key, $secret) = $s->api_client('whmcs-demo');
open my $fh, '>', "$ENV{OCH_SRCDIR}/var/whmcs-api.env" or die $!;
chmod 0600, "$ENV{OCH_SRCDIR}/var/whmcs-api.env";
print $fh "OCH_API_KEY=$key\nOCH_API_SECRET=$secret\n";
close $fh;

# The first minute as production runs it: a pre-built image (built while
# the simulator is still fast; the build is not the demo), then Hetzner's
# own pace (the simulator's hetzner latency profile: minutes for a bare
# image) and a small warm pool, so the first order takes a waiting server.
my $warm = 0;
if ($have_sim && -x $s->bin('poller/och-poller')) {
	print "== pre-built image (ochctl image build)\n";
	my ($brc, $bout, $berr) = $s->ochctl('image', 'build', '--poll', '0.5', '--timeout', '120');
	print $brc ? "   image build failed: $berr" : "   $_\n" for grep { /current/ } split /\n/, $bout;
	my $lat = $s->sim_latency(profile => 'hetzner');
	print "== och-cloudsim now runs Hetzner's pace ($lat->{profile}: create $lat->{create} s, "
	    . "from a snapshot $lat->{create_snapshot} s, boot $lat->{boot} s, installs $lat->{setup_bare} s)\n";
	$s->psql("INSERT INTO pool_targets (plan, region, target, monthly_cents)"
	    . " VALUES ('starter', 'eu-falkenstein', 2, 499) ON CONFLICT DO NOTHING");
	print "== warm pool: 2 starter servers in eu-falkenstein (about a minute to boot)\n";
	$warm = $s->wait_for(sub { ($s->psql_one("SELECT count(*) FROM pool_servers WHERE state = 'ready'") // 0) >= 1 },
	    timeout => 240, interval => 1);
	print $warm ? "   ready\n" : "   not ready yet; the order goes cold\n";
}

my $order;
if ((grep { $_ eq 'instances' } @bins) && $have_sim) {
	my $sid = 1000 + int(rand(9000));
	my $r = $s->signed(POST => '/api/v1/instances', { whmcs_service_id => $sid,
	    whmcs_client_id => 1, email => 'customer@och.test', plan => 'starter',
	    region => 'eu-falkenstein' }, key => $key, secret => $secret);
	if ($r->{status} =~ /^20[01]$/) {
		$order = $r->{json};
		print "== sample order placed: instance $order->{id} ($order->{hostname})\n";
		my $t0 = time;
		my $last = '';
		my $ok = $s->wait_for(sub {
			my $g = $s->signed(GET => "/api/v1/instances/$order->{id}", undef, key => $key, secret => $secret);
			my $st = $g->{json}{state} // '?';
			print "   state: $st\n" if $st ne $last;
			$last = $st;
			return $st eq 'active' || $st eq 'failed';
		}, timeout => 600, interval => 0.5);
		printf "   %s after %d s%s\n", $last, time - $t0, $warm ? ' (a warm pool server)' : '';
		# the welcome email leaves through the outbox a moment later
		my @mail;
		$s->wait_for(sub {
			my $m = $s->http(GET => $s->sim_url . '/_sim/emails');
			@mail = @{ $m->{json}{emails} // [] };
			return scalar @mail;
		}, timeout => 20, interval => 0.5);
		printf "   emails in the simulator's mailbox: %d\n", scalar @mail;
		printf "     to %s: %s\n", join(',', @{ $_->{to} // [] }), $_->{subject} // '' for @mail;
	} else {
		print "== sample order refused: $r->{status} $r->{content}\n";
	}
}

print <<"EOT";

openclawhost is running.
  Dashboard:        $base/
  Health:           $base/api/health
  Admin user:       admin\@och.test
  Sample customer:  customer\@och.test
  Sign in:          open $base/, enter one of the two addresses, press "Email me a
                    login link"; the email lands in the simulator's mailbox
                    (below, "text" of the newest email): open its link
                    ($base/signin#magic=…) and press "Continue".
EOT
print "  Simulator:        " . $s->sim_url . "/_sim/stats  (emails: " . $s->sim_url . "/_sim/emails)\n" if $have_sim;
print "  WhatsApp:         after \"Connect WhatsApp\" shows its QR code, play the phone\n"
    . "                    scanning it: curl -X POST " . $s->gateway_url . "/_stub/scan\n" if $have_sim;
print <<"EOT";
  WHMCS server entry (also in var/whmcs-api.env):
    hostname 127.0.0.1:$port, username (API key) $key
    password (API secret) $secret
  Logs:             var/*.log
Press Ctrl-C to stop everything.
EOT
sleep 1 while 1;
