# webapp/: the customer dashboard.  (a) `npm ci` (from the npm registry,
# cached in ~/.npm), ESLint (`npm run lint`), the Vitest unit tests (one
# TAP line each) and `npm run build` (the generated state list checked
# against schema/, tsc, vite); (b) end to end: PostgreSQL, the API and
# nginx serving the built dist, an order, its SSO link opened in headless
# Chromium (Debian's, driven by playwright-core: webapp/e2e/run.mjs), which
# opens the sign-in page and, confirmed, the instance page, works every tab
# and signs another customer in by an emailed link, with axe-core on every
# page, the reboot dialog by keyboard, German and dark mode; on the
# backups tab a restore cancelled (nothing asked) and one confirmed with
# the typed hostname, and a snapshot taken.  The running instance's stored
# backups are rows as t/480 and t/481 leave them (asking for a restore
# needs no archive; the restore itself is t/480's).  Screenshots
# go to the test folder (kept with TEST_KEEP=1) and the main ones to
# docs/screenshots/.  A missing registry or browser fails the test;
# nothing is skipped.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Webapp qw(webapp_lock run_logged log_tail);
use OCH::Login qw(cookie_name magic_link);

my $t = OCH::Test->new;
my $web = $t->src('webapp');
my $dir = $t->dir;


# --- (a) install, unit tests, build ---
# t/810 and t/820 also install, build or run in webapp/ (the suite runs
# tests in parallel) and every browser run needs node_modules: one test
# at a time (the lock is held to the end), each serving its own dist/
my $lock = webapp_lock($t);
ok(-x '/usr/bin/chromium', 'chromium is installed (scripts/deps.sh)')
    or BAIL_OUT('no /usr/bin/chromium: run scripts/deps.sh as root');
my ($ok, $out) = run_logged($t, 'npm-ci', qw(npm ci --no-audit --no-fund --prefer-offline));
ok($ok, 'npm ci (from the npm registry)') or diag(log_tail($out));
BAIL_OUT('npm ci failed: is the npm registry reachable?') unless $ok;

($ok, $out) = run_logged($t, 'npm-lint', qw(npm run lint));
ok($ok, 'npm run lint (ESLint + typescript-eslint)') or diag(log_tail($out));

($ok, $out) = run_logged($t, 'npm-test', qw(npm test -- --reporter=tap-flat));
my $n = 0;
for (split /\n/, $out) {
	next unless /^(not )?ok \d+ - (.*?)(?: # .*)?$/;
	ok(!defined $1, "vitest: $2");
	$n++;
}
ok($n >= 10, "vitest ran the API client tests ($n)");
ok($ok, 'npm test passes') or diag(log_tail($out));

unlink "$web/dist/index.html";
($ok, $out) = run_logged($t, 'npm-build', qw(npm run build));
ok($ok, 'npm run build (tsc + vite)') or diag(log_tail($out));
my $index = -f "$web/dist/index.html" ? do { local (@ARGV, $/) = "$web/dist/index.html"; <> } : '';
like($index, qr{<script type="module" crossorigin src="/assets/[^"]+\.js"></script>}, 'dist/index.html loads its script from /assets/');
unlike($index, qr{<script(?![^>]*\bsrc=)[^>]*>}, 'no inline script (the CSP forbids it)');
unlike($index, qr{https?://}, 'no external URL (fonts, CDNs)');
my @js = glob "$web/dist/assets/*.js";
ok(@js >= 1, 'the bundle is under dist/assets/');
BAIL_OUT('no build to serve') unless -f "$web/dist/index.html";
system('cp', '-a', "$web/dist", "$dir/dist") == 0 or BAIL_OUT("copy dist: $?");
($ok, $out) = run_logged($t, 'bundle', qw(node scripts/bundle-report.mjs --max-kb 250));
ok($ok, 'the initial load is at most 250 KiB gzipped (bench/webapp)') or diag(log_tail($out));
note($1) if $out =~ /(\*\*initial load\*\*.*)/;

# --- (b) the built dashboard against the real API in headless Chromium ---
my $api_ts = do { local (@ARGV, $/) = "$web/src/lib/api.ts"; <> };
my ($csrf_name) = $api_ts =~ /export const CSRF_COOKIE = '([^']+)'/;
is($csrf_name, cookie_name('csrf'), "the dashboard reads the CSRF cookie lib/auth.h sets ($csrf_name)");
$t->start_pg;
$t->start_sim;
# the metrics routes are another binary's: used when built, else the page
# must cope with nginx's 503 (and its [crit] about the missing socket)
my @bins = qw(health instances auth settings backups);
if (-x $t->bin('cgi-bin/metrics.fcgi')) {
	push @bins, 'metrics';
} else {
	$t->allow_log(qr{/metrics\.sock failed});
}
my $base = $t->start_api(binaries => \@bins, webroot => "$dir/dist");

my $r = $t->http(GET => '/instances/00000000-0000-0000-0000-000000000000');
is($r->{status}, 200, 'nginx answers a deep link with the app');
like($r->{headers}{'content-security-policy'} // '', qr/default-src 'self'/, 'under the strict CSP');

$r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 801, whmcs_client_id => 81,
    email => 'dash@example.com', plan => 'starter', region => 'eu-helsinki' });
is($r->{status}, 201, 'an order');
my ($id, $slug) = @{ $r->{json} }{qw(id slug)};
# a day of hourly server metrics and three days of AI usage for the usage tab
$t->psql(q{INSERT INTO metrics_hourly (instance_id, series, hour, min, max, avg, samples)
    SELECT :'i', s.name, date_trunc('hour', now()) - h * interval '1 hour', 0, 0,
        CASE s.name WHEN 'cpu_util' THEN 20 + 15 * sin(h / 3.0) WHEN 'load1' THEN 0.4 + 0.3 * cos(h / 4.0)
        WHEN 'mem_total' THEN 4e9 WHEN 'mem_available' THEN 2.5e9 - 1e7 * h WHEN 'disk_total' THEN 8e10
        WHEN 'disk_free' THEN 6e10 + 1e7 * h ELSE (24 - h) * 3.6e7 END, 60
    FROM generate_series(0, 23) h,
        unnest(ARRAY['cpu_util','load1','mem_total','mem_available','disk_total','disk_free','net_rx_bytes','net_tx_bytes']) s(name)},
    i => $id);
$t->psql(q{INSERT INTO ai_usage (instance_id, day, provider, model, input_tokens, output_tokens, cost_usd)
    SELECT :'i', current_date - d, 'anthropic', 'claude-sonnet-4-5', 12000 * (d + 1), 3400 * (d + 1), 0.09 * (d + 1)
    FROM generate_series(0, 2) d}, i => $id);

# a second, running instance of the same customer (for the reboot)
$r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 802, whmcs_client_id => 81,
    email => 'dash@example.com', plan => 'starter', region => 'eu-nuremberg' });
my ($id2, $slug2) = @{ $r->{json} }{qw(id slug)};
$t->psql("UPDATE instances SET state = 'active', ipv4 = '203.0.113.7', active_at = now() WHERE id = :'i'", i => $id2);
# its stored backups: two of the OpenClaw state, one server snapshot;
# and its plan includes snapshots (as an admin sets it, t/481)
my @bk = map { $_->[0] } $t->psql(q{INSERT INTO backups (instance_id, kind, status, name, size_bytes,
        created_at, object_key, sha256, openclaw_version, hetzner_image_id)
    SELECT :'i', k, 'available', k || ' ' || n, 1048576 * n, now() - n * interval '1 day',
        CASE k WHEN 'agent' THEN 'och/' || :'i' || '/' || n || '.ochbak' END,
        CASE k WHEN 'agent' THEN repeat(n::text, 64) END, '2026.9.6',
        CASE k WHEN 'snapshot' THEN 4242 END
    FROM (VALUES ('agent', 2), ('agent', 1), ('snapshot', 3)) v(k, n) ORDER BY n RETURNING id}, i => $id2);
is(scalar @bk, 3, 'the running instance has three stored backups');
$t->psql("UPDATE plans SET snapshot_slots = 1 WHERE name = 'starter'");
$ENV{E2E_RESTORE} = "$bk[1],$bk[0]";	# cancel the older one's, restore the newer
$r = $t->signed(POST => "/api/v1/instances/$id/sso");
is($r->{status}, 201, 'an SSO link for its owner');
my $sso = $r->{json}{url} // '';
like($sso, qr{^\Q$base\E/signin#sso=[0-9a-f]{64}$}, 'pointing at this server\'s sign-in page, the token in the fragment');

# another customer's sign-in link, from the simulator's mailbox
$t->signed(POST => '/api/v1/instances', { whmcs_service_id => 803, whmcs_client_id => 82,
    email => 'other@example.com', plan => 'starter', region => 'eu-helsinki' });
$ENV{E2E_MAGIC_URL} = magic_link($t, 'other@example.com') // '';
like($ENV{E2E_MAGIC_URL}, qr{^\Q$base\E/signin#magic=}, "the other customer's magic link arrived by email");
$ENV{E2E_DOCS} = $t->src('docs/screenshots');
$ENV{E2E_EXPECT_METRICS} = grep({ $_ eq 'metrics' } @bins) ? 1 : 0;
($ok, $out) = run_logged($t, 'e2e', 'node', 'e2e/run.mjs', $sso, $slug, $dir, $slug2);
my $checks = 0;
for (split /\n/, $out) {
	if (/^(not )?ok \d+ - (.*)$/) {
		ok(!defined $1, "browser: $2");
		$checks++;
	} elsif (/^# (.*)/) {
		note($1);
	}
}
ok($checks >= 10, "the browser run made its checks ($checks)") or diag(log_tail($out));
ok($ok, 'the browser run passed') or diag(log_tail($out));
ok(-s "$dir/$_", "screenshot $_") for qw(signin.png instance.png ai-keys.png reboot.png signin-switch.png);
note("screenshots in $dir (kept with TEST_KEEP=1)");

is_deeply([ $t->psql("SELECT provider, last4 FROM ai_keys WHERE instance_id = :'i'", i => $id) ],
    [ [ 'anthropic', 'WXyz' ] ], 'the API stored the key the page added');
is($t->psql_one("SELECT pending_action FROM instances WHERE id = :'i'", i => $id2), 'reboot', 'the reboot the page asked for is recorded');
is_deeply([ map { $_->[0] } $t->psql("SELECT kind FROM instance_commands WHERE instance_id = :'i' ORDER BY id", i => $id2) ],
    [ 'backup_create', 'backup_restore', 'pairing_approve' ], 'so are the backup, one restore and the pairing approval');
is_deeply([ $t->psql("SELECT args->>'backup_id', args->>'sha256', status FROM instance_commands"
    . " WHERE instance_id = :'i' AND kind = 'backup_restore'", i => $id2) ],
    [ [ $bk[0], '1' x 64, 'queued' ] ], 'the restore asked for is of the backup confirmed, none of the one cancelled');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'backups.restore' AND object_id = :'i'", i => $id2), 1,
    'one restore audited: the cancelled dialog sent nothing');
is($t->psql_one("SELECT message FROM instance_events WHERE instance_id = :'i' AND kind = 'backup_restore.queued'", i => $id2),
    $bk[0], "the instance's events say which backup is restored");
is($t->psql_one("SELECT count(*) FROM backups WHERE instance_id = :'i' AND kind = 'snapshot' AND status = 'creating'"
    . " AND reason = 'manual'", i => $id2), 1, 'the snapshot the page asked for is queued');
is($t->psql_one("SELECT restore_image FROM instances WHERE id = :'i'", i => $id2), undef, 'and no snapshot restore');
is($t->psql_one("SELECT count(*) FROM instance_skills WHERE instance_id = :'i' AND enabled", i => $id2), 1, 'and the skill');
is($t->psql_one("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.revoked_at IS NULL"
    . " AND u.email = 'dash\@example.com'"), 0, 'logout revoked the session');
is($t->psql_one("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.revoked_at IS NULL"
    . " AND u.email = 'other\@example.com'"), 1, 'the emailed link opened one session, after the click');

$t->done_testing;
