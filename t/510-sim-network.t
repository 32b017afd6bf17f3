# och-cloudsim, Hetzner SSH keys and Cloud Firewalls: keys parsed and
# fingerprinted as Hetzner does (checked against ssh-keygen), servers
# created with keys (no root password) and firewalls, rules validated,
# apply/remove by server and by label selector through actions, set_rules,
# and what deleting a server or a firewall does.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $t = OCH::Test->new;
start_fast_sim($t);

# --- SSH keys
my ($pub, $fp) = ssh_pubkey($t, 'operator');
my ($pub2) = ssh_pubkey($t, 'other');
my $r = hz($t, 'POST', '/ssh_keys', { name => 'operator', public_key => "$pub\n", labels => { och => 'operator' } });
is($r->{status}, 201, 'create key: 201');
my $key = $r->{json}{ssh_key};
is($key->{fingerprint}, $fp, 'fingerprint is the MD5 one ssh-keygen prints');
is($key->{public_key}, $pub, 'public key kept (trailing newline dropped)');
is(hz($t, 'POST', '/ssh_keys', { name => 'operator', public_key => $pub2 })->{json}{error}{code},
    'uniqueness_error', 'same name: uniqueness_error');
$r = hz($t, 'POST', '/ssh_keys', { name => 'again', public_key => $pub });
is($r->{status}, 409, 'same key under another name: 409');
is($r->{json}{error}{details}{fields}[0]{name}, 'public_key', '... naming public_key');
for my $bad ('not a key', 'ssh-ed25519 AAAA', 'ssh-rsa ' . (split ' ', $pub)[1], 'ssh-dss AAAAB3NzaC1kc3MAAACBAP') {
	$r = hz($t, 'POST', '/ssh_keys', { name => 'bad', public_key => $bad });
	is($r->{json}{error}{details}{fields}[0]{name}, 'public_key', "refused: '" . substr($bad, 0, 12) . "...'");
}
is(scalar @{ hz($t, 'GET', '/ssh_keys')->{json}{ssh_keys} }, 1, 'nothing stored by the refused ones');
is(hz($t, 'GET', "/ssh_keys?fingerprint=$fp")->{json}{ssh_keys}[0]{id}, $key->{id}, 'find by fingerprint');
is(hz($t, 'GET', '/ssh_keys?label_selector=och=operator')->{json}{meta}{pagination}{total_entries}, 1,
    'label selector');
$r = hz($t, 'POST', '/ssh_keys', { name => 'tmp', public_key => $pub2 });
my $tmp = $r->{json}{ssh_key}{id};
is(hz($t, 'PUT', "/ssh_keys/$tmp", { name => 'tmp2' })->{json}{ssh_key}{name}, 'tmp2', 'rename');
is(hz($t, 'DELETE', "/ssh_keys/$tmp")->{status}, 204, 'delete key: 204');
is(hz($t, 'GET', "/ssh_keys/$tmp")->{status}, 404, 'deleted key: 404');

# --- servers with keys
$r = create_server($t, name => 'nokey');
like($r->{json}{root_password}, qr/\S{12,}/, 'without keys: a root password');
$r = hz($t, 'POST', '/servers', { name => 'k1', server_type => 'cx23', image => 'ubuntu-24.04',
    ssh_keys => ['operator'] });
is($r->{status}, 201, 'create with the key by name');
ok(exists $r->{json}{root_password} && !defined $r->{json}{root_password}, 'root_password null');
my $k1 = $r->{json}{server}{id};
$r = hz($t, 'POST', '/servers', { name => 'k2', server_type => 'cx23', image => 'ubuntu-24.04',
    ssh_keys => [ $key->{id} ] });
is($r->{status}, 201, 'create with the key by id');
$r = hz($t, 'POST', '/servers', { name => 'k3', server_type => 'cx23', image => 'ubuntu-24.04',
    ssh_keys => ['nobody'] });
is($r->{status}, 400, 'unknown key: 400');
is($r->{json}{error}{details}{fields}[0]{name}, 'ssh_keys', '... naming ssh_keys');
is(hz($t, 'GET', '/servers?name=k3')->{json}{meta}{pagination}{total_entries}, 0, 'no server made');
is(simctl($t, 'GET', "/servers/$k1")->{ssh_keys}[0]{fingerprint}, $fp, '/_sim shows the key on the server');

# --- firewall rules
my @rules = (
    { direction => 'in', protocol => 'tcp', port => '443', source_ips => ['0.0.0.0/0', '::/0'] },
    { direction => 'in', protocol => 'tcp', port => '9100', source_ips => ['127.0.0.1/32', '2001:0DB8:0::/32'],
      description => 'metrics' },
    { direction => 'in', protocol => 'icmp', source_ips => ['0.0.0.0/0'] },
);
for my $bad (
    [ 'port on icmp', { direction => 'in', protocol => 'icmp', port => '1', source_ips => ['0.0.0.0/0'] } ],
    [ 'no port on tcp', { direction => 'in', protocol => 'tcp', source_ips => ['0.0.0.0/0'] } ],
    [ 'port 0', { direction => 'in', protocol => 'tcp', port => '0', source_ips => ['0.0.0.0/0'] } ],
    [ 'reversed range', { direction => 'in', protocol => 'tcp', port => '90-80', source_ips => ['0.0.0.0/0'] } ],
    [ 'host bits set', { direction => 'in', protocol => 'tcp', port => '22', source_ips => ['10.0.0.1/8'] } ],
    [ 'not a CIDR', { direction => 'in', protocol => 'tcp', port => '22', source_ips => ['10.0.0.1'] } ],
    [ 'in without sources', { direction => 'in', protocol => 'tcp', port => '22', source_ips => [] } ],
    [ 'out with sources', { direction => 'out', protocol => 'tcp', port => '22', source_ips => ['0.0.0.0/0'],
	destination_ips => ['0.0.0.0/0'] } ],
    [ 'bad protocol', { direction => 'in', protocol => 'sctp', source_ips => ['0.0.0.0/0'] } ],
    ) {
	$r = hz($t, 'POST', '/firewalls', { name => 'bad', rules => [ $bad->[1] ] });
	is($r->{json}{error}{details}{fields}[0]{name}, 'rules', "rule refused: $bad->[0]");
}
$r = hz($t, 'POST', '/firewalls', { name => 'many', rules => [ ($rules[0]) x 51 ] });
is($r->{status}, 400, '51 rules: 400');
is(scalar @{ hz($t, 'GET', '/firewalls')->{json}{firewalls} }, 0, 'no firewall made by bad input');

$r = hz($t, 'POST', '/firewalls', { name => 'fleet', rules => \@rules, labels => { och => 'fleet' } });
is($r->{status}, 201, 'create firewall: 201');
my $fw = $r->{json}{firewall};
is($fw->{rules}[1]{source_ips}[1], '2001:db8::/32', 'IPv6 block in canonical form');
ok(!defined $fw->{rules}[2]{port}, 'icmp rule: port null');
is($fw->{rules}[1]{description}, 'metrics', 'description kept');
is_deeply($fw->{rules}[0]{destination_ips}, [], 'destination_ips [] on an in rule');
is(hz($t, 'POST', '/firewalls', { name => 'fleet' })->{status}, 409, 'same name: 409');

# --- apply to servers
simctl($t, 'POST', '/latency', { action => 1 });
$r = hz($t, 'POST', "/firewalls/$fw->{id}/actions/apply_to_resources",
    { apply_to => [ { type => 'server', server => { id => $k1 } } ] });
is($r->{status}, 201, 'apply_to_resources: 201');
is($r->{json}{actions}[0]{command}, 'apply_firewall', 'one apply_firewall action');
is_deeply([ sort map { $_->{type} } @{ $r->{json}{actions}[0]{resources} } ], [qw(firewall server)],
    'its resources: the firewall and the server');
is(hz($t, 'GET', "/servers/$k1")->{json}{server}{public_net}{firewalls}[0]{status}, 'pending',
    'pending while the action runs');
is(hz($t, 'GET', "/servers/$k1")->{json}{server}{locked}, JSON::PP::false, 'the server is not locked by it');
simctl($t, 'POST', '/latency', { action => 0 });
ok($t->wait_for(sub { (hz($t, 'GET', "/servers/$k1")->{json}{server}{public_net}{firewalls}[0]{status} // '')
    eq 'applied' }), 'applied when it ends');
$r = hz($t, 'POST', "/firewalls/$fw->{id}/actions/apply_to_resources",
    { apply_to => [ { type => 'server', server => { id => $k1 } } ] });
is($r->{json}{error}{code}, 'firewall_already_applied', 'twice: firewall_already_applied');
$r = hz($t, 'POST', "/firewalls/$fw->{id}/actions/apply_to_resources",
    { apply_to => [ { type => 'server', server => { id => 999 } } ] });
is($r->{status}, 404, 'unknown server: 404');
is($r->{json}{error}{code}, 'firewall_resource_not_found', 'firewall_resource_not_found');

# at create, and a failed apply action
$r = hz($t, 'POST', '/servers', { name => 'fw-at-create', server_type => 'cx23', image => 'ubuntu-24.04',
    firewalls => [ { firewall => $fw->{id} } ], ssh_keys => ['operator'] });
is($r->{status}, 201, 'create with the firewall');
my $fc = $r->{json}{server}{id};
is(hz($t, 'GET', "/servers/$fc")->{json}{server}{public_net}{firewalls}[0]{id}, $fw->{id}, 'server carries it');
is(simctl($t, 'GET', "/servers/$fc")->{firewalls}[0]{id}, $fw->{id}, '/_sim shows it');
is(hz($t, 'POST', '/servers', { name => 'fw-x', server_type => 'cx23', image => 'ubuntu-24.04',
    firewalls => [ { firewall => 12345 } ] })->{status}, 400, 'unknown firewall at create: 400');
simctl($t, 'POST', '/faults', { service => 'hetzner', route => 'POST /firewalls/{id}/actions/*',
    script => ['action_error'] });
my $k2 = hz($t, 'GET', '/servers?name=k2')->{json}{servers}[0]{id};
$r = hz($t, 'POST', "/firewalls/$fw->{id}/actions/apply_to_resources",
    { apply_to => [ { type => 'server', server => { id => $k2 } } ] });
my $fa = $r->{json}{actions}[0]{id};
ok($t->wait_for(sub { hz($t, 'GET', "/actions/$fa")->{json}{action}{status} eq 'error' }), 'apply action failed');
is(scalar @{ hz($t, 'GET', "/servers/$k2")->{json}{server}{public_net}{firewalls} }, 0,
    'a failed apply leaves nothing applied');

# --- label selectors
$r = hz($t, 'POST', "/firewalls/$fw->{id}/actions/apply_to_resources",
    { apply_to => [ { type => 'label_selector', label_selector => { selector => 'role=vps' } } ] });
is($r->{status}, 201, 'apply to a label selector');
hz($t, 'PUT', "/servers/$k2", { labels => { role => 'vps' } });
is(hz($t, 'GET', "/servers/$k2")->{json}{server}{public_net}{firewalls}[0]{id}, $fw->{id},
    'a server with the label gets it');
my $got = hz($t, 'GET', "/firewalls/$fw->{id}")->{json}{firewall};
my ($ls) = grep { $_->{type} eq 'label_selector' } @{ $got->{applied_to} };
is($ls->{applied_to_resources}[0]{server}{id}, $k2, 'applied_to_resources lists it');
$r = hz($t, 'POST', "/firewalls/$fw->{id}/actions/remove_from_resources",
    { remove_from => [ { type => 'server', server => { id => $k2 } } ] });
is($r->{json}{error}{code}, 'firewall_managed_by_label_selector', 'cannot remove one that a selector applies');

# --- set_rules
$r = hz($t, 'POST', "/firewalls/$fw->{id}/actions/set_rules", { rules => [ $rules[0] ] });
is($r->{json}{actions}[0]{command}, 'set_firewall_rules', 'set_rules: set_firewall_rules');
is(scalar @{ hz($t, 'GET', "/firewalls/$fw->{id}")->{json}{firewall}{rules} }, 1, 'rules replaced');
$r = hz($t, 'POST', "/firewalls/$fw->{id}/actions/set_rules", { rules => [ { direction => 'in' } ] });
is($r->{status}, 400, 'bad rules: 400');
is(scalar @{ hz($t, 'GET', "/firewalls/$fw->{id}")->{json}{firewall}{rules} }, 1, '... rules unchanged');

# --- removing, deleting
$r = hz($t, 'DELETE', "/firewalls/$fw->{id}");
is($r->{json}{error}{code}, 'resource_in_use', 'delete while applied: resource_in_use');
hz($t, 'DELETE', "/servers/$fc");
ok(!grep({ ($_->{server}{id} // 0) == $fc } @{ hz($t, 'GET', "/firewalls/$fw->{id}")->{json}{firewall}{applied_to} }),
    'deleting a server detaches it at once');
$r = hz($t, 'POST', "/firewalls/$fw->{id}/actions/remove_from_resources",
    { remove_from => [ { type => 'server', server => { id => $k1 } },
	{ type => 'label_selector', label_selector => { selector => 'role=vps' } } ] });
is(scalar @{ $r->{json}{actions} }, 2, 'remove_from_resources: one action each');
ok($t->wait_for(sub { !@{ hz($t, 'GET', "/firewalls/$fw->{id}")->{json}{firewall}{applied_to} } }), 'all removed');
is(scalar @{ hz($t, 'GET', "/servers/$k2")->{json}{server}{public_net}{firewalls} }, 0, 'server k2 has none');
is(hz($t, 'DELETE', "/firewalls/$fw->{id}")->{status}, 204, 'delete: 204');
is(hz($t, 'GET', "/firewalls/$fw->{id}")->{status}, 404, 'gone');
simctl($t, 'POST', '/reset');
is(scalar @{ hz($t, 'GET', '/ssh_keys')->{json}{ssh_keys} }, 0, 'reset forgets keys');

$t->done_testing;
