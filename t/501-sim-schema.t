# och-cloudsim against the published API documents: every Hetzner body
# it produces (servers, actions, errors, images, types, locations,
# metrics) validates against hcloud-openapi.json, and Resend requests and
# answers against resend-openapi.yaml, with python3-jsonschema
# (t/lib/sim/validate.py; the documents are vendored in third_party/openapi/,
# their sources and licences in third_party/README.md).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $specs = $ENV{OCH_SPECS} // OCH::Stack::srcdir() . '/third_party/openapi';
my $hspec = "$specs/hcloud-openapi.json";
my $rspec = "$specs/resend-openapi.yaml";
plan skip_all => "no OpenAPI documents at $specs (set OCH_SPECS)" unless -r $hspec && -r $rspec;
plan skip_all => 'python3-jsonschema is not installed'
    if system('python3', '-c', 'import jsonschema, yaml') != 0;

my $t = OCH::Test->new;
start_fast_sim($t);
my (@hz, @rs);
sub case { my ($list, $name, $schema, $r) = @_; push @$list, { name => $name, schema => $schema, body => $r->{json} } }

my $r = create_server($t, name => 'v1', labels => { 'och-instance' => 'x' }, user_data => user_data());
case(\@hz, 'create_server', 'create_server_response', $r);
my $id = $r->{json}{server}{id};
case(\@hz, 'get_server (initializing)', 'get_server_response', hz($t, 'GET', "/servers/$id"));
$t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{json}{server}{status} eq 'running' });
case(\@hz, 'get_server (running)', 'get_server_response', hz($t, 'GET', "/servers/$id"));
my ($pub) = ssh_pubkey($t, 'k');
$r = hz($t, 'POST', '/ssh_keys', { name => 'k', public_key => $pub, labels => { role => 'ops' } });
case(\@hz, 'create_ssh_key', 'create_ssh_key_response', $r);
my $kid = $r->{json}{ssh_key}{id};
case(\@hz, 'list_ssh_keys', 'list_ssh_keys_response', hz($t, 'GET', '/ssh_keys?label_selector=role'));
case(\@hz, 'get_ssh_key', 'get_ssh_key_response', hz($t, 'GET', "/ssh_keys/$kid"));
case(\@hz, 'replace_ssh_key', 'replace_ssh_key_response', hz($t, 'PUT', "/ssh_keys/$kid", { name => 'k' }));
$r = hz($t, 'POST', '/firewalls', { name => 'fleet', labels => { och => 'fleet' },
    rules => [ { direction => 'in', protocol => 'tcp', port => '443', source_ips => ['0.0.0.0/0', '::/0'],
	description => 'https' }, { direction => 'in', protocol => 'icmp', source_ips => ['0.0.0.0/0'] } ],
    apply_to => [ { type => 'server', server => { id => $id } } ] });
case(\@hz, 'create_firewall', 'create_firewall_response', $r);
my $fw = $r->{json}{firewall}{id};
case(\@hz, 'list_firewalls', 'list_firewalls_response', hz($t, 'GET', '/firewalls?name=fleet'));
case(\@hz, 'get_firewall', 'get_firewall_response', hz($t, 'GET', "/firewalls/$fw"));
case(\@hz, 'replace_firewall', 'replace_firewall_response', hz($t, 'PUT', "/firewalls/$fw", { labels => {} }));
case(\@hz, 'set_rules', 'set_rules_response', hz($t, 'POST', "/firewalls/$fw/actions/set_rules",
    { rules => [ { direction => 'in', protocol => 'tcp', port => '80-81', source_ips => ['192.0.2.0/24'] } ] }));
case(\@hz, 'apply_to_resources', 'apply_to_resources_response', hz($t, 'POST', "/firewalls/$fw/actions/apply_to_resources",
    { apply_to => [ { type => 'label_selector', label_selector => { selector => 'och-instance' } } ] }));
case(\@hz, 'remove_from_resources', 'remove_from_resources_response', hz($t, 'POST', "/firewalls/$fw/actions/remove_from_resources",
    { remove_from => [ { type => 'server', server => { id => $id } } ] }));
case(\@hz, 'get_server (firewall by label selector)', 'get_server_response', hz($t, 'GET', "/servers/$id"));
$r = hz($t, 'POST', '/servers', { name => 'v2', server_type => 'cax11', image => 'ubuntu-24.04',
    location => 'hel1', ssh_keys => ['k'], start_after_create => JSON::PP::false,
    public_net => { enable_ipv4 => JSON::PP::false, enable_ipv6 => JSON::PP::true } });
case(\@hz, 'create_server (arm, no ipv4, ssh keys)', 'create_server_response', $r);
case(\@hz, 'list_servers', 'list_servers_response', hz($t, 'GET', '/servers?per_page=1'));
case(\@hz, 'list_servers (empty)', 'list_servers_response', hz($t, 'GET', '/servers?name=none'));
case(\@hz, 'replace_server', 'replace_server_response', hz($t, 'PUT', "/servers/$id", { name => 'v1b' }));
$r = hz($t, 'POST', "/servers/$id/actions/poweroff");
case(\@hz, 'poweroff action', 'power_off_server_response', $r);
my $aid = $r->{json}{action}{id};
case(\@hz, 'get_action (running or done)', 'get_action_response', hz($t, 'GET', "/actions/$aid"));
$t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{json}{server}{status} eq 'off' });
case(\@hz, 'get_action (success)', 'get_action_response', hz($t, 'GET', "/servers/$id/actions/$aid"));
case(\@hz, 'list_actions', 'list_actions_response', hz($t, 'GET', "/actions?id=$aid"));
case(\@hz, 'server actions', 'list_actions_response', hz($t, 'GET', "/servers/$id/actions"));
case(\@hz, 'change_type', 'change_type_of_server_response',
    hz($t, 'POST', "/servers/$id/actions/change_type", { server_type => 'cx33', upgrade_disk => JSON::PP::true }));
$t->wait_for(sub { !hz($t, 'GET', "/servers/$id")->{json}{server}{locked} });
case(\@hz, 'poweron', 'power_on_server_response', hz($t, 'POST', "/servers/$id/actions/poweron"));
$t->wait_for(sub { !hz($t, 'GET', "/servers/$id")->{json}{server}{locked} });
for my $a ([qw(shutdown shutdown_server_response)], [qw(reboot soft_reboot_server_response)],
    [qw(reset reset_server_response)], [qw(enable_backup enable_and_configure_backups_for_server_response)],
    [qw(disable_backup disable_backups_for_server_response)]) {
	case(\@hz, $a->[0], $a->[1], hz($t, 'POST', "/servers/$id/actions/$a->[0]"));
	$t->wait_for(sub { !hz($t, 'GET', "/servers/$id")->{json}{server}{locked} });
}
$r = hz($t, 'POST', "/servers/$id/actions/create_image", { description => 'snap' });
case(\@hz, 'create_image', 'create_image_from_server_response', $r);
my $img = $r->{json}{image}{id};
case(\@hz, 'get_image (creating)', 'get_image_response', hz($t, 'GET', "/images/$img"));
$t->wait_for(sub { hz($t, 'GET', "/images/$img")->{json}{image}{status} eq 'available' });
case(\@hz, 'get_image (snapshot)', 'get_image_response', hz($t, 'GET', "/images/$img"));
case(\@hz, 'get_image (system)', 'get_image_response', hz($t, 'GET', '/images/161547269'));
case(\@hz, 'list_images', 'list_images_response', hz($t, 'GET', '/images'));
case(\@hz, 'replace_image', 'replace_image_response', hz($t, 'PUT', "/images/$img", { labels => { a => 'b' } }));
case(\@hz, 'rebuild', 'rebuild_server_from_image_response',
    hz($t, 'POST', "/servers/$id/actions/rebuild", { image => 'ubuntu-24.04', user_data => user_data() }));
case(\@hz, 'list_server_types', 'list_server_types_response', hz($t, 'GET', '/server_types'));
case(\@hz, 'get_server_type', 'get_server_type_response', hz($t, 'GET', '/server_types/114'));
case(\@hz, 'list_locations', 'list_locations_response', hz($t, 'GET', '/locations'));
case(\@hz, 'get_location', 'get_location_response', hz($t, 'GET', '/locations/3'));
case(\@hz, 'metrics', 'get_metrics_for_server_response',
    hz($t, 'GET', "/servers/$id/metrics?type=cpu,disk,network&start=2026-01-01T00:00:00Z&end=2026-01-01T01:00:00Z"));
for my $e (
    [ 'error 401', $t->http('GET', "$t->{sim}/hetzner/v1/servers") ],
    [ 'error 404', hz($t, 'GET', '/servers/1') ],
    [ 'error json_error', hz($t, 'POST', '/servers', '{') ],
    [ 'error invalid_input', hz($t, 'POST', '/servers', {}) ],
    [ 'error uniqueness', hz($t, 'POST', '/servers', { name => 'v2', server_type => 'cx23', image => 'debian-12' }) ],
    [ 'error firewall resource_in_use', hz($t, 'DELETE', "/firewalls/$fw") ],
    [ 'error ssh key uniqueness', hz($t, 'POST', '/ssh_keys', { name => 'k2', public_key => $pub }) ],
    [ 'error 410', hz($t, 'GET', '/actions') ],
    ) {
	case(\@hz, $e->[0], 'error_response', $e->[1]);
}
simctl($t, 'POST', '/faults', { service => 'hetzner', script => [qw(429 500 502 503 504 locked conflict resource_unavailable)] });
case(\@hz, "fault $_", 'error_response', hz($t, 'GET', '/locations')) for 1 .. 8;
case(\@hz, 'delete_server', 'delete_server_response', hz($t, 'DELETE', "/servers/$id"));

# Resend: what a client sends and what it gets back
my @mails = (
    { from => 'OpenClaw Host <hello@och.test>', to => 'a@example.com', subject => 'Welcome', html => '<p>hi</p>', text => 'hi' },
    { from => 'hello@och.test', to => ['a@example.com', 'b@example.com'], subject => 'S', text => 't',
      reply_to => 'support@och.test', tags => [{ name => 'kind', value => 'welcome' }], headers => { 'X-Entity-Ref-ID' => '1' } },
);
for my $i (0 .. $#mails) {
	push @rs, { name => "request $i", schema => 'SendEmailRequest', body => $mails[$i] };
	sleep 1 if $i;
	$r = rs($t, $mails[$i]);
	is($r->{status}, 200, "email $i sent");
	case(\@rs, "response $i", 'SendEmailResponse', $r);
	$r = rs($t, undef, method => 'GET', path => "/emails/$r->{json}{id}");
	# unset cc/bcc/reply_to are null, as Resend answers (its Node SDK
	# types them string[] | null); the vendored document says array only
	for my $k (qw(cc bcc reply_to)) {
		next if exists $mails[$i]{$k};
		ok(exists $r->{json}{$k} && !defined $r->{json}{$k}, "email $i: unset $k is null");
		delete $r->{json}{$k};
	}
	case(\@rs, "email $i", 'Email', $r);
}
sleep 1;
$r = rs($t, [ $mails[0], $mails[1] ], path => '/emails/batch');
case(\@rs, 'batch response', 'CreateBatchEmailsResponse', $r);

for my $set ([ 'hetzner', $hspec, \@hz ], [ 'resend', $rspec, \@rs ]) {
	my ($what, $spec, $cases) = @$set;
	my $file = $t->dir . "/$what-cases.json";
	open my $fh, '>', $file or die;
	print $fh $OCH::Stack::JSON->encode($cases);
	close $fh;
	my @out = `python3 '@{[ $t->src('t/lib/sim/validate.py') ]}' '$spec' '$file' 2>&1`;
	is(scalar @out, scalar @$cases, "$what: one verdict per case");
	for my $l (@out) {
		chomp $l;
		ok($l =~ /^ok /, "$what $l") or diag($l);
	}
}

$t->done_testing;
