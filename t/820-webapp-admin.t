# webapp/: the admin panel end to end.  PostgreSQL, och-cloudsim, the API
# and nginx with the shipped config serving the built dashboard; an admin
# made with `ochctl user create-admin`; 55 orders through the billing API
# (one running, one failed, one whose WHMCS status drifts).  In headless
# Chromium (webapp/e2e/admin.mjs) the admin asks for a login link at
# /admin/, `och-poller maintain` sends it, the script takes it from the
# simulator's mailbox, confirms it on the sign-in page and works every
# admin page (axe-core on each, German,
# a dialog by keyboard).  Afterwards the database is asked what the clicks
# did.  Screenshots of the admin pages go to docs/screenshots/.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use JSON::PP;
use OCH::Test;
use OCH::Webapp qw(webapp_lock run_logged log_tail);

my $t = OCH::Test->new;
my $web = $t->src('webapp');
my $dir = $t->dir;


ok(-x '/usr/bin/chromium', 'chromium is installed (scripts/deps.sh)')
    or BAIL_OUT('no /usr/bin/chromium: run scripts/deps.sh as root');
# node_modules as package-lock.json has them (t/800 may have installed
# them); t/800 and t/810 also install, build or run in webapp/ (the suite
# runs tests in parallel) and every browser run needs node_modules: one
# test at a time (the lock is held to the end), each serving its own dist/
my $lock = webapp_lock($t);
my ($ok, $out) = (1, '');
if (!-f "$web/node_modules/.package-lock.json"
    || -M "$web/node_modules/.package-lock.json" > -M "$web/package-lock.json") {
	($ok, $out) = run_logged($t, 'npm-ci', qw(npm ci --no-audit --no-fund --prefer-offline));
}
ok($ok, 'node_modules installed (npm ci)') or BAIL_OUT(log_tail($out));
($ok, $out) = run_logged($t, 'npm-build', qw(npm run build));
ok($ok, 'npm run build') or BAIL_OUT(log_tail($out));
system('cp', '-a', "$web/dist", "$dir/dist") == 0 or BAIL_OUT("copy dist: $?");

$t->start_pg;
my $sim = $t->start_sim;
my $base = $t->start_api(binaries => [qw(health instances auth settings admin metrics alerts)], webroot => "$dir/dist");
for my $p ('/admin/', '/admin', '/admin/instances/00000000-0000-0000-0000-000000000000') {
	my $r = $t->http(GET => $p);
	is($r->{status}, 200, "nginx answers $p (WHMCS's admin links) with the app");
	like($r->{headers}{'content-type'} // '', qr{text/html}, 'as HTML');
}
for my $a ('root@example.com', 'ops2@example.com') {
	my ($rc, undef, $err) = $t->ochctl('user', 'create-admin', $a);
	is($rc, 0, "ochctl user create-admin $a") or diag $err;
}

my (%fix, @ids);
for my $n (1 .. 55) {
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 8100 + $n,
	    whmcs_client_id => 810 + ($n % 7), email => sprintf('cust%d@example.com', $n % 7),
	    plan => $n % 3 ? 'starter' : 'professional', region => $n % 2 ? 'eu-helsinki' : 'eu-nuremberg' });
	die "order $n: $r->{status}" unless $r->{status} == 201;
	push @ids, [ @{ $r->{json} }{qw(id slug)} ];
}
ok(1, '55 orders through the billing API');
# fixtures: a running instance, a failed one, and one WHMCS was told to
# suspend while it still runs here (drift)
my ($act, $fail, $drift) = @ids[0 .. 2];
$t->psql("UPDATE instances SET state = 'active', ipv4 = '203.0.113.10', active_at = now(),"
    . " openclaw_version = '2026.9.6' WHERE id IN (:'a', :'d')", a => $act->[0], d => $drift->[0]);
$t->psql("UPDATE instances SET state = 'failed', failed_state = 'creating', attempts = 6,"
    . " last_error = 'hetzner: 503 unavailable' WHERE id = :'f'", f => $fail->[0]);
is($t->signed(POST => "/api/v1/instances/$drift->[0]/suspend")->{status}, 202, 'WHMCS suspends one');
# Hetzner's budget as a provisioning poller last saw it, nearly spent (a
# fixture: no provisioning poller runs here)
$t->psql("INSERT INTO poller_heartbeats (mode, host, pid, hetzner_limit, hetzner_remaining, hetzner_reset_at,"
    . " hetzner_seen_at) VALUES ('provision', 'e2e', 1, 3600, 120, now() + interval '58 minutes', now())");

# a warm pool: a target in eu-helsinki with two servers waiting (fixtures:
# no provisioning poller runs here)
$t->psql("UPDATE pool_settings SET max_servers = 10, max_monthly_cents = 100000");
$t->psql("INSERT INTO pool_targets (plan, region, target, monthly_cents) VALUES ('starter', 'eu-helsinki', 2, 499)");
$t->psql("INSERT INTO pool_servers (plan, region, location, server_type, image, state, hetzner_server_id,"
    . " monthly_cents, ready_at, last_seen_at) SELECT 'starter', 'eu-helsinki', 'hel1', server_type, image, 'ready',"
    . " 9100 + g, 499, now(), now() FROM plans, generate_series(1, 2) g WHERE name = 'starter'");

$ENV{E2E_BASE} = $base;
$ENV{E2E_SIM} = $sim;
$ENV{E2E_ADMIN} = 'root@example.com';
$ENV{E2E_DOCS} = $t->src('docs/screenshots');
$ENV{E2E_FIX} = encode_json({ active => { id => $act->[0], slug => $act->[1] },
    failed => { id => $fail->[0], slug => $fail->[1] }, drift => { slug => $drift->[1] },
    customer => 'cust1@example.com', second => 'ops2@example.com', total => 55,
    budget => { remaining => 120, limit => 3600 },
    pool => { plan => 'starter', region => 'eu-helsinki', ready => 2, max_servers => 10,
	image => $t->psql_one("SELECT image FROM plans WHERE name = 'starter'") } });
$ENV{E2E_POLLER} = encode_json({ cmd => [ $t->bin('poller/och-poller'), 'maintain' ], env => { $t->env } });
($ok, $out) = run_logged($t, 'e2e-admin', 'node', 'e2e/admin.mjs', $dir);
my $checks = 0;
for (split /\n/, $out) {
	if (/^(not )?ok \d+ - (.*)$/) {
		ok(!defined $1, "browser: $2");
		$checks++;
	} elsif (/^# (.*)/) {
		note($1);
	}
}
ok($checks >= 40, "the browser run made its checks ($checks)") or diag(log_tail($out));
ok($ok, 'the browser run passed') or diag(log_tail($out));
ok(-s "$dir/$_", "screenshot $_") for qw(admin-dashboard.png admin-instances.png admin-instance.png admin-audit.png
    admin-pool.png);

# what the clicks did
my $admin_id = $t->psql_one("SELECT id FROM users WHERE email = 'root\@example.com'");
isnt($t->psql_one("SELECT state FROM instances WHERE id = :'f'", f => $fail->[0]), 'failed',
    'the retried instance left failed');
is($t->psql_one("SELECT attempts FROM instances WHERE id = :'f'", f => $fail->[0]), 0, 'with its attempts reset');
is_deeply([ map { $_->[0] } $t->psql("SELECT kind || coalesce(' ' || (args->>'version'), '')"
    . " FROM instance_commands WHERE instance_id = :'a' ORDER BY id", a => $act->[0]) ],
    [ 'restart', 'update 2026.9.6' ], 'the restart and the update were queued for the agent');
is($t->psql_one("SELECT desired_state FROM instances WHERE id = :'a'", a => $act->[0]), 'active',
    'the cancelled suspend sent nothing');
is($t->psql_one("SELECT pending_action FROM instances WHERE id = :'a'", a => $act->[0]), 'rebuild',
    'the confirmed rebuild was recorded');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action IN ('admin.view.open', 'auth.view.end')"
    . " AND actor_kind = 'admin' AND actor_id = :'u' AND status IN (200, 201)", u => $admin_id), 2,
    'the view was opened and ended, both audited under the admin');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'view.denied' AND actor_id = :'u'"
    . " AND object_id = '/api/v1/instances/{id}/channels/{kind}'", u => $admin_id), 1,
    'the write tried through the view was refused and audited');
is($t->psql_one("SELECT count(*) FROM channels WHERE instance_id = :'a'", a => $act->[0]), 0,
    'and stored nothing');
is($t->psql_one("SELECT price_cents FROM plans WHERE name = 'starter'"), 2100, 'the plan price the dialog saved');
is($t->psql_one("SELECT vcpus FROM plans WHERE name = 'starter'"), 2, 'the refused value changed nothing');
is_deeply([ map { $_->[0] } $t->psql("SELECT email FROM users WHERE role = 'admin' ORDER BY id") ],
    [ 'root@example.com', 'ops2@example.com' ], 'two admins again after demote and promote');
is($t->psql_one("SELECT role FROM users WHERE email = 'cust1\@example.com'"), 'customer',
    'the WHMCS client stayed a customer');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'admin.user.role' AND status = 200"
    . " AND actor_id = :'u'", u => $admin_id), 2, 'both role changes audited');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'admin.user.role' AND status = 409"
    . " AND actor_id = :'u'", u => $admin_id), 1, 'and the refused demotion of the last admin');
is_deeply([ $t->psql("SELECT slug, version, active::text FROM skills WHERE name = 'e2e-notes'") ],
    [ [ '@openclaw/e2e-notes', '1.0.0', 'false' ] ], 'the new skill is in the catalogue, retired');
is($t->psql_one("SELECT count(*) FROM skills WHERE name = 'e2e-dup'"), 0, 'the duplicate was not added');
is_deeply([ $t->psql("SELECT max_servers, max_monthly_cents, max_age_hours FROM pool_settings") ],
    [ [ 7, 12345, 168 ] ], 'the pool caps the form saved');
is_deeply([ $t->psql("SELECT plan, region, target, monthly_cents FROM pool_targets ORDER BY plan, region") ],
    [ [ 'professional', 'eu-nuremberg', 1, 999 ], [ 'starter', 'eu-helsinki', 3, 499 ] ],
    'the changed target and the added one (its cost kept when not given)');
is($t->psql_one("SELECT detail->>'max_servers' FROM audit_log WHERE action = 'admin.pool' AND status = 200"
    . " AND actor_id = :'u'", u => $admin_id), 7, 'the cap change is audited with what was set');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'admin.pool' AND status = 400"
    . " AND actor_id = :'u'", u => $admin_id), 1, 'and the refused one');
ok($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'admin.stats' AND actor_id = :'u'",
    u => $admin_id) >= 1, 'the dashboard read is audited');

$t->done_testing;
