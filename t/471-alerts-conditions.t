# The alert conditions beyond "down" (t/470), each caused the way it
# happens in production and taken away again: every one opens once,
# emails whom it concerns once through the outbox, stays open while the
# cause lasts (and in the hysteresis band), and resolves with one email
# when the cause goes away.  Nothing of ours faked: PostgreSQL, the
# FastCGI binaries behind nginx, och-poller, och-cloudsim whose server
# runs the real cloud-init/och-agent (with the stand-ins t/bin/openclaw
# and t/bin/openclaw-gateway, as t/810 does).
#   disk_full           the exporter shows / 95 % used (/_sim usage knob),
#                       then 87 % (between the thresholds: still open),
#                       then 40 %;
#   memory_high         97 % for less than ALERT_MEMORY_SECONDS is dropped
#                       unseen; held longer it opens; 92 % holds; it clears;
#   gateway_not_ready   the gateway's /readyz answers 503 (its stand-in's
#                       /_stub/ready), the agent reports it;
#   whmcs_update_stuck  WHMCS answers 503 to everything from the order on:
#                       the activation's UpdateClientProduct waits longer
#                       than ALERT_WHMCS_STUCK_SECONDS; delivered, it clears;
#   poller_stale        och-poller provision stopped for longer than
#                       ALERT_HEARTBEAT_SECONDS; started again, it clears;
#   hetzner_budget      the simulator's Hetzner bucket nearly empty, as the
#                       poller sees it in RateLimit-Remaining; refilled;
#   outbox_backlog      Resend answers 503: the emails pile up; back, they
#                       go out, the alert's own email included.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
my $dir = $t->dir;

$t->start_pg;
my $gw = $t->start_sim_agents('--create-delay', '0.2', '--boot-delay', '0.5', '--action-delay', '0.2');
my $sim = $t->sim_url;
sub simget { $t->http(GET => "$sim$_[0]")->{json} }
sub simpost {
	my ($path, $body) = @_;
	my $r = $t->http(POST => "$sim$path", body => $body);
	is($r->{status}, 200, "simulator: POST $path") or diag $r->{content};
}
# WHMCS is down from the start
simpost('/_sim/faults', { service => 'whmcs', route => '*', probability => 1, kinds => ['503'] });
$t->start_api(binaries => [qw(health instances agent auth alerts)],
    config => { BOOT_TIMEOUT => 60, POLLER_BACKOFF_MS => 200, POLLER_BACKOFF_MAX_MS => 8000,
	METRICS_TIMEOUT_MS => 2000, ADMIN_EMAIL => 'ops@och.test', FLEET_RECONCILE_SECONDS => 1 });

sub run_poller { $t->poller_once(@_) }
sub scrape { my ($what, %env) = @_; is(run_poller('metrics', %env), 0, "metrics cycle: $what") }
sub maintain { my ($what, %env) = @_; is(run_poller('maintain', %env), 0, "maintain: $what") }
# [pending, open, resolved] episodes of a condition (on a subject)
sub episodes {
	my ($cond, $subject) = @_;
	my @r = $t->psql(q{SELECT count(*) FILTER (WHERE opened_at IS NULL),
		count(*) FILTER (WHERE opened_at IS NOT NULL AND resolved_at IS NULL),
		count(*) FILTER (WHERE resolved_at IS NOT NULL)
		FROM alerts WHERE condition = :'c' AND subject LIKE :'s'}, c => $cond, s => $subject // '%');
	return join ' ', @{ $r[0] };
}
# emails in the simulator's mailbox to $to of template $tmpl whose subject matches $re
sub mails {
	my ($to, $tmpl, $re) = @_;
	return scalar grep {
		my %g = map { $_->{name} => $_->{value} } @{ $_->{tags} // [] };
		$_->{to}[0] eq $to && ($g{template} // '') eq $tmpl && ($_->{subject} // '') =~ $re
	} @{ simget('/_sim/emails')->{emails} // [] };
}
my $cust = 'cond@example.test';
my $ops = 'ops@och.test';
# one email each to the customer and the operators (or, for the
# operators' conditions, to them only), $n episodes so far
sub mailed {
	my ($tmpl, $re, $n, $audience, $what) = @_;
	is(mails($ops, $tmpl, $re), $n, "$what: the operators got $n $tmpl email(s)");
	is(mails($cust, $tmpl, $re), $audience eq 'both' ? $n : 0,
	    "$what: the customer " . ($audience eq 'both' ? "got $n" : 'none'));
}

# ---- one active instance with the real agent
my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4711, whmcs_client_id => 471,
    email => $cust, plan => 'starter', region => 'eu-helsinki' });
is($r->{status}, 201, 'order accepted') or diag $r->{content};
my $id = $r->{json}{id};
my $prov = $t->spawn(name => 'provision', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 120 });
ok($t->wait_for(sub { ($t->psql_one(q{SELECT state FROM instances WHERE id = :'i'}, i => $id) // '') eq 'active' },
    timeout => 60), 'active');
ok($t->wait_for(sub { $t->psql_one(q{SELECT count(*) FROM agent_reports WHERE instance_id = :'i'
	AND health->'ready' = 'true'::jsonb}, i => $id) }, timeout => 60), 'the agent reports a ready gateway');
$t->stop($prov);
my $stopped = time;
my $sid = $t->psql_one(q{SELECT hetzner_server_id FROM instances WHERE id = :'i'}, i => $id);
my $slug = $t->psql_one(q{SELECT slug FROM instances WHERE id = :'i'}, i => $id);
my $host = qr/\Q$slug.och.test\E/;
maintain('the welcome email goes out');
scrape('all well');
is($t->psql_one(q{SELECT count(*) FROM alerts WHERE condition IN ('disk_full', 'memory_high', 'gateway_not_ready')}),
    0, 'all well: no instance alert');

# ---- disk_full: opens above 90 %, holds between 85 and 90, clears below 85
my $usage = sub { simpost("/_sim/servers/$sid/usage", $_[0]) };
$r = $t->http(POST => "$sim/_sim/servers/$sid/usage", body => { disk_used_pct => 101 });
is($r->{status}, 400, 'the simulator refuses a usage over 100 %');
$usage->({ disk_used_pct => 95 });
scrape('disk 95 %');
is(episodes('disk_full'), '0 1 0', 'disk_full is open');
like($t->psql_one(q{SELECT detail FROM alerts WHERE condition = 'disk_full'}), qr/disk 9[45](\.\d)? % used/,
    'saying how full');
scrape('disk still 95 %');
$usage->({ disk_used_pct => 87 });
scrape('disk 87 %');
is(episodes('disk_full'), '0 1 0', 'still open at 87 % (hysteresis)');
maintain('send');
mailed('alert_opened', qr/Disk almost full: $host/, 1, 'both', 'disk_full');
$usage->({ disk_used_pct => 40 });
scrape('disk 40 %');
is(episodes('disk_full'), '0 0 1', 'resolved at 40 %');
maintain('send');
mailed('alert_resolved', qr/Resolved: Disk almost full on $host/, 1, 'both', 'disk_full');
mailed('alert_opened', qr/Disk almost full/, 1, 'both', 'disk_full, nothing doubled');

# ---- memory_high: only when sustained for ALERT_MEMORY_SECONDS
my %mem = (ALERT_MEMORY_SECONDS => 3);
$usage->({ mem_used_pct => 97 });
scrape('memory 97 %', %mem);
is(episodes('memory_high'), '1 0 0', 'memory 97 %: pending, not open');
$usage->({ mem_used_pct => undef });
scrape('memory back to normal', %mem);
is(episodes('memory_high'), '0 0 0', 'a short peak is dropped unseen');
$usage->({ mem_used_pct => 97 });
scrape('memory 97 % again', %mem);
is(episodes('memory_high'), '1 0 0', 'pending again');
sleep 4;
scrape('memory 97 % for longer than ALERT_MEMORY_SECONDS', %mem);
is(episodes('memory_high'), '0 1 0', 'sustained: open');
$usage->({ mem_used_pct => 92 });
scrape('memory 92 %', %mem);
is(episodes('memory_high'), '0 1 0', 'still open at 92 % (hysteresis)');
maintain('send');
mailed('alert_opened', qr/Memory nearly exhausted: $host/, 1, 'both', 'memory_high');
$usage->({ mem_used_pct => 50 });
scrape('memory 50 %', %mem);
is(episodes('memory_high'), '0 0 1', 'resolved at 50 %');
maintain('send');
mailed('alert_resolved', qr/Resolved: Memory nearly exhausted on $host/, 1, 'both', 'memory_high');
is(simget("/_sim/servers/$sid")->{usage}{mem_used_pct}, 50, 'the simulator shows the usage it serves');

# ---- gateway_not_ready: the gateway's /readyz says 503, the agent reports it
sub reported_ready { $t->psql_one(q{SELECT health->>'ready' FROM agent_reports WHERE instance_id = :'i'}, i => $id) // '' }
$r = $t->http(POST => "$gw/_stub/ready", body => { ready => \0, failing => ['gateway'] });
is($r->{status}, 200, 'the gateway stops being ready');
ok($t->wait_for(sub { reported_ready() eq 'false' }, timeout => 60), 'the agent reports it not ready');
my %gwenv = (ALERT_GATEWAY_SECONDS => 0);
maintain('gateway not ready', %gwenv);
is(episodes('gateway_not_ready'), '0 1 0', 'gateway_not_ready is open');
like($t->psql_one(q{SELECT detail FROM alerts WHERE condition = 'gateway_not_ready'}), qr/not ready: .*gateway/,
    'naming what fails');
maintain('still not ready', %gwenv);
is(episodes('gateway_not_ready'), '0 1 0', 'once');
mailed('alert_opened', qr/OpenClaw gateway not ready: $host/, 1, 'both', 'gateway_not_ready');
$r = $t->http(POST => "$gw/_stub/ready", body => { ready => \1 });
ok($t->wait_for(sub { reported_ready() eq 'true' }, timeout => 60), 'the agent reports it ready again');
maintain('gateway ready', %gwenv);
is(episodes('gateway_not_ready'), '0 0 1', 'resolved');
maintain('send', %gwenv);
mailed('alert_resolved', qr/Resolved: OpenClaw gateway not ready on $host/, 1, 'both', 'gateway_not_ready');

# ---- whmcs_update_stuck and poller_stale: the activation's WHMCS update
# has waited (WHMCS down) and och-poller provision has been silent for
# longer than their thresholds (the smallest the configuration takes)
my %ops = (ALERT_WHMCS_STUCK_SECONDS => 60, ALERT_HEARTBEAT_SECONDS => 30);
my $left = $stopped + 62 - time;
sleep $left if $left > 0;
maintain('WHMCS stuck, provision silent', %ops);
is(episodes('whmcs_update_stuck', $id), '0 1 0', 'whmcs_update_stuck is open for the instance');
like($t->psql_one(q{SELECT detail FROM alerts WHERE condition = 'whmcs_update_stuck'}), qr/UpdateClientProduct/,
    'naming the command');
is(episodes('poller_stale', 'poller:provision'), '0 1 0', 'poller_stale is open for the provision mode');
maintain('still', %ops);
is(episodes('whmcs_update_stuck', $id) . ' / ' . episodes('poller_stale', 'poller:provision'), '0 1 0 / 0 1 0',
    'each once');
mailed('alert_opened', qr/WHMCS update stuck: $host/, 1, 'admin', 'whmcs_update_stuck');
mailed('alert_opened', qr/Poller heartbeat stale: poller:provision/, 1, 'admin', 'poller_stale');

# WHMCS back, the poller started again -- and meanwhile the Hetzner
# budget nearly spent: the poller records what Hetzner tells it
$r = $t->http(DELETE => "$sim/_sim/faults");
is($r->{status}, 200, 'WHMCS answers again');
simpost('/_sim/ratelimit', { hetzner => { limit => 3600, remaining => 50 } });
sub budget_seen { $t->psql_one(q{SELECT coalesce(min(hetzner_remaining), -1) FROM poller_heartbeats
	WHERE mode = 'provision' AND hetzner_seen_at IS NOT NULL}) }
$prov = $t->spawn(name => 'provision', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 120 });
ok($t->wait_for(sub { grep { $_->{action} eq 'UpdateClientProduct' && ($_->{result} // '') eq 'success' }
    @{ simget('/_sim/whmcs')->{calls} // [] } }, timeout => 30), 'the WHMCS update is delivered');
ok($t->wait_for(sub { my $b = budget_seen(); $b >= 0 && $b < 360 }, timeout => 30),
    'the poller recorded the Hetzner budget it saw (under 10 %)');
maintain('WHMCS delivered, provision beating, budget low', %ops);
is(episodes('whmcs_update_stuck', $id), '0 0 1', 'whmcs_update_stuck resolved');
is(episodes('poller_stale', 'poller:provision'), '0 0 1', 'poller_stale resolved');
is(episodes('hetzner_budget'), '0 1 0', 'hetzner_budget is open');
like($t->psql_one(q{SELECT detail FROM alerts WHERE condition = 'hetzner_budget'}),
    qr/^\d+ of 3600 Hetzner API requests left/, 'saying what is left');
simpost('/_sim/ratelimit', { hetzner => { limit => 3600 } });
ok($t->wait_for(sub { budget_seen() > 3000 }, timeout => 30), 'the poller sees the refilled budget');
maintain('budget refilled', %ops);
is(episodes('hetzner_budget'), '0 0 1', 'hetzner_budget resolved');
$t->stop($prov);
maintain('send', %ops);
mailed('alert_resolved', qr/Resolved: WHMCS update stuck on $host/, 1, 'admin', 'whmcs_update_stuck');
mailed('alert_resolved', qr/Resolved: Poller heartbeat stale on poller:provision/, 1, 'admin', 'poller_stale');
mailed('alert_opened', qr/Hetzner API budget nearly spent: hetzner/, 1, 'admin', 'hetzner_budget');
mailed('alert_resolved', qr/Resolved: Hetzner API budget nearly spent/, 1, 'admin', 'hetzner_budget');

# ---- outbox_backlog: Resend down, the emails pile up
my %obx = (ALERT_OUTBOX_BACKLOG => 1);
simpost('/_sim/faults', { service => 'resend', route => '*', probability => 1, kinds => ['503'] });
$usage->({ disk_used_pct => 96 });
scrape('disk full again: two emails to send', %obx);
is(episodes('disk_full'), '0 1 1', 'a second disk_full episode');
maintain('Resend down', %obx);
is(episodes('outbox_backlog', 'email_outbox'), '0 1 0', 'outbox_backlog is open for the email outbox');
maintain('Resend still down', %obx);
is(episodes('outbox_backlog', 'email_outbox'), '0 1 0', 'once');
mailed('alert_opened', qr/Disk almost full/, 1, 'both', 'nothing went out while Resend was down');
$r = $t->http(DELETE => "$sim/_sim/faults");
# drained means every delayed email went out: the alert's own and the
# second disk_full episode's two (the outbox sends them in its own order,
# each on its own retry time)
ok($t->wait_for(sub { maintain('Resend back', %obx);
	mails($ops, 'alert_opened', qr/Outbox backlog/) == 1
	    && mails($ops, 'alert_opened', qr/Disk almost full/) == 2
	    && mails($cust, 'alert_opened', qr/Disk almost full/) == 2 },
    timeout => 90), "the backlog drains, the alert's own email included");
maintain('the outbox is empty', %obx);
is(episodes('outbox_backlog', 'email_outbox'), '0 0 1', 'outbox_backlog resolved');
maintain('send', %obx);
mailed('alert_resolved', qr/Resolved: Outbox backlog on email_outbox/, 1, 'admin', 'outbox_backlog');
mailed('alert_opened', qr/Disk almost full/, 2, 'both', 'the delayed disk emails arrived once each');

$t->done_testing;
