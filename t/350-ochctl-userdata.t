# `ochctl user-data ID`: what an instance's VPS was (or would be) given,
# valid #cloud-config, without minting a bootstrap token.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => ['instances'], config => { CLOUDFLARE_DOMAIN => 'och.test' });
my $inst = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 5, whmcs_client_id => 5,
    email => 'ud@example.com', plan => 'professional', region => 'us-ashburn' })->{json};

my $tokens = $t->psql_one('SELECT count(*) FROM bootstrap_tokens');
my ($rc, $out, $err) = $t->ochctl('user-data', $inst->{id});
is($rc, 0, 'user-data printed');
like($out, qr/\A#cloud-config\n/, 'a #cloud-config document');
like($out, qr/\Q$inst->{slug}\E/, 'for this instance');
like($out, qr/0{64}/, 'the bootstrap token shown as zeros');
is($t->psql_one('SELECT count(*) FROM bootstrap_tokens'), $tokens, 'no token minted');
ok(length($out) < 32768, 'under the 32 KiB user_data limit');
my $f = $t->dir . '/ud.yaml';
open my $fh, '>', $f or die; print $fh $out; close $fh;
my $v = $t->_capture([ 'cloud-init', 'schema', '--config-file', $f ], \my $verr);
is($?, 0, 'cloud-init schema accepts it') or diag("$v$verr");
($rc) = $t->ochctl('user-data', '00000000-0000-0000-0000-000000000000');
is($rc, 1, 'unknown instance: exit 1');
($rc) = $t->ochctl('user-data', 'nope');
is($rc, 2, 'bad id: usage, exit 2');
$t->done_testing;
