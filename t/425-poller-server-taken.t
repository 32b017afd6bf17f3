# A server id that another instance row already holds (stale data, a
# restored database) fails the new instance at once with a clear error
# instead of retrying the step in a loop and spending Hetzner's budget.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.1', '--action-delay', '0.1');
$t->start_api(binaries => [qw(instances agent)], config => { BOOT_TIMEOUT => 20, POLLER_MAX_ATTEMPTS => 3 });
$t->spawn(name => 'poller', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 120 });
sub order { $t->signed(POST => '/api/v1/instances', { whmcs_service_id => $_[0], whmcs_client_id => $_[0],
    email => "t$_[0]\@example.com", plan => 'starter', region => 'eu-helsinki' })->{json}{id} }
sub state_of { $t->psql_one("SELECT state FROM instances WHERE id = :'i'", i => $_[0]) }

my $a = order(1);
ok($t->wait_for(sub { state_of($a) eq 'active' }, timeout => 30), 'first instance active');
my $sid = $t->psql_one("SELECT hetzner_server_id FROM instances WHERE id = :'i'", i => $a);
# the simulator hands out ids in order: claim the next one for A
$t->psql("UPDATE instances SET hetzner_server_id = :'n' WHERE id = :'i'", n => $sid + 1, i => $a);
$t->http(DELETE => "$sim/_sim/stats");
my $b = order(2);
ok($t->wait_for(sub { state_of($b) eq 'failed' }, timeout => 30), 'the second instance fails');
like($t->psql_one("SELECT last_error FROM instances WHERE id = :'i'", i => $b) // '', qr/recorded for another instance/,
    'with the reason');
my $st = $t->http(GET => "$sim/_sim/stats")->{json};
my $n = 0;
$n += $_ for values %{ $st->{hetzner} // {} };
cmp_ok($n, '<', 20, "no loop: $n Hetzner requests");
is(state_of($a), 'active', 'the first instance is untouched');
$t->done_testing;
