# instances.fcgi through nginx with HMAC: create (idempotent), read,
# actions with their state rules, SSO, plans, ping, audit; and the agent's
# ready call (agent.fcgi).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use Digest::SHA qw(sha256_hex);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(health instances agent)],
    config => { CLOUDFLARE_DOMAIN => 'och.test' });

my %order = (whmcs_service_id => 101, whmcs_client_id => 11,
    email => 'Alice@Example.com', plan => 'starter', region => 'eu-helsinki');
my $r = $t->signed(POST => '/api/v1/instances', \%order);
is($r->{status}, 201, 'order accepted: 201');
my $inst = $r->{json};
like($inst->{id}, qr/^[0-9a-f-]{36}$/, 'instance id');
like($inst->{slug}, qr/^oc-[0-9a-f]{8}$/, 'slug');
is($inst->{hostname}, "$inst->{slug}.och.test", 'hostname under the domain');
is($inst->{state}, 'pending', 'state pending');
is($inst->{desired_state}, 'active', 'desired active');
is($inst->{email}, 'alice@example.com', 'email stored lower-case');

$r = $t->signed(POST => '/api/v1/instances', \%order);
is($r->{status}, 200, 'the same order again: 200');
is($r->{json}{id}, $inst->{id}, 'the same instance');
is($t->psql_one('SELECT count(*) FROM instances'), 1, 'one instance row');
is($t->psql_one('SELECT count(*) FROM users'), 1, 'one user created');

$r = $t->signed(POST => '/api/v1/instances', { %order, whmcs_client_id => 12 });
is($r->{status}, 409, 'service id reused for another client: 409');
like($r->{json}{error}{message}, qr/whmcs_service_id/, 'the message names the field');

for my $case (
	[ { %order, whmcs_service_id => 102, plan => 'gold' }, 422, qr/^plan:/, 'unknown plan' ],
	[ { %order, whmcs_service_id => 102, region => 'mars-1' }, 422, qr/^region:/, 'unknown region' ],
	[ { %order, whmcs_service_id => 102, email => 'not-an-email' }, 422, qr/^email:/, 'bad email' ],
	[ { %order, whmcs_service_id => 102, email => "a\@b.test\r\nBcc: x\@y.test" }, 422, qr/^email:/, 'header injection in email' ],
	[ { %order, whmcs_service_id => -5 }, 400, qr/^whmcs_service_id:/, 'negative service id' ],
	[ { %order, whmcs_service_id => 1.5 }, 400, qr/^whmcs_service_id:/, 'fractional service id' ],
	[ { %order, whmcs_service_id => '12a' }, 400, qr/^whmcs_service_id:/, 'non-numeric service id' ],
	[ { %order, whmcs_service_id => 1e300 }, 400, qr/^whmcs_service_id:/, 'huge service id' ],
	[ { map { $_ => $order{$_} } grep { $_ ne 'email' } keys %order }, 400, qr/^email: required/, 'missing email' ],
	[ { %order, whmcs_service_id => 102, plan => [ 'starter' ] }, 400, qr/^plan:/, 'plan of the wrong type' ],
	[ { %order, whmcs_service_id => 102, plan => "starter'; DROP TABLE plans; --" }, 422, qr/^plan:/, 'SQL in the plan' ],
) {
	my ($body, $status, $re, $name) = @$case;
	$r = $t->signed(POST => '/api/v1/instances', $body);
	is($r->{status}, $status, "$name: $status");
	like($r->{json}{error}{message} // '', $re, "$name: names the field");
}
is($t->psql_one('SELECT count(*) FROM instances'), 1, 'no instance from bad orders');

$r = $t->signed(POST => '/api/v1/instances', { %order, whmcs_service_id => 103, region => 'eu-frankfurt' });
is($r->{status}, 201, 'the alias region is accepted');
is($r->{json}{region}, 'eu-falkenstein', 'and stored as its canonical region');
my $second = $r->{json}{id};

$r = $t->signed(GET => "/api/v1/instances/$inst->{id}");
is($r->{status}, 200, 'GET by id');
is($r->{json}{plan}, 'starter', 'plan');
ok(ref $r->{json}{events} eq 'ARRAY' && grep({ $_->{kind} eq 'order.created' } @{ $r->{json}{events} }),
    'recent events include the order');
$r = $t->signed(GET => '/api/v1/instances?whmcs_service_id=101');
is(scalar @{ $r->{json}{instances} }, 1, 'find by whmcs_service_id');
is($r->{json}{instances}[0]{id}, $inst->{id}, 'the right one');
$r = $t->signed(GET => '/api/v1/instances?whmcs_service_id=999');
is_deeply($r->{json}{instances}, [], 'unknown service id: empty list');
is($t->signed(GET => '/api/v1/instances?whmcs_service_id=abc')->{status}, 400, 'bad service id: 400');
$r = $t->signed(GET => '/api/v1/instances');
is(scalar @{ $r->{json}{instances} }, 2, 'list all');
is($t->signed(GET => '/api/v1/instances/00000000-0000-0000-0000-000000000000')->{status}, 404, 'unknown id: 404');
is($t->signed(GET => '/api/v1/instances/not-a-uuid')->{status}, 404, 'malformed id: 404');
is($t->http(GET => "/api/v1/instances/$inst->{id}")->{status}, 401, 'unsigned: 401');

# actions
my $id = $inst->{id};
sub act { my ($a, $b) = @_; $t->signed(POST => "/api/v1/instances/$id/$a", $b) }
$r = act('reboot');
is($r->{status}, 409, 'reboot while pending: 409');
like($r->{json}{error}{message}, qr/pending, not active/, 'with the reason');
$r = act('change-plan', { plan => 'professional' });
is($r->{status}, 202, 'change-plan before the server exists: 202');
is($r->{json}{plan}, 'professional', 'plan changed directly while pending');
$t->psql("UPDATE instances SET state = 'active' WHERE id = :'i'", i => $id);
$r = act('change-plan', { plan => 'enterprise' });
is($r->{status}, 202, 'change-plan while active: 202');
is($r->{json}{pending_plan}, 'enterprise', 'recorded as pending');
is($r->{json}{plan}, 'professional', 'current plan unchanged');
is(act('change-plan', { plan => 'nope' })->{status}, 422, 'change to unknown plan: 422');
is(act('change-plan', {})->{status}, 400, 'change-plan without plan: 400');
$r = act('suspend');
is($r->{status}, 202, 'suspend: 202');
is($r->{json}{desired_state}, 'suspended', 'desired suspended');
is(act('suspend')->{status}, 202, 'suspend again: 202 (idempotent)');
is($t->psql_one("SELECT count(*) FROM instance_events WHERE instance_id = :'i' AND kind = 'instance.suspend'", i => $id),
    1, 'one event for two suspends');
is(act('unsuspend')->{json}{desired_state}, 'active', 'unsuspend: desired active');
$r = act('reboot');
is($r->{status}, 202, 'reboot while active: 202');
is($r->{json}{pending_action}, 'reboot', 'reboot pending');
is(act('rebuild')->{status}, 409, 'rebuild while a reboot is pending: 409');
$r = act('terminate');
is($r->{status}, 202, 'terminate: 202');
is($r->{json}{desired_state}, 'terminated', 'desired terminated');
is(act('terminate')->{status}, 202, 'terminate again: 202');
is(act('unsuspend')->{status}, 409, 'unsuspend after terminate: 409');
is(act('suspend')->{status}, 409, 'suspend after terminate: 409');
is($t->signed(POST => '/api/v1/instances/00000000-0000-0000-0000-000000000000/suspend')->{status}, 404,
    'action on unknown instance: 404');

# SSO for the second instance
$r = $t->signed(POST => "/api/v1/instances/$second/sso");
is($r->{status}, 201, 'sso token issued');
like($r->{json}{url}, qr{/signin#sso=[0-9a-f]{64}$}, 'a one-time URL (the token in the fragment: no server log sees it)');
is($r->{json}{expires_in}, 60, 'valid 60 s');
my ($tok) = $r->{json}{url} =~ /sso=([0-9a-f]+)/;
is($t->psql_one("SELECT count(*) FROM sso_tokens WHERE token_hash = :'h'", h => sha256_hex($tok)), 1,
    'stored as a hash');

$r = $t->signed(GET => '/api/v1/plans');
is_deeply([ map { $_->{name} } @{ $r->{json}{plans} } ], [qw(starter professional enterprise)], 'plans in order');
$r = $t->signed(GET => '/api/v1/regions');
ok(!grep({ $_->{name} eq 'eu-frankfurt' } @{ $r->{json}{regions} }), 'aliases are not listed');
is(scalar @{ $r->{json}{regions} }, 6, 'six regions');
$r = $t->signed(GET => '/api/v1/ping');
is($r->{json}{status}, 'ok', 'ping');
my ($key) = $t->api_client;
is($r->{json}{client}, $key, 'ping names the client');

ok($t->psql_one("SELECT count(*) FROM audit_log WHERE actor_kind = 'api_client' AND actor_id = :'k'", k => $key) >= 30,
    'every call audited');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'instance.create' AND status = 422"), 5,
    'refused orders audited with their status');

# the ready call
my $boot = 'ab' x 32;
$t->psql("UPDATE instances SET state = 'booting', ipv4 = '127.77.0.9' WHERE id = :'i'", i => $second);
$t->psql("INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at) VALUES (:'h', :'i', now() + interval '2 hours')",
    h => sha256_hex($boot), i => $second);
$r = $t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => $boot });
is($r->{status}, 200, 'ready accepted');
is($r->{json}{instance_id}, $second, 'for its instance');
like($r->{json}{agent_token}, qr/^[0-9a-f]{64}$/, 'an agent token');
like($r->{json}{secrets}{gateway_token} // '', qr/^[0-9a-f]{48}$/, 'gateway token');
like($r->{json}{secrets}{node_exporter_password} // '', qr/^[0-9a-f]{48}$/, 'node_exporter password');
my $agent = $r->{json}{agent_token};
is($t->psql_one("SELECT state FROM instances WHERE id = :'i'", i => $second), 'active', 'instance active at once');
is($t->psql_one("SELECT count(*) FROM email_outbox WHERE instance_id = :'i' AND template = 'welcome'", i => $second), 1,
    'welcome email queued');
my ($payload) = $t->psql_one("SELECT payload::text FROM webhook_outbox WHERE instance_id = :'i' AND command = 'UpdateClientProduct'", i => $second);
like($payload // '', qr/"dedicatedip": "127\.77\.0\.9"/, 'WHMCS update queued with the IP');
like($payload // '', qr/"domain": "oc-[0-9a-f]{8}\.och\.test"/, 'and the domain');
is($t->psql_one("SELECT count(*) FROM agent_tokens WHERE token_hash = :'h' AND instance_id = :'i'", h => sha256_hex($agent), i => $second),
    1, 'agent token stored as a hash');
my $gw = $r->{json}{secrets}{gateway_token};
is($t->psql_one("SELECT count(*) FROM instance_secrets WHERE position(convert_to(:'g', 'UTF8') in value_enc) > 0", g => $gw), 0,
    'secrets stored encrypted');

$r = $t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => $boot });
is($r->{status}, 401, 'a used bootstrap token is refused');
is($t->psql_one("SELECT count(*) FROM email_outbox WHERE instance_id = :'i'", i => $second), 1, 'no second welcome email');
my $old = 'cd' x 32;
$t->psql("INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at) VALUES (:'h', :'i', now() - interval '1 second')",
    h => sha256_hex($old), i => $second);
is($t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => $old })->{status}, 401, 'an expired token is refused');
is($t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => 'x' })->{status}, 401, 'garbage token: 401');
is($t->http(POST => '/api/v1/agent/ready', body => {})->{status}, 401, 'no token: 401');
is($t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => 'a' x 5000 })->{status}, 413, 'huge body: 413');

# an order may pin the OpenClaw version; a bad one is refused
$r = $t->signed(POST => '/api/v1/instances', { %order, whmcs_service_id => 104, openclaw_version => '2026.9.6' });
is($r->{json}{openclaw_version}, '2026.9.6', 'the order pins the OpenClaw version');
is($t->signed(POST => '/api/v1/instances', { %order, whmcs_service_id => 105, openclaw_version => 'latest; rm -rf /' })->{status},
    400, 'a bad version: 400');

$t->done_testing;
