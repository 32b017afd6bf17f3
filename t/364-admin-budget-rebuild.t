# Two of the admin panel's fleet tools over the real stack (och-cloudsim
# for Hetzner): Hetzner's request budget as the poller last saw it, in
# GET /api/v1/admin/stats (null before any poller has talked to Hetzner;
# then the simulator's RateLimit-* values, kept with the heartbeat in
# the database so any host's admin.fcgi reads it); and the rebuild action
# (POST /api/v1/admin/instances/{id}/rebuild): refused to a customer and
# without the CSRF token, 409 unless active, recorded with the admin as
# the actor, carried out by the poller (the simulator sees rebuild_server
# and the instance is active again), audited.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use POSIX qw(WNOHANG);
use OCH::Test;
use OCH::Login qw(session_of magic_login sso_login);

my $t = OCH::Test->new;
$t->start_pg;
# a distinctive hourly budget, so the number below can only come from it
my $sim = $t->start_sim('--rate-limit', '1800', '--boot-delay', '0.2',
    '--create-delay', '0.2', '--action-delay', '0.2');
$t->start_api(binaries => [qw(instances agent auth admin)],
    config => { BOOT_TIMEOUT => 20, POLLER_BACKOFF_MS => 200 });

my ($rc, undef, $err) = $t->ochctl('user', 'create-admin', 'ops@example.com');
is($rc, 0, 'an admin') or diag $err;
my $adm = session_of(magic_login($t, 'ops@example.com'));
my $admin_id = $t->psql_one(q{SELECT id FROM users WHERE email = 'ops@example.com'});
my $A = '/api/v1/admin';

sub ended { my $p = shift; $p->{dead} ||= waitpid($p->{pid}, WNOHANG) == $p->{pid}; $p->{dead} }
my $runs = 0;
sub poller_run {
	my ($secs) = @_;
	my $p = $t->spawn(name => 'poller-' . ++$runs, cmd => [ $t->bin('poller/och-poller'), 'provision' ],
	    env => { $t->env, POLLER_RUN_SECONDS => $secs });
	return $p;
}
sub state { $t->psql_one(q{SELECT state FROM instances WHERE id = :'i'}, i => $_[0]) }

# ---- the budget: none seen yet
my $r = $t->http(GET => "$A/stats", headers => $adm);
is($r->{status}, 200, 'GET /admin/stats');
ok(exists $r->{json}{hetzner_budget} && !defined $r->{json}{hetzner_budget},
    'hetzner_budget is null before any poller has talked to Hetzner');

# the simulator's bucket is nearly spent
$r = $t->http(POST => "$sim/_sim/ratelimit", body => { hetzner => { remaining => 700 } });
is($r->{status}, 200, 'the simulated Hetzner budget: 700 of 1800 left');

my $o = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 3640, whmcs_client_id => 364,
    email => 'owner364@example.com', plan => 'starter', region => 'eu-helsinki' });
is($o->{status}, 201, 'an order');
my $id = $o->{json}{id};
my $p = poller_run(10);
ok($t->wait_for(sub { state($id) eq 'active' }, timeout => 60), 'the poller provisioned it');
ok($t->wait_for(sub { ended($p) }, timeout => 60), 'the poller run ended');
my $left = $t->http(GET => "$sim/_sim/ratelimit")->{json}{hetzner}{remaining};

$r = $t->http(GET => "$A/stats", headers => $adm);
my $b = $r->{json}{hetzner_budget};
ok(ref $b eq 'HASH', 'hetzner_budget after a poller run') or diag explain $r->{json};
is($b->{limit}, 1800, 'its limit is the RateLimit-Limit Hetzner sent');
ok(defined $b->{remaining} && $b->{remaining} < 700 && $b->{remaining} >= $left - 60,
    "remaining: what the last answer said, below the 700 the run began with ($b->{remaining}; the simulator now has $left)");
like($b->{reset_at} // '', qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'reset_at: when the budget is full again');
like($b->{seen_at} // '', qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'seen_at: when it was seen');
ok(defined $b->{reset_in_seconds} && $b->{reset_in_seconds} > 0, 'and the seconds until then');
like($b->{poller} // '', qr/^provision@\S+$/, 'the poller (mode@host) that saw it');
is($t->psql_one(q{SELECT count(*) FROM poller_heartbeats WHERE hetzner_seen_at IS NOT NULL}), 1,
    'kept with the heartbeat in the database');

# ---- rebuild
my $cust = session_of(sso_login($t, $id));
$r = $t->http(POST => "$A/instances/$id/rebuild", headers => $cust);
is($r->{status}, 403, "a customer cannot use the admin's rebuild");
my %nocsrf = %$adm;
delete $nocsrf{'X-CSRF-Token'};
$r = $t->http(POST => "$A/instances/$id/rebuild", headers => \%nocsrf);
is($r->{status}, 403, 'without the CSRF token: 403');
is($t->psql_one(q{SELECT pending_action FROM instances WHERE id = :'i'}, i => $id), undef,
    'neither recorded a rebuild');
$r = $t->http(POST => "$A/instances/00000000-0000-4000-8000-000000000000/rebuild", headers => $adm);
is($r->{status}, 404, 'an unknown instance: 404');

my $sid = $t->psql_one(q{SELECT hetzner_server_id FROM instances WHERE id = :'i'}, i => $id);
$r = $t->http(POST => "$A/instances/$id/rebuild", headers => $adm);
is($r->{status}, 202, 'the admin asks for a rebuild: 202') or diag explain $r->{json};
is($r->{json}{pending_action}, 'rebuild', 'the answer is the instance with the rebuild pending');
is($t->psql_one(q{SELECT actor FROM instance_events WHERE instance_id = :'i' AND kind = 'instance.rebuild'}, i => $id),
    "admin:$admin_id", 'the history names the admin');
$r = $t->http(POST => "$A/instances/$id/rebuild", headers => $adm);
is($r->{status}, 202, 'asking again: 202');
is($t->psql_one(q{SELECT count(*) FROM instance_events WHERE instance_id = :'i' AND kind = 'instance.rebuild'}, i => $id),
    1, 'and nothing recorded twice');
$p = poller_run(20);
ok($t->wait_for(sub { $t->psql_one(q{SELECT count(*) FROM instance_events WHERE instance_id = :'i'
    AND from_state = 'rebuilding' AND to_state = 'active'}, i => $id) == 1 }, timeout => 60),
    'the poller rebuilt the server and the instance came back') or diag explain [ $t->psql(
    q{SELECT kind, from_state, to_state, message FROM instance_events WHERE instance_id = :'i' ORDER BY id}, i => $id) ];
my %HZ = (Authorization => "Bearer $OCH::Stack::SIM{hetzner_token}");
my $acts = $t->http(GET => "$sim/hetzner/v1/servers/$sid/actions?per_page=50", headers => \%HZ)->{json}{actions} // [];
is(scalar(grep { $_->{command} eq 'rebuild_server' } @$acts), 1, 'Hetzner saw one rebuild_server');
$r = $t->http(POST => "$A/instances/$id/suspend", headers => $adm);
is($r->{status}, 202, 'then a suspend');
ok($t->wait_for(sub { state($id) eq 'suspended' }, timeout => 60), 'carried out');
ok($t->wait_for(sub { ended($p) }, timeout => 60), 'the poller run ended');
$r = $t->http(POST => "$A/instances/$id/rebuild", headers => $adm);
is($r->{status}, 409, 'a suspended instance cannot be rebuilt: 409');
like($r->{json}{error}{message} // '', qr/suspended, not active/, 'the message says why');

my @audit = $t->psql(q{SELECT actor_kind, actor_id, status FROM audit_log
    WHERE action = 'admin.instance.rebuild' AND object_id = :'i' ORDER BY id}, i => $id);
is_deeply([ map { "$_->[0]:$_->[1]:$_->[2]" } @audit ],
    [ "admin:$admin_id:202", "admin:$admin_id:202", "admin:$admin_id:409" ],
    'the audit log holds each rebuild call with the admin and the outcome');
$t->done_testing;
