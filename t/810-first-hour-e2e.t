# Issue 10's first hour, the way a person lives it: the stack the demo
# starts (PostgreSQL, och-cloudsim whose servers run the real och-agent,
# the FastCGI binaries behind nginx with the built dashboard, och-poller
# provision and maintain), an order, and headless Chromium driven through
# webapp/e2e/first-hour.mjs: login link requested on the page and opened
# from the simulator's mailbox, the instance running, the gateway token
# revealed and replaced, "Open OpenClaw" with the token in the fragment,
# Telegram saved and reported connected by the server, WhatsApp's QR shown
# and then linked, a model picked, a skill switched on and installed, and
# the admin signed in by magic link.
#
# Stand-ins, because the real programs cannot run here: the openclaw CLI
# on the simulated servers is t/bin/openclaw (as in t/720), and the
# gateway's loopback HTTP side is t/bin/openclaw-gateway (a WhatsApp login
# needs WhatsApp's servers).  The agent and everything on the control
# plane are the real ones.  Needs the dashboard built (t/800 builds it).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Webapp qw(webapp_lock);

my $t = OCH::Test->new;
my $dir = $t->dir;
my $web = $t->src('webapp');
# t/800 and t/820 install and build in webapp/ (the suite runs tests in
# parallel): wait while they hold the lock, and hold it to the end
my $lock = webapp_lock($t);
BAIL_OUT('no dashboard build: run t/800 first') unless -f "$web/dist/index.html";

$t->start_pg;
my $gw = $t->start_sim_agents('--create-delay', '0.2', '--boot-delay', '0.5', '--action-delay', '0.2');
my $base = $t->start_api(binaries => [qw(health instances agent auth admin settings metrics webhooks)],
    webroot => "$web/dist", config => { ADMIN_EMAIL => 'ops@och.test' });
for my $mode (qw(provision maintain)) {
	$t->spawn(name => "poller-$mode", cmd => [ '/bin/sh', '-c',
	    "while :; do '" . $t->bin('poller/och-poller') . "' $mode; sleep 1; done" ], env => { $t->env });
}
my ($rc) = $t->ochctl('user', 'create-admin', 'admin@och.test');
is($rc, 0, 'an admin account');

my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 8101, whmcs_client_id => 81,
    email => 'first@example.com', plan => 'starter', region => 'eu-falkenstein' });
is($r->{status}, 201, 'an order');
my $id = $r->{json}{id};
ok($t->wait_for(sub { ($t->signed(GET => "/api/v1/instances/$id")->{json}{state} // '') eq 'active' }, timeout => 90),
    'the instance goes active (its agent called ready with a finished setup)');

my $log = "$dir/e2e.log";
my $pid = fork // die "fork: $!";
if ($pid == 0) {
	chdir $web or die;
	open STDOUT, '>', $log or die;
	open STDERR, '>&', \*STDOUT or die;
	exec 'timeout', '600', 'node', 'e2e/first-hour.mjs', $base, $t->sim_url, $gw, $dir,
	    'first@example.com', 'admin@och.test' or die;
}
waitpid $pid, 0;
my $ok = $? == 0;
my $out = do { local (@ARGV, $/) = $log; <> } // '';
my $checks = 0;
for (split /\n/, $out) {
	if (/^(not )?ok \d+ - (.*)$/) {
		ok(!defined $1, "browser: $2");
		$checks++;
	} elsif (/^# (.*)/) {
		note($1);
	}
}
ok($checks >= 14, "the browser made its checks ($checks)") or diag($out);
ok($ok, 'the browser run passed');

# what the page did, as the database and the VPS have it
is($t->psql_one("SELECT model_primary FROM instances WHERE id = :'i'", i => $id), 'anthropic/claude-sonnet-4-5', 'the model the page picked');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'instance.gateway_token_reveal' AND object_id = :'i'", i => $id) >= 2 ? 1 : 0, 1,
    'the token reveals are audited');
is($t->psql_one("SELECT status FROM instance_commands WHERE instance_id = :'i' AND kind = 'whatsapp_login' ORDER BY id DESC LIMIT 1", i => $id),
    'done', 'the WhatsApp login ended linked on the VPS');
my @mail = grep { ($_->{to}[0] // '') eq 'first@example.com' } @{ $t->http(GET => $t->sim_url . '/_sim/emails')->{json}{emails} // [] };
my ($welcome) = grep { ($_->{subject} // '') =~ /is ready/ } @mail;
ok($welcome, 'the welcome email arrived');
like($welcome->{text} // '', qr/Open OpenClaw/, 'it says how to get in');
unlike($welcome->{text} // '', qr/[0-9a-f]{48}/, 'with no token in it');

$t->done_testing;
