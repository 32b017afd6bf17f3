# The WHMCS module against the real control plane: a private PostgreSQL,
# och-cloudsim, nginx with the FastCGI binaries and och-poller, driven by
# the PHPUnit live suite (whmcs-module/tests/Live): create -> active ->
# client area -> SSO -> change package -> suspend -> unsuspend ->
# terminate, checked in the API and the simulator; a create whose answer
# is lost and retried makes one instance and one server; a wrong secret
# gives a clear TestConnection error.  Each PHPUnit case is one TAP
# assertion.  A missing component is a failure, never a skip.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use lib "$ENV{OCH_SRCDIR}/whmcs-module/tests";
use OCH::Test;
use PhpunitTap;

my $t = OCH::Test->new;
$t->start_pg;

my $have_sim = ok(-x $t->bin('sim/och-cloudsim'), 'och-cloudsim is built');
my $sim = $have_sim ? $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.2',
    '--action-delay', '0.3') : '';

# the binaries the flow needs; auth serves POST /api/v1/auth/sso (the SSO
# link's redemption), webhooks the ClientEdit hook
my @need = qw(health instances agent auth);
my @bins;
for my $b (@need) {
	my $built = -x $t->bin("cgi-bin/$b.fcgi");
	ok($built, "cgi-bin/$b.fcgi is built");
	push @bins, $b if $built;
}
my $api = $t->start_api(binaries => \@bins,
    config => { BOOT_TIMEOUT => 30, POLLER_BACKOFF_MS => 200 });

my $poller = $t->bin('poller/och-poller');
my $have_poller = ok(-x $poller, 'och-poller is built');
if ($have_poller && $have_sim) {
	$t->spawn(name => 'poller', cmd => [ $poller, 'provision' ],
	    env => { $t->env, POLLER_RUN_SECONDS => 600 });
}

my ($key, $secret) = $t->api_client;
PhpunitTap::run(suite => 'live', dir => $t->dir, env => {
	OCH_TEST_API_URL => $api,
	OCH_TEST_KEY => $key,
	OCH_TEST_SECRET => $secret,
	OCH_TEST_SIM_URL => $sim,
	OCH_TEST_SIM_TOKEN => $OCH::Stack::SIM{hetzner_token},
	OCH_TEST_PROVISIONER => ($have_sim && $have_poller) ? 1 : 0,
	OCH_TEST_PROVISION_TIMEOUT => 90,
});
$t->done_testing;
