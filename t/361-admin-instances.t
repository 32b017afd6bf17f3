# admin.fcgi instances: search and paging, the full picture of one
# instance, retry of a failed instance (as ochctl), intents with the
# billing API's rules, agent commands, the provisioning queue and the
# WHMCS drift report.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of magic_login);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_api(binaries => [qw(instances auth admin)]);

# an admin signs in with the magic link from the simulator's mailbox
sub admin_login {
	my ($email) = @_;
	$t->ochctl('user', 'create-admin', $email);
	return session_of(magic_login($t, $email));
}
my $adm = admin_login('ops@example.com');
my $admin_id = $t->psql_one("SELECT id FROM users WHERE email = 'ops\@example.com'");
my $A = '/api/v1/admin';
sub get { $t->http(GET => $_[0], headers => $adm) }
sub post { $t->http(POST => $_[0], headers => $adm, defined $_[1] ? (body => $_[1]) : ()) }

my @ids;
for my $n (1 .. 3) {
	push @ids, $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 700 + $n,
	    whmcs_client_id => $n, email => "buyer$n\@example.com", plan => 'starter',
	    region => 'eu-helsinki' })->{json}{id};
	# distinct creation times, oldest first
	$t->psql("UPDATE instances SET created_at = now() - make_interval(mins => :'m'::int) WHERE id = :'i'",
	    m => 10 - $n, i => $ids[-1]);
}
my %slug = map { $_->[0] => $_->[1] } $t->psql('SELECT id, slug FROM instances');

# list and search
my $r = get("$A/instances");
is($r->{status}, 200, 'list');
is($r->{json}{total}, 3, 'total count');
is_deeply([ map { $_->{id} } @{ $r->{json}{instances} } ], [ reverse @ids ], 'newest first');
$r = get("$A/instances?limit=2&offset=2");
is($r->{json}{total}, 3, 'total is the whole match, not the page');
is_deeply([ map { $_->{id} } @{ $r->{json}{instances} } ], [ $ids[0] ], 'offset pages');
sub found { [ map { $_->{id} } @{ get("$A/instances?$_[0]")->{json}{instances} } ] }
is_deeply(found('q=702'), [ $ids[1] ], 'search by WHMCS service id');
is_deeply(found('q=BUYER3%40example'), [ $ids[2] ], 'search by email, any case');
is_deeply(found("q=$slug{$ids[0]}"), [ $ids[0] ], 'search by slug');
is_deeply(found("q=$slug{$ids[1]}.och.test"), [ $ids[1] ], 'search by hostname');
is_deeply(found("q=$ids[2]"), [ $ids[2] ], 'search by id');
is_deeply(found('q=nothing-like-this'), [], 'no match');
is_deeply(found("q=%25"), [], 'a LIKE wildcard is just a character');
$t->psql("UPDATE instances SET state = 'failed', failed_state = 'creating', last_error = 'server_limit: quota'"
    . " WHERE id = :'i'", i => $ids[0]);
is_deeply(found('state=failed'), [ $ids[0] ], 'filter by state');
is_deeply(found('state=failed&q=buyer2'), [], 'state and search together');
is(get("$A/instances?state=bogus")->{status}, 400, 'unknown state: 400');
is(get("$A/instances?limit=0")->{status}, 400, 'limit 0: 400');
is(get("$A/instances?limit=abc")->{status}, 400, 'limit not a number: 400');
is(get("$A/instances?q=%0a")->{status}, 400, 'a control character in q: 400');

# one instance in full
$t->psql("INSERT INTO agent_reports (instance_id, version, health) VALUES (:'i', '2026.9.6', '{\"gateway\":\"ok\"}')",
    i => $ids[1]);
$t->psql("INSERT INTO webhook_outbox (instance_id, target, command, payload, status)"
    . " VALUES (:'i', 'whmcs', 'UpdateClientProduct', '{\"serviceid\":702,\"status\":\"Active\",\"password\":\"x\"}', 'failed')",
    i => $ids[1]);
$r = get("$A/instances/$ids[1]");
is($r->{status}, 200, 'one instance');
is($r->{json}{slug}, $slug{$ids[1]}, 'the right one');
is($r->{json}{events}[-1]{kind}, 'order.created', 'with its history');
is($r->{json}{agent_report}{version}, '2026.9.6', 'the last agent report');
is($r->{json}{agent_report}{health}{gateway}, 'ok', 'health as JSON');
is_deeply($r->{json}{pending_commands}, [], 'no pending commands');
is($r->{json}{outbox}{webhook}[0]{status}, 'failed', 'its outbox rows');
ok(!exists $r->{json}{outbox}{webhook}[0]{payload}{password}, 'without a password field');
is(get("$A/instances/00000000-0000-4000-8000-000000000000")->{status}, 404, 'unknown id: 404');
is(get("$A/instances/not-a-uuid")->{status}, 404, 'malformed id: 404');

# retry of a failed instance
$r = post("$A/instances/$ids[0]/retry");
is($r->{status}, 202, 'retry of a failed instance: 202');
is($r->{json}{state}, 'creating', 'it resumes at its failed step');
is($r->{json}{attempts}, 0, 'attempts reset');
ok(!defined $r->{json}{last_error}, 'error cleared');
is($t->psql_one("SELECT actor FROM instance_events WHERE instance_id = :'i' AND kind = 'state.retry'", i => $ids[0]),
    "admin:$admin_id", 'history names the admin');
is(post("$A/instances/$ids[0]/retry")->{status}, 409, 'retry of an instance that is not failed: 409');
is(post("$A/instances/00000000-0000-4000-8000-000000000000/retry")->{status}, 404, 'retry of no instance: 404');
is($t->psql_one("SELECT detail->>'resumes_at' FROM audit_log WHERE action = 'admin.instance.retry' AND status = 202"),
    'creating', 'audited with the step');

# intents, with the billing API's rules
$r = post("$A/instances/$ids[2]/suspend");
is($r->{status}, 202, 'suspend: 202');
is($r->{json}{desired_state}, 'suspended', 'intent recorded');
is(post("$A/instances/$ids[2]/suspend")->{status}, 202, 'again: a no-op 202');
is($t->psql_one("SELECT count(*) FROM instance_events WHERE instance_id = :'i' AND kind = 'instance.suspend'",
    i => $ids[2]), 1, 'recorded once');
is($t->psql_one("SELECT actor FROM instance_events WHERE instance_id = :'i' AND kind = 'instance.suspend'",
    i => $ids[2]), "admin:$admin_id", 'by the admin');
is(post("$A/instances/$ids[2]/terminate")->{status}, 202, 'terminate: 202');
$r = post("$A/instances/$ids[2]/unsuspend");
is($r->{status}, 409, 'unsuspending a terminated instance: 409');
like($r->{json}{error}{message}, qr/terminated/, 'saying why');

# agent commands
my $act = $ids[1];
is(post("$A/instances/$act/commands", { type => 'restart' })->{status}, 409, 'a command for an instance not active: 409');
$t->psql("UPDATE instances SET state = 'active' WHERE id = :'i'", i => $act);
$r = post("$A/instances/$act/commands", { type => 'restart' });
is($r->{status}, 202, 'restart queued');
is($r->{json}{status}, 'queued', 'as queued');
$r = post("$A/instances/$act/commands", { type => 'update', args => { version => '2026.10.2' } });
is($r->{status}, 202, 'update queued');
is_deeply($r->{json}{args}, { version => '2026.10.2' }, 'with its version');
is(post("$A/instances/$act/commands", { type => 'update' })->{status}, 400, 'update without a version: 400');
is(post("$A/instances/$act/commands", { type => 'update', args => { version => '1.0; rm -rf /' } })->{status}, 400,
    'a hostile version: 400');
is(post("$A/instances/$act/commands", { type => 'update', args => { version => '2026.10.2', x => 1 } })->{status}, 400,
    'extra args: 400');
is(post("$A/instances/$act/commands", { type => 'restart', args => { now => 1 } })->{status}, 400, 'args for restart: 400');
is(post("$A/instances/$act/commands", { type => 'backup_create' })->{status}, 400, 'another command type: 400');
is(post("$A/instances/$act/commands", { type => 'restart', args => [] })->{status}, 400, 'args not an object: 400');
is_deeply([ map { $_->{type} } @{ get("$A/instances/$act")->{json}{pending_commands} } ], [ 'restart', 'update' ],
    'pending commands in the instance view');
is($t->psql_one("SELECT created_by FROM instance_commands WHERE kind = 'update'"), "admin:$admin_id",
    'queued in the name of the admin');

# the provisioning queue
$t->psql("UPDATE instances SET state = 'failed', failed_state = 'booting', last_error = 'boot timeout',"
    . " attempts = 5 WHERE id = :'i'", i => $ids[0]);
$t->psql("INSERT INTO email_outbox (template, to_email, created_at) VALUES ('welcome', 'x\@example.com', now() - interval '2 minutes')");
$r = get("$A/queue");
is($r->{status}, 200, 'queue');
my %q = map { $_->{id} => $_ } @{ $r->{json}{queue} };
ok(exists $q{$ids[2]}, 'a terminated-but-not-yet instance is in the queue');
is($q{$ids[2]}{desired_state}, 'terminated', 'with what it is heading for');
ok(!exists $q{$act}, 'a settled instance is not');
is_deeply([ map { $_->{id} } @{ $r->{json}{failed} } ], [ $ids[0] ], 'failed instances');
is($r->{json}{failed}[0]{failed_state}, 'booting', 'with the step they failed at');
is($r->{json}{failed}[0]{last_error}, 'boot timeout', 'and the error');
ok($r->{json}{outbox}{email}{pending} >= 1, 'email outbox backlog');
ok($r->{json}{outbox}{email}{oldest_pending_age_s} >= 100, 'with the age of the oldest');
is($r->{json}{outbox}{webhook}{failed}, 1, 'failed WHMCS updates');

# WHMCS drift: what WHMCS was last told or did, against our state
$r = get("$A/whmcs-sync");
is($r->{status}, 200, 'whmcs-sync');
my %d = map { $_->{id} => $_ } @{ $r->{json}{drift} };
is_deeply($d{$act}{reasons}, [ 'update_failed' ], 'a failed update is drift');
$t->psql("UPDATE webhook_outbox SET status = 'sent', sent_at = now() WHERE instance_id = :'i'", i => $act);
$r = get("$A/whmcs-sync");
ok(!grep({ $_->{id} eq $act } @{ $r->{json}{drift} }), 'told Active and active: in sync');
$t->psql("UPDATE instances SET state = 'suspended', desired_state = 'suspended' WHERE id = :'i'", i => $act);
$r = get("$A/whmcs-sync");
%d = map { $_->{id} => $_ } @{ $r->{json}{drift} };
is_deeply($d{$act}{reasons}, [ 'status_mismatch' ], 'suspended here but Active in WHMCS: drift');
is($d{$act}{whmcs_status}, 'Active', "WHMCS's status");
is($d{$act}{expected_whmcs_status}, 'Suspended', 'and ours');
# a suspend WHMCS asked for itself: WHMCS knows
$t->psql("UPDATE instances SET state = 'active', desired_state = 'active' WHERE id = :'i'", i => $act);
my $s = $t->signed(POST => "/api/v1/instances/$act/suspend");
is($s->{status}, 202, 'WHMCS suspends it');
$t->psql("UPDATE instances SET state = 'suspended' WHERE id = :'i'", i => $act);
$r = get("$A/whmcs-sync");
ok(!grep({ $_->{id} eq $act } @{ $r->{json}{drift} }), 'a suspend WHMCS asked for is not drift');

$t->done_testing;
