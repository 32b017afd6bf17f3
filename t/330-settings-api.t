# settings.fcgi: a customer's channels, AI keys, skills, pairing and
# backups through their session; secrets sealed and never shown again;
# plan limits; the agent sees each change as a new config revision.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of sso_login);
use Digest::SHA qw(sha256_hex);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(instances auth agent settings)]);

sub order {
	my ($n) = @_;
	$t->signed(POST => '/api/v1/instances', { whmcs_service_id => $n, whmcs_client_id => $n,
	    email => "u$n\@example.com", plan => 'starter', region => 'eu-helsinki' })->{json}{id};
}
sub login { session_of(sso_login($t, $_[0])) }
my $id = order(1);
my $other = order(2);
my $s = login($id);
my $base = "/api/v1/instances/$id";
sub call { my ($m, $p, $b, $h) = @_; $t->http($m => $p, headers => $h // $s, defined $b ? (body => $b) : ()) }

# make the instance active with an agent, to watch revisions
$t->psql("UPDATE instances SET state = 'booting' WHERE id = :'i'", i => $id);
$t->psql("INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at) VALUES (:'h', :'i', now() + interval '1 hour')",
    h => sha256_hex('ef' x 32), i => $id);
my $agent = $t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => 'ef' x 32 })->{json}{agent_token};
my %ag = (Authorization => "Bearer $agent");
my $rev0 = $t->http(GET => '/api/v1/agent/config', headers => \%ag)->{json}{revision};

my $tg = '7777777:AAbbCCddEEff';
my $r = call(PUT => "$base/channels/telegram", { enabled => \1, dm_policy => 'pairing', secrets => { bot_token => $tg } });
is($r->{status}, 204, 'telegram channel saved');
$r = call(GET => "$base/channels");
is($r->{json}{channels}[0]{kind}, 'telegram', 'listed');
ok($r->{json}{channels}[0]{secret_set}, 'the secret is set');
unlike($r->{content}, qr/\Q$tg\E/, 'and never shown');
is($t->psql_one("SELECT count(*) FROM channels WHERE position(convert_to(:'t', 'UTF8') in secret_enc) > 0", t => $tg), 0,
    'stored sealed');
my $cfg = $t->http(GET => '/api/v1/agent/config', headers => \%ag)->{json};
ok($cfg->{revision} > $rev0, 'the agent sees a new revision');
is($cfg->{env}{TELEGRAM_BOT_TOKEN}, $tg, 'with the token in its env');
$r = call(PUT => "$base/channels/telegram", { dm_policy => 'allowlist', allow_from => ['tg:1'] });
is($r->{status}, 204, 'update without secrets keeps the secret');
is($t->http(GET => '/api/v1/agent/config', headers => \%ag)->{json}{env}{TELEGRAM_BOT_TOKEN}, $tg, 'still there');
is(call(PUT => "$base/channels/telegram", { secrets => { bot_token => "x\ny" } })->{status}, 400, 'a token with a newline: 400');
is(call(PUT => "$base/channels/telegram", { secrets => { password => 'abcdefghij' } })->{status}, 400, 'an unknown secret field: 400');
is(call(PUT => "$base/channels/telegram", { dm_policy => 'whatever' })->{status}, 400, 'bad dm_policy: 400');
is(call(PUT => "$base/channels/telegram", { allow_from => ['a b'] })->{status}, 400, 'bad allow_from: 400');
is(call(PUT => "$base/channels/irc", {})->{status}, 404, 'unknown channel kind: 404');
is(call(PUT => "$base/channels/discord", { secrets => { token => 'discord.token.value' } })->{status}, 204, 'discord');
is(call(PUT => "$base/channels/whatsapp", {})->{status}, 204, 'whatsapp');
$r = call(PUT => "$base/channels/slack", { secrets => { bot_token => 'xoxb-1234567890', app_token => 'xapp-1234567890' } });
is($r->{status}, 422, 'a fourth channel on the starter plan: 422');
like($r->{json}{error}{message}, qr/plan allows 3 channels/, 'the message says why');
is(call(DELETE => "$base/channels/discord")->{status}, 204, 'channel removed');
is(call(DELETE => "$base/channels/discord")->{status}, 404, 'removing it again: 404');

$r = call(PUT => "$base/ai-keys/anthropic", { key => 'sk-ant-api03-abcdefgh1234' });
is($r->{status}, 204, 'AI key saved');
$r = call(GET => "$base/ai-keys");
is_deeply([ map { [ $_->{provider}, $_->{last4} ] } @{ $r->{json}{ai_keys} } ], [ [ 'anthropic', '1234' ] ], 'listed with the last four only');
is($t->http(GET => '/api/v1/agent/config', headers => \%ag)->{json}{env}{ANTHROPIC_API_KEY}, 'sk-ant-api03-abcdefgh1234',
    'the agent gets the key');
is(call(PUT => "$base/ai-keys/anthropic", { key => 'short' })->{status}, 400, 'a too short key: 400');
is(call(PUT => "$base/ai-keys/Bad_Name", { key => 'sk-0123456789' })->{status}, 400, 'bad provider name: 400');
is(call(DELETE => "$base/ai-keys/anthropic")->{status}, 204, 'key removed');
ok(!exists $t->http(GET => '/api/v1/agent/config', headers => \%ag)->{json}{env}{ANTHROPIC_API_KEY}, 'and gone from the agent');

$r = call(GET => "$base/skills");
ok(scalar(@{ $r->{json}{skills} }) >= 4, 'skill catalog');
is(call(PUT => "$base/skills/weather", { enabled => \1 })->{status}, 204, 'skill enabled');
is_deeply($t->http(GET => '/api/v1/agent/config', headers => \%ag)->{json}{skills}, [ { slug => '@openclaw/weather', version => '' } ],
    'the agent installs it');
is(call(PUT => "$base/skills/no-such-skill", {})->{status}, 404, 'unknown skill: 404');
is(call(DELETE => "$base/skills/weather")->{status}, 204, 'skill removed');

$t->psql("INSERT INTO agent_reports (instance_id, pairing) VALUES (:'i', '[{\"channel\":\"telegram\",\"code\":\"ABCD2345\"}]')", i => $id);
is(call(GET => "$base/pairing")->{json}{requests}[0]{code}, 'ABCD2345', 'pending pairing requests from the report');
$r = call(POST => "$base/pairing/approve", { channel => 'telegram', code => 'ABCD2345' });
is($r->{status}, 202, 'approval queued');
my $cmds = $t->http(GET => '/api/v1/agent/commands?wait=0', headers => \%ag)->{json}{commands};
is($cmds->[0]{type}, 'pairing_approve', 'the agent receives it');
is($cmds->[0]{args}{code}, 'ABCD2345', 'with the code');
is(call(POST => "$base/pairing/approve", { channel => 'telegram', code => "AB'; --" })->{status}, 400, 'a hostile code: 400');

is(call(POST => "$base/backups")->{status}, 202, 'backup queued on an active instance');
ok(scalar @{ call(GET => "$base/backups")->{json}{agent_backups} } == 1, 'listed as a pending agent backup');

# someone else's instance, CSRF, anonymous
is(call(GET => "/api/v1/instances/$other/channels")->{status}, 404, "another customer's instance: 404");
is(call(PUT => "/api/v1/instances/$other/ai-keys/openai", { key => 'sk-0123456789' })->{status}, 404, 'cannot write there either');
is(call(PUT => "$base/ai-keys/openai", { key => 'sk-0123456789' }, { Cookie => $s->{Cookie} })->{status}, 403, 'no CSRF token: 403');
is($t->http(GET => "$base/channels")->{status}, 401, 'anonymous: 401');
ok($t->psql_one("SELECT count(*) FROM audit_log WHERE action LIKE 'settings.%'") >= 8, 'changes audited');

$t->done_testing;
