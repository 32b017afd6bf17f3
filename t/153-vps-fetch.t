# The VPS's first step, run for real: the fetch command of an instance's
# rendered user-data (`ochctl user-data`), executed with sh and curl
# against the control plane's nginx, installs och-setup and och-agent only
# when each file's SHA-256 is the one the control plane put in the
# user-data (computed from the very files nginx serves), and curl is held
# to https (`--proto '=https'`; a loopback API, as here, may use http).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use Digest::SHA qw(sha256_hex);
use File::Path qw(make_path);
use JSON::PP;

my $t = OCH::Test->new;
my $py = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';
$t->start_pg;
$t->start_api(binaries => ['instances'], config => { CLOUDFLARE_DOMAIN => 'och.test' });
my $inst = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 5, whmcs_client_id => 5,
    email => 'ud@example.com', plan => 'starter', region => 'eu-helsinki' })->{json};

sub slurp { local (@ARGV, $/) = @_; <> }

# the fetch command (runcmd[0]) of the user-data as ochctl renders it
sub fetch_cmd {
	my ($rc, $out, $err) = $t->ochctl('user-data', $inst->{id});
	die "user-data: $err" if $rc;
	my $f = $t->dir . '/ud.yaml';
	open my $fh, '>', $f or die; print $fh $out; close $fh;
	my $json = $t->_capture([ $py, '-c',
	    'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', $f ], \my $e);
	die "yaml: $e" if $?;
	return (decode_json($json)->{runcmd}[0], length $out);
}
# Run it with its target folder replaced: (exit, stderr)
sub run_fetch {
	my ($cmd, $dir, %over) = @_;
	my @c = @$cmd;
	make_path($dir);
	$c[-1] = $dir;
	$c[6] = $over{setup} if exists $over{setup};
	$t->_capture(\@c, \my $err);
	return ($? >> 8, $err);
}

my ($cmd, $len) = fetch_cmd();
ok($len < 32768, "the user-data stays under 32 KiB ($len bytes)");
is($cmd->[0], 'sh', 'the fetch runs in sh');
is($cmd->[4], '=http,https', 'a loopback API may be fetched over http');
my $served = $t->src('cloud-init');
is($cmd->[6], sha256_hex(slurp("$served/och-setup")), "och-setup's sum is the served file's");
is($cmd->[7], sha256_hex(slurp("$served/och-agent")), "och-agent's sum is the served file's");

my $d = $t->dir . '/sbin-ok';
my ($rc, $err) = run_fetch($cmd, $d);
is($rc, 0, 'the fetch succeeds against the control plane') or diag($err);
for my $f (qw(och-setup och-agent)) {
	ok(-x "$d/$f", "$f installed, executable");
	is(sha256_hex(slurp("$d/$f")), sha256_hex(slurp("$served/$f")), "$f is the served file");
}

# a file that is not the one the control plane vouched for is refused
$d = $t->dir . '/sbin-bad';
($rc, $err) = run_fetch($cmd, $d, setup => '0' x 64);
isnt($rc, 0, 'a checksum mismatch stops the fetch');
like($err, qr/och-setup: checksum mismatch/, 'and says so');
ok(!-e "$d/och-setup" && !-e "$d/och-setup.new" && !-e "$d/och-agent", 'nothing is installed');

# curl is held to the protocol in the user-data (curl's own refusal of
# http under --proto =https is not run here: --retry-all-errors would
# retry it for five minutes)
like($cmd->[2], qr/curl [^\n]*--proto "\$1"/, 'the fetch passes the protocol to curl');

# a real (https) API: https only
$t->write_config(API_URL => 'https://api.openclawhost.example');
($cmd) = fetch_cmd();
is($cmd->[4], '=https', 'for an https API the VPS fetches over https only');
is($cmd->[5], 'https://api.openclawhost.example', 'from the API');

$t->done_testing;
