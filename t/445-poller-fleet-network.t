# VPS network hardening through Hetzner's own features (lib/fleetnet.h),
# och-poller against och-cloudsim: every server is created with the
# operator's SSH key and the one fleet Cloud Firewall (80/443 from anywhere,
# 9100 from CONTROL_PLANE_IPS, 22 from OPERATOR_SSH_RANGES), one key and
# one firewall for the whole fleet; a drifted rule and a removed attachment
# are put back; termination leaves no attachment behind; the user-data
# turns password login off; bad configuration values are refused at start;
# failed set-up requests are tried again without making anything twice.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.2', '--action-delay', '0.2');
my ($pub, $fp) = ssh_pubkey($t, 'operator');
$t->start_api(binaries => [qw(health instances agent)],
    config => { BOOT_TIMEOUT => 20, POLLER_BACKOFF_MS => 200, OPERATOR_SSH_KEY => $pub,
	OPERATOR_SSH_RANGES => '192.0.2.0/24, 2001:DB8:ffff::/48', CONTROL_PLANE_IPS => '127.0.0.1',
	FLEET_RECONCILE_SECONDS => 1 });

# --- the configuration is checked before anything runs
for my $bad ([ OPERATOR_SSH_RANGES => '10.0.0.1/8' ], [ OPERATOR_SSH_RANGES => 'anywhere' ],
    [ CONTROL_PLANE_IPS => '1.2.3.4 any' ], [ OPERATOR_SSH_KEY => 'ssh-ed25519 not-base64!' ],
    [ OPERATOR_SSH_KEY => 'ssh-rsa ' . (split ' ', $pub)[1] ]) {
	my $err;
	$t->_capture([ $t->bin('poller/och-poller'), 'provision' ], \$err, $t->env, $bad->[0] => $bad->[1]);
	ok($? != 0 && $err =~ /config: '\Q$bad->[0]\E'/, "refused: $bad->[0]=$bad->[1]") or diag($err);
}

# Hetzner trouble on the first set-up: the key's create fails, the
# firewall's is done but answered with an error; nothing is made twice
$t->http(POST => "$sim/_sim/faults", body => { rules => [
    { service => 'hetzner', route => 'POST /ssh_keys', script => ['503'] },
    { service => 'hetzner', route => 'POST /firewalls', script => ['error_but_created'] } ] });
$t->spawn(name => 'poller', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 120 });
my %HZ = (Authorization => "Bearer $OCH::Stack::SIM{hetzner_token}");
sub hzget { $t->http(GET => "$sim/hetzner/v1$_[0]", headers => \%HZ)->{json} }
sub hzpost { $t->http(POST => "$sim/hetzner/v1$_[0]", headers => \%HZ, body => $_[1]) }
sub state { $t->psql_one('SELECT state FROM instances WHERE id = :\'id\'', id => $_[0]) }
sub order {
	my ($n) = @_;
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 300 + $n, whmcs_client_id => 30 + $n,
	    email => "net$n\@example.test", plan => 'starter', region => 'eu-nuremberg' });
	is($r->{status}, 201, "order $n accepted") or diag $r->{content};
	return $r->{json}{id};
}

my @ids = map { order($_) } 1 .. 2;
ok($t->wait_for(sub { !grep { state($_) ne 'active' } @ids }, timeout => 40), 'both active')
    or diag explain [ $t->psql('SELECT state, last_error FROM instances') ];
my %inj = map { ($_->{route} => $_->{injected}) } @{ $t->http(GET => "$sim/_sim/faults")->{json}{rules} // [] };
is($inj{'POST /ssh_keys'}{503}, 1, 'the key\'s create met its 503');
is($inj{'POST /firewalls'}{error_but_created}, 1, 'the firewall\'s create met its error');
my @sids = map { 0 + $t->psql_one('SELECT hetzner_server_id FROM instances WHERE id = :\'id\'', id => $_) } @ids;

# --- one key, one firewall, on every server
my $keys = hzget('/ssh_keys')->{ssh_keys};
is(scalar @$keys, 1, 'one SSH key in the project');
is($keys->[0]{fingerprint}, $fp, '... the operator\'s (ssh-keygen\'s fingerprint)');
my $fws = hzget('/firewalls')->{firewalls};
is(scalar @$fws, 1, 'one firewall for the fleet');
my $fw = $fws->[0];
is($fw->{name}, 'och-fleet', 'named och-fleet');
my %rules = map { ($_->{port} => join(' ', sort @{ $_->{source_ips} })) } @{ $fw->{rules} };
is_deeply(\%rules, { 80 => '0.0.0.0/0 ::/0', 443 => '0.0.0.0/0 ::/0', 9100 => '127.0.0.1/32',
    22 => '192.0.2.0/24 2001:db8:ffff::/48' }, 'rules: 80/443 anywhere, 9100 control plane, 22 operator ranges');
is(scalar(grep { $_->{direction} eq 'in' && $_->{protocol} eq 'tcp' } @{ $fw->{rules} }), 4, 'all inbound tcp');
for my $i (0, 1) {
	my $s = $t->http(GET => "$sim/_sim/servers/$sids[$i]")->{json};
	is($s->{ssh_keys}[0]{fingerprint}, $fp, "server $i carries the operator's key");
	is_deeply([ map { $_->{id} } @{ $s->{firewalls} } ], [ $fw->{id} ], "server $i: the fleet firewall");
	ok((grep { $_ eq '/etc/ssh/sshd_config.d/00-och.conf' } @{ $s->{files} }), "server $i: sshd drop-in written");
}
my $created = $t->psql_one(q{SELECT count(*) FROM instance_events WHERE kind = 'server.created'});
is($created, 2, 'two servers created');

# --- drift is put back
my $r = hzpost("/firewalls/$fw->{id}/actions/set_rules", { rules => [ { direction => 'in', protocol => 'tcp',
    port => '22', source_ips => ['0.0.0.0/0'] } ] });
is($r->{status}, 201, 'someone opens 22 to the world and drops the rest');
ok($t->wait_for(sub { my $f = hzget("/firewalls/$fw->{id}")->{firewall};
    @{ $f->{rules} } == 4 && !grep { $_->{port} eq '22' && grep { $_ eq '0.0.0.0/0' } @{ $_->{source_ips} } }
    @{ $f->{rules} } }, timeout => 15), 'the poller puts the rules back');
$r = hzpost("/firewalls/$fw->{id}/actions/remove_from_resources",
    { remove_from => [ { type => 'server', server => { id => $sids[0] } } ] });
is($r->{status}, 201, 'someone removes the firewall from a server');
my $rm = $r->{json}{actions}[0]{id};
ok($t->wait_for(sub { hzget("/actions/$rm")->{action}{status} eq 'success' }), '... and it is removed');
ok($t->wait_for(sub { my $f = hzget("/servers/$sids[0]")->{server}{public_net}{firewalls};
    @$f == 1 && $f->[0]{id} == $fw->{id} && $f->[0]{status} eq 'applied' }, timeout => 15),
    'the poller applies it again');
is(scalar @{ hzget('/firewalls')->{firewalls} }, 1, 'still one firewall');

# --- termination: the server goes, and its attachment with it
$r = $t->signed(POST => "/api/v1/instances/$ids[1]/terminate");
is($r->{status}, 202, 'terminate accepted') or diag $r->{content};
ok($t->wait_for(sub { state($ids[1]) eq 'terminated' }, timeout => 30), 'terminated');
my $f = hzget("/firewalls/$fw->{id}")->{firewall};
ok(!grep({ ($_->{server}{id} // 0) == $sids[1] } @{ $f->{applied_to} }), 'no attachment left for its server');
ok((grep { ($_->{server}{id} // 0) == $sids[0] } @{ $f->{applied_to} }), 'the other server keeps it')
    or diag explain [$f, \@sids];
is($t->http(GET => "$sim/hetzner/v1/servers/$sids[1]", headers => \%HZ)->{status}, 404, 'its server is gone');
sleep 2;	# two more reconcile rounds: nothing tries to attach the gone server
is($t->psql_one(q{SELECT count(*) FROM instances WHERE last_error IS NOT NULL AND state <> 'terminated'}), 0,
    'no errors');
is(scalar(grep { ($_->{server}{id} // 0) == $sids[1] } @{ hzget("/firewalls/$fw->{id}")->{firewall}{applied_to} }),
    0, 'still none');

$t->done_testing;
