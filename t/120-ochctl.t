# ochctl: migrate (twice, and two at once), doctor, create-admin,
# api-client, and configuration errors that name the key.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use POSIX qw(:sys_wait_h);

my $t = OCH::Test->new;
$t->start_pg(no_migrate => 1);
my @files = sort map { m{/([^/]+\.sql)$} } glob($t->src('schema') . '/[0-9][0-9][0-9]_*.sql');
ok(@files >= 2, 'schema files found');

# two migrators at once on an empty database
my @kids;
for my $i (1, 2) {
	my $pid = fork;
	if ($pid == 0) {
		my ($rc, $out, $err) = $t->ochctl('migrate');
		open my $fh, '>', $t->dir . "/mig$i.out"; print $fh "$rc\n$out$err"; close $fh;
		POSIX::_exit(0);	# no END blocks: the parent owns the servers
	}
	push @kids, $pid;
}
waitpid($_, 0) for @kids;
my @outs = map { local (@ARGV, $/) = ($t->dir . "/mig$_.out"); <> } 1, 2;
is(scalar(grep { /^0\n/ } @outs), 2, 'both concurrent migrators exit 0');
my $applied = () = join('', @outs) =~ /^applied 001_/mg;
is($applied, 1, 'the first file was applied exactly once');
is($t->psql_one('SELECT count(*) FROM schema_migrations'), scalar @files, 'one row per schema file');
my ($rc, $out, $err) = $t->ochctl('migrate');
is($rc, 0, 'migrate again exits 0');
like($out, qr/schema up to date/, 'nothing left to apply');
is($t->psql_one('SELECT count(*) FROM schema_migrations'), scalar @files, 'still one row per file');
is($t->psql_one("SELECT count(*) FROM plans WHERE name IN ('starter','professional','enterprise')"), 3, 'plans seeded once');
is($t->psql_one('SELECT count(*) FROM regions WHERE alias_of IS NULL'), 6, 'six regions');
is($t->psql_one("SELECT location FROM regions WHERE name = 'eu-frankfurt'"), 'fsn1', 'eu-frankfurt aliases Falkenstein');
is($t->psql_one("SELECT to_regclass('metrics_' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')) IS NOT NULL"), 't',
    "today's metrics partition exists");

# constraints that make bad states impossible
ok(!eval { $t->psql("INSERT INTO users (email) VALUES ('Not-Lower\@x.test')"); 1 }, 'upper-case email refused');
ok(!eval { $t->psql("UPDATE plans SET vcpus = 0 WHERE name = 'starter'"); 1 }, 'zero vcpus refused');
$t->psql("INSERT INTO users (email) VALUES ('c\@x.test')");
my $uid = $t->psql_one("SELECT id FROM users WHERE email = 'c\@x.test'");
$t->psql("INSERT INTO instances (slug, user_id, plan, region, whmcs_service_id) VALUES ('abc1', :'u', 'starter', 'eu-helsinki', 7)", u => $uid);
ok(!eval { $t->psql("INSERT INTO instances (slug, user_id, plan, region, whmcs_service_id) VALUES ('abc2', :'u', 'starter', 'eu-helsinki', 7)", u => $uid); 1 },
    'duplicate whmcs_service_id refused');
ok(!eval { $t->psql("UPDATE instances SET state = 'exploded'"); 1 }, 'unknown state refused');
ok(!eval { $t->psql("UPDATE instances SET plan = 'nope'"); 1 }, 'unknown plan refused');
$t->psql("INSERT INTO audit_log (actor_kind, action) VALUES ('system', 'test')");
ok(!eval { $t->psql('DELETE FROM audit_log'); 1 }, 'audit_log is append-only');

($rc, $out) = $t->ochctl('doctor');
is($rc, 0, 'doctor passes');
like($out, qr/ok\s+schema version \d+/, 'doctor reports the schema version');
($rc, $out, $err) = $t->ochctl('user', 'create-admin', 'Ops@Example.COM');
isnt($rc, 0, 'admin email with capitals refused (stored emails are lower case)');
($rc, $out) = $t->ochctl('user', 'create-admin', 'ops@example.com');
is($rc, 0, 'admin created');
($rc, $out) = $t->ochctl('user', 'create-admin', 'ops@example.com');
is($rc, 0, 'create-admin again is fine');
is($t->psql_one("SELECT role FROM users WHERE email = 'ops\@example.com'"), 'admin', 'role admin');
($rc, $out, $err) = $t->ochctl('user', 'create-admin', "x'; DROP TABLE users; --");
isnt($rc, 0, 'hostile email refused');
($rc, $out) = $t->ochctl('api-client', 'create', 'whmcs-main');
is($rc, 0, 'api client created');
my ($id) = $out =~ /^id:\s+(ak_[0-9a-f]+)$/m;
my ($secret) = $out =~ /^secret:\s+([0-9a-f]{64})$/m;
ok($id && $secret, 'id and secret printed once');
ok($t->psql_one("SELECT position(convert_to(:'s', 'UTF8') in secret_enc) = 0 FROM api_clients WHERE id = :'i'", s => $secret, i => $id) eq 't',
    'the stored secret does not contain the clear secret');
($rc) = $t->ochctl('frobnicate');
is($rc, 2, 'unknown command: usage, exit 2');

# configuration errors: one line naming the key
sub with_conf {
	my ($text, $mode) = @_;
	my $f = $t->dir . '/bad.conf';
	open my $fh, '>', $f; print $fh $text; close $fh;
	chmod $mode // 0600, $f;
	local $ENV{OCH_CONFIG} = $f;
	my $o = $t->_capture([ $t->bin('tools/ochctl'), 'doctor' ], \my $e);
	return ($? >> 8, $e);
}
my $db = $t->dburl;
($rc, $err) = with_conf("DATABASE_URL=$db\nHETZNER_API_URL=ftp://x\n");
is($rc, 1, 'bad URL stops the process');
like($err, qr/^config: 'HETZNER_API_URL' must start with http/, 'the line names the key');
is(scalar(() = $err =~ /\n/g), 1, 'exactly one line');
($rc, $err) = with_conf("DATABASE_URL=$db\nHETZNER_TOKEN=x\n");
like($err, qr/unknown key 'HETZNER_TOKEN'/, 'a typo is refused');
($rc, $err) = with_conf("HETZNER_API_URL=http://x\n");
like($err, qr/^config: 'DATABASE_URL' missing$/m, 'missing required key named');
($rc, $err) = with_conf("DATABASE_URL=$db\nOCH_MASTER_KEY=1234\n");
like($err, qr/'OCH_MASTER_KEY' must be 64 hex digits/, 'short master key refused');
($rc, $err) = with_conf("DATABASE_URL=$db\nJWT_SECRET=" . ('s' x 40) . "\n", 0644);
like($err, qr/must be mode 0600/, 'a secrets file readable by others is refused');
# browsers and VPSes reach API_URL and DASHBOARD_URL: TLS unless loopback
for my $k (qw(API_URL DASHBOARD_URL)) {
	for my $bad ('http://api.example.com', 'http://127.0.0.1.evil.example',
	    'http://localhost.example', 'http://user@127.0.0.1/', 'http://10.0.0.1:8080') {
		($rc, $err) = with_conf("DATABASE_URL=$db\n$k=$bad\n");
		is($rc, 1, "$k=$bad stops the process");
		like($err, qr/^config: '$k' must start with https:\/\/ \(http:\/\/ only for a loopback host\)/,
		    "$k=$bad: one clear line");
		is(scalar(() = $err =~ /\n/g), 1, "$k=$bad: exactly one line");
	}
	for my $good ('https://api.example.com', 'http://127.0.0.1:8080', 'http://localhost/',
	    'http://[::1]:9000', 'http://127.3.4.5') {
		($rc, $err) = with_conf("DATABASE_URL=$db\n$k=$good\n");
		unlike($err, qr/'$k'/, "$k=$good accepted");
	}
}
{
	local $ENV{POLLER_RUN_SECONDS} = 'abc';
	($rc, $err) = with_conf("DATABASE_URL=$db\n");
	like($err, qr/'POLLER_RUN_SECONDS' must be an integer \(environment\)/, 'environment values are validated too');
}

$t->done_testing;
