# Plans outside Hetzner's EU locations: the cost-optimised cx types are
# not sold in Ashburn, Hillsboro or Singapore, so a plan there runs on the
# type plan_server_types names, for a new server and for a plan change.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.1', '--action-delay', '0.1');
$t->start_api(binaries => [qw(instances agent)], config => { BOOT_TIMEOUT => 20 });
$t->spawn(name => 'poller', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 120 });

sub server_of {
	my ($id) = @_;
	my $r = $t->http(GET => "$sim/hetzner/v1/servers?label_selector=och-instance%3D$id",
	    headers => { Authorization => "Bearer $OCH::Stack::SIM{hetzner_token}" });
	return $r->{json}{servers}[0];
}
sub state_of { $t->psql_one("SELECT state FROM instances WHERE id = :'i'", i => $_[0]) }

my %want = ('us-ashburn' => [ 'ash', 'cpx22' ], 'ap-singapore' => [ 'sin', 'cpx22' ],
    'eu-nuremberg' => [ 'nbg1', 'cx23' ]);
my %ids;
my $n = 0;
for my $region (sort keys %want) {
	$n++;
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => $n, whmcs_client_id => $n,
	    email => "r$n\@example.com", plan => 'starter', region => $region });
	$ids{$region} = $r->{json}{id};
}
for my $region (sort keys %want) {
	my $id = $ids{$region};
	ok($t->wait_for(sub { state_of($id) eq 'active' }, timeout => 30), "$region: active");
	my $srv = server_of($id);
	is($srv->{location}{name}, $want{$region}[0], "$region: in $want{$region}[0]");
	is($srv->{server_type}{name}, $want{$region}[1], "$region: starter runs on $want{$region}[1]");
}
my $id = $ids{'us-ashburn'};
is($t->signed(POST => "/api/v1/instances/$id/change-plan", { plan => 'professional' })->{status}, 202, 'plan change in Ashburn');
ok($t->wait_for(sub { (server_of($id)->{server_type}{name} // '') eq 'cpx32' && state_of($id) eq 'active'
    && $t->psql_one("SELECT plan FROM instances WHERE id = :'i' AND pending_plan IS NULL", i => $id) eq 'professional' },
    timeout => 30), 'professional in Ashburn runs on cpx32');
$t->done_testing;
