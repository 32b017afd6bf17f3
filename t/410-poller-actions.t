# The actions WHMCS asks for, through the signed API and och-poller, as
# the simulator sees them: suspend (poweroff), unsuspend (poweron), change
# plan (shutdown, change_type without disk upgrade, which starts the
# server again; poweroff after it while suspended), reboot, rebuild (a new bootstrap token,
# the ready call activates again, no second welcome email), terminate
# (server, DNS records and snapshots deleted, secrets, AI keys and
# channels wiped, tokens revoked); the customer emails of each.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.2',
    '--action-delay', '0.3', '--resend-rate', '50');
$t->start_api(binaries => [qw(health instances agent)],
    config => { BOOT_TIMEOUT => 20, POLLER_BACKOFF_MS => 200 });
$t->spawn(name => 'poller', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 120 });

my %HZ = (Authorization => "Bearer $OCH::Stack::SIM{hetzner_token}");
sub simget { $t->http(GET => "$sim$_[0]", headers => \%HZ)->{json} }
sub state { $t->psql_one('SELECT state FROM instances WHERE id = :\'id\'', id => $_[0]) }
sub col { $t->psql_one("SELECT $_[1] FROM instances WHERE id = :'id'", id => $_[0]) }
sub wait_state {
	my ($id, $want, $what) = @_;
	ok($t->wait_for(sub { state($id) eq $want && !defined col($id, 'pending_plan')
	    && !defined col($id, 'pending_action') }, timeout => 30), $what)
	    or diag explain [ $t->psql(q{SELECT kind, from_state, to_state, message FROM instance_events
		WHERE instance_id = :'id' ORDER BY id}, id => $id) ];
}
# The commands of the server's actions after action id $after, in order.
sub actions_after {
	my ($sid, $after) = @_;
	my $a = simget("/hetzner/v1/servers/$sid/actions?sort=id:asc&per_page=50")->{actions} // [];
	return [ map { $_->{command} } grep { $_->{id} > $after } @$a ];
}
sub last_action {
	my ($sid) = @_;
	my $a = simget("/hetzner/v1/servers/$sid/actions?sort=id:asc&per_page=50")->{actions} // [];
	return @$a ? $a->[-1]{id} : 0;
}
sub server { simget("/_sim/servers/$_[0]") // {} }
sub emails {
	my ($to, $tmpl) = @_;
	return scalar grep { my %t = map { $_->{name} => $_->{value} } @{ $_->{tags} // [] };
	    $_->{to}[0] eq $to && ($t{template} // '') eq $tmpl } @{ simget('/_sim/emails')->{emails} };
}
sub act {
	my ($id, $what, $body) = @_;
	my $r = $t->signed(POST => "/api/v1/instances/$id/$what", $body);
	is($r->{status}, 202, "$what accepted") or diag $r->{content};
}

my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 77, whmcs_client_id => 7,
    email => 'owner@example.test', plan => 'starter', region => 'eu-nuremberg' });
is($r->{status}, 201, 'order accepted');
my $id = $r->{json}{id};
my $host = $r->{json}{hostname};
wait_state($id, 'active', 'active');
my $sid = col($id, 'hetzner_server_id');
is(server($sid)->{location}, 'nbg1', 'created in the region\'s location');
is(server($sid)->{server_type}, 'cx23', 'with the plan\'s server type');
ok($t->wait_for(sub { emails('owner@example.test', 'welcome') == 1 }, timeout => 10), 'welcome email');

# ---- suspend / unsuspend
my $mark = last_action($sid);
act($id, 'suspend');
wait_state($id, 'suspended', 'suspended');
is_deeply(actions_after($sid, $mark), ['stop_server'], 'suspend: poweroff');
is(server($sid)->{status}, 'off', 'the server is off');
ok($t->wait_for(sub { emails('owner@example.test', 'suspended') == 1 }, timeout => 10), 'suspended email');
act($id, 'suspend');
$mark = last_action($sid);
act($id, 'unsuspend');
wait_state($id, 'active', 'active again');
is_deeply(actions_after($sid, $mark), ['start_server'], 'unsuspend: poweron');
is(server($sid)->{status}, 'running', 'the server runs');
ok($t->wait_for(sub { emails('owner@example.test', 'unsuspended') == 1 }, timeout => 10), 'unsuspended email');

# ---- change plan while running
$mark = last_action($sid);
act($id, 'change-plan', { plan => 'professional' });
wait_state($id, 'active', 'active after the plan change');
is_deeply(actions_after($sid, $mark), [qw(shutdown_server change_server_type)],
    'change plan: shutdown, change_type (which starts the server again)');
is(col($id, 'plan'), 'professional', 'the plan is recorded');
is(server($sid)->{server_type}, 'cx33', 'the server has the new type');
is(server($sid)->{status}, 'running', 'and runs');
my $hist = join ',', map { $_->[0] } $t->psql(q{SELECT kind FROM instance_events WHERE instance_id = :'id'
	AND kind IN ('state.resizing', 'hetzner.shutdown', 'hetzner.change_type', 'hetzner.poweron', 'plan.changed')
	ORDER BY id}, id => $id);
is($hist, 'state.resizing,hetzner.shutdown,hetzner.change_type,plan.changed',
    'each step in the history');

# ---- change plan while suspended: no poweron
act($id, 'suspend');
wait_state($id, 'suspended', 'suspended');
$mark = last_action($sid);
act($id, 'change-plan', { plan => 'enterprise' });
wait_state($id, 'suspended', 'still suspended after the plan change');
is_deeply(actions_after($sid, $mark), [qw(change_server_type stop_server)],
    'while suspended: change_type, then poweroff (change_type started it)');
is(server($sid)->{server_type}, 'cx43', 'the server has the new type');
is(server($sid)->{status}, 'off', 'and is off');
act($id, 'unsuspend');
wait_state($id, 'active', 'active');

# ---- reboot
$mark = last_action($sid);
act($id, 'reboot');
wait_state($id, 'active', 'active after the reboot');
is_deeply(actions_after($sid, $mark), ['reboot_server'], 'reboot');

# ---- rebuild: new token, ready again
$mark = last_action($sid);
my $tokens = $t->psql_one(q{SELECT count(*) FROM bootstrap_tokens WHERE instance_id = :'id'}, id => $id);
act($id, 'rebuild');
ok($t->wait_for(sub { $t->psql_one(q{SELECT count(*) FROM instance_events WHERE instance_id = :'id'
	AND kind = 'state.active' AND from_state = 'rebuilding'}, id => $id) == 1 }, timeout => 30),
    'the rebuilt VPS called ready and the instance is active');
is(state($id), 'active', 'active');
is_deeply(actions_after($sid, $mark), ['rebuild_server'], 'rebuild');
is($t->psql_one(q{SELECT count(*) FROM bootstrap_tokens WHERE instance_id = :'id'}, id => $id), $tokens + 1,
    'a new bootstrap token for the rebuild');
is($t->psql_one(q{SELECT count(*) FROM bootstrap_tokens WHERE instance_id = :'id' AND used_at IS NULL}, id => $id), 0,
    'and it was used');
is($t->psql_one(q{SELECT count(*) FROM agent_tokens WHERE instance_id = :'id' AND revoked_at IS NULL}, id => $id), 1,
    'one live agent token');
sleep 1;	# let the outbox run: it must not send a second welcome
is(emails('owner@example.test', 'welcome'), 1, 'no second welcome email');

# ---- terminate
$t->psql(q{INSERT INTO instance_secrets (instance_id, name, value_enc) VALUES (:'id', 'probe', '\x00')}, id => $id);
# the customer's AI keys and channel credentials (sealed, but still theirs)
$t->psql(q{INSERT INTO ai_keys (instance_id, provider, key_enc, last4) VALUES (:'id', 'openai', '\x00', 'abcd')}, id => $id);
$t->psql(q{INSERT INTO channels (instance_id, kind, secret_enc) VALUES (:'id', 'telegram', '\x00')}, id => $id);
my $records = grep { $_->{name} eq $host } @{ simget('/_sim/dns')->{records} // [] };
is($records, 2, 'A and AAAA records exist');
act($id, 'terminate');
ok($t->wait_for(sub { state($id) eq 'terminated' }, timeout => 30), 'terminated');
ok(!grep({ $_->{id} == $sid } @{ simget('/_sim/servers')->{servers} }), 'the server is gone');
is(scalar(grep { $_->{name} eq $host } @{ simget('/_sim/dns')->{records} // [] }), 0, 'the DNS records are gone');
is($t->psql_one(q{SELECT count(*) FROM instance_secrets WHERE instance_id = :'id'}, id => $id), 0, 'secrets wiped');
is($t->psql_one(q{SELECT count(*) FROM ai_keys WHERE instance_id = :'id'}, id => $id), 0, 'AI keys wiped');
is($t->psql_one(q{SELECT count(*) FROM channels WHERE instance_id = :'id'}, id => $id), 0, 'channels wiped');
is($t->psql_one(q{SELECT count(*) FROM agent_tokens WHERE instance_id = :'id' AND revoked_at IS NULL}, id => $id), 0,
    'agent tokens revoked');
ok(defined col($id, 'terminated_at'), 'terminated_at recorded');
ok($t->wait_for(sub { emails('owner@example.test', 'terminated') == 1 }, timeout => 10), 'terminated email');
ok($t->psql_one(q{SELECT count(*) FROM instance_events WHERE instance_id = :'id'}, id => $id) > 20,
    'the row and its history stay');
$r = $t->signed(POST => "/api/v1/instances/$id/unsuspend");
is($r->{status}, 409, 'nothing brings a terminated instance back');

# ---- an order cancelled before the poller saw it
$t->stop('poller');
$r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 78, whmcs_client_id => 7,
    email => 'owner@example.test', plan => 'starter', region => 'eu-helsinki' });
my $id2 = $r->{json}{id};
act($id2, 'terminate');
$t->spawn(name => 'poller2', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 30 });
ok($t->wait_for(sub { state($id2) eq 'terminated' }, timeout => 20), 'a cancelled order ends terminated');
is(col($id2, 'hetzner_server_id'), undef, 'without ever creating a server');

$t->done_testing;
