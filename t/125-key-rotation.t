# Master key rotation: with the old key as OCH_MASTER_KEY_PREV the system
# keeps working, `ochctl rotate-keys` re-seals every stored secret under
# the new key, and then the old key can go.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use Digest::SHA qw(sha256_hex);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(instances agent)]);
my $id = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 1, whmcs_client_id => 1,
    email => 'k@example.com', plan => 'starter', region => 'eu-helsinki' })->{json}{id};
$t->psql("UPDATE instances SET state = 'booting' WHERE id = :'i'", i => $id);
$t->psql("INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at) VALUES (:'h', :'i', now() + interval '1 hour')",
    h => sha256_hex('ab' x 32), i => $id);
my $ready = $t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => 'ab' x 32 })->{json};
my %ag = (Authorization => "Bearer $ready->{agent_token}");
$t->psql("INSERT INTO ai_keys (instance_id, provider, key_enc) VALUES (:'i', 'openai', :'s')",
    i => $id, s => $t->seal("ai_keys:$id:openai", 'sk-rotate-me-1234'));

sub versions {
	return join ',', map { $_->[0] } $t->psql(
	    "SELECT DISTINCT v FROM (SELECT get_byte(secret_enc, 0) v FROM api_clients
	     UNION ALL SELECT get_byte(value_enc, 0) FROM instance_secrets
	     UNION ALL SELECT get_byte(key_enc, 0) FROM ai_keys) x ORDER BY v");
}
sub restart { $t->stop("$_.fcgi") for qw(instances agent); $t->start_fcgi($_) for qw(instances agent) }
is(versions(), '1', 'everything sealed with key version 1');

my $old = $t->config->{OCH_MASTER_KEY};
my $new = join '', map { sprintf '%02x', int rand 256 } 1 .. 32;
$t->write_config(OCH_MASTER_KEY => $new, OCH_MASTER_KEY_VERSION => 2, OCH_MASTER_KEY_PREV => $old);
restart();
is($t->signed(GET => '/api/v1/ping')->{status}, 200, 'HMAC works with the old secret sealing during rotation');
is($t->http(GET => '/api/v1/agent/config', headers => \%ag)->{json}{env}{OPENAI_API_KEY}, 'sk-rotate-me-1234',
    'provider keys still open');

my ($rc, $out) = $t->ochctl('rotate-keys');
is($rc, 0, 'rotate-keys succeeds');
like($out, qr/api client secrets\s+1 re-sealed/, 'the API client secret re-sealed');
like($out, qr/instance secrets\s+2 re-sealed/, 'both instance secrets re-sealed');
like($out, qr/AI provider keys\s+1 re-sealed/, 'the AI key re-sealed');
is(versions(), '2', 'everything sealed with key version 2');
($rc, $out) = $t->ochctl('rotate-keys');
like($out, qr/api client secrets\s+0 re-sealed/, 'a second run has nothing to do');

delete $t->config->{OCH_MASTER_KEY_PREV};
$t->write_config;
restart();
is($t->signed(GET => '/api/v1/ping')->{status}, 200, 'HMAC works with the new key alone');
is($t->http(GET => '/api/v1/agent/config', headers => \%ag)->{json}{env}{OPENAI_API_KEY}, 'sk-rotate-me-1234',
    'provider keys open with the new key alone');

# a value sealed under a key nobody has any more is reported, not lost
$t->psql("UPDATE ai_keys SET key_enc = :'s'", s => do {
	local $t->config->{OCH_MASTER_KEY} = $old; local $t->config->{OCH_MASTER_KEY_VERSION} = 1;
	$t->write_config; my $v = $t->seal("ai_keys:$id:openai", 'x' x 10); $v });
$t->write_config(OCH_MASTER_KEY => $new, OCH_MASTER_KEY_VERSION => 2);
my $err;
($rc, $out, $err) = $t->ochctl('rotate-keys');
is($rc, 1, 'an unopenable value fails the run');
like($err, qr/'ai_keys:\Q$id\E:openai' does not open/, 'and names the row, not the value');
$t->done_testing;
