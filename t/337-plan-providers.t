# The AI providers a plan allows (schema 310): GET /plans lists them; a
# key or a model of a provider outside the instance's plan is refused with
# 422 and nothing is stored or sent to the agent; a key reaches the agent
# under the variable OpenClaw reads (Hugging Face: HF_TOKEN); the plan's
# provider plugins go into the VPS's vps.env (ochctl user-data shows the
# user-data the poller sends), to be pre-installed by och-setup.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of sso_login);
use Digest::SHA qw(sha256_hex);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(instances auth agent settings)]);

my %plans = map { $_->{name} => $_ } @{ $t->signed(GET => '/api/v1/plans')->{json}{plans} };
is_deeply($plans{starter}{ai_providers}, [qw(anthropic deepseek google huggingface openai openrouter)],
    'GET /plans: the starter plan allows the bundled providers and DeepSeek');
ok((grep { $_ eq 'mistral' } @{ $plans{professional}{ai_providers} }), 'professional also Mistral');

my $n = 0;
sub order {
	my ($plan) = @_;
	$n++;
	$t->signed(POST => '/api/v1/instances', { whmcs_service_id => $n, whmcs_client_id => $n,
	    email => "u$n\@example.com", plan => $plan, region => 'eu-helsinki' })->{json}{id};
}
my $id = order('starter');
my $pro = order('professional');
my $s = session_of(sso_login($t, $id));
my $base = "/api/v1/instances/$id";
sub call { my ($m, $p, $b) = @_; $t->http($m => $p, headers => $s, defined $b ? (body => $b) : ()) }

# an agent for the instance, to see what reaches the VPS
$t->psql("UPDATE instances SET state = 'booting' WHERE id = :'i'", i => $id);
$t->psql("INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at) VALUES (:'h', :'i', now() + interval '1 hour')",
    h => sha256_hex('ab' x 32), i => $id);
my $agent = $t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => 'ab' x 32 })->{json}{agent_token};
sub config { $t->http(GET => '/api/v1/agent/config', headers => { Authorization => "Bearer $agent" })->{json} }
my $rev0 = config()->{revision};

my $r = call(GET => "$base/ai-keys");
is_deeply([ map { $_->{provider} } @{ $r->{json}{providers} } ],
    [qw(anthropic openai google openrouter huggingface deepseek)], 'GET ai-keys: the providers the plan allows');
is($r->{json}{providers}[4]{display_name}, 'Hugging Face', 'with their names');

$r = call(PUT => "$base/ai-keys/mistral", { key => 'mistral-key-0123456789' });
is($r->{status}, 422, 'a Mistral key on the starter plan: 422');
like($r->{json}{error}{message}, qr/^mistral: the plan does not include this AI provider \(it includes: anthropic, .*deepseek/,
    'the message names the provider and what the plan includes');
is($t->psql_one("SELECT count(*) FROM ai_keys WHERE instance_id = :'i'", i => $id), 0, 'nothing stored');
is(call(PUT => "$base/ai-keys/groq", { key => 'gsk_0123456789abcdef' })->{status}, 422,
    'a provider the platform does not offer: 422');
is(config()->{revision}, $rev0, 'and the agent sees no new revision');

my $hf = 'hf_abcdefghijklmnop0123';
is(call(PUT => "$base/ai-keys/huggingface", { key => $hf })->{status}, 204, 'a Hugging Face key');
is(call(PUT => "$base/ai-keys/deepseek", { key => 'sk-deepseek-0123456789' })->{status}, 204, 'a DeepSeek key');
my $env = config()->{env};
is($env->{HF_TOKEN}, $hf, 'Hugging Face reaches the agent as HF_TOKEN (what OpenClaw reads)');
ok(!exists $env->{HUGGINGFACE_API_KEY}, 'not as HUGGINGFACE_API_KEY');
is($env->{DEEPSEEK_API_KEY}, 'sk-deepseek-0123456789', 'DeepSeek as DEEPSEEK_API_KEY');

my $rev1 = config()->{revision};
$r = call(PUT => "$base/model", { primary => 'mistral/mistral-large-latest' });
is($r->{status}, 422, 'a Mistral model on the starter plan: 422');
like($r->{json}{error}{message}, qr/^mistral: the plan does not include/, 'naming the provider');
$r = call(PUT => "$base/model", { primary => 'deepseek/deepseek-v4-flash', fallbacks => ['mistral/mistral-small-latest'] });
is($r->{status}, 422, 'a fallback outside the plan: 422');
is($t->psql_one("SELECT coalesce(model_primary, '-') FROM instances WHERE id = :'i'", i => $id), '-', 'no model stored');
is(config()->{revision}, $rev1, 'no new revision');
is(call(PUT => "$base/model", { primary => 'deepseek/deepseek-v4-flash', fallbacks => ['anthropic/claude-sonnet-4-6'] })->{status},
    204, 'a DeepSeek model with an Anthropic fallback: 204');
is(config()->{openclaw}{agents}{defaults}{model}{primary}, 'deepseek/deepseek-v4-flash', 'the agent gets it');

# Hugging Face's and OpenRouter's model ids have a slash of their own
is(call(PUT => "$base/model", { primary => 'huggingface/deepseek-ai/DeepSeek-R1' })->{status}, 204,
    'a Hugging Face model (org/model after the provider): 204');
is(config()->{openclaw}{agents}{defaults}{model}{primary}, 'huggingface/deepseek-ai/DeepSeek-R1', 'stored and sent');
for my $bad ('huggingface//x', 'huggingface/x/', 'huggingface/') {
	is(call(PUT => "$base/model", { primary => $bad })->{status}, 400, "'$bad': 400");
}

# a key kept from a plan that allowed it (sealed for this row, as the API
# would have) is not sent once the plan does not
my $ps = session_of(sso_login($t, $pro));
is($t->http(PUT => "/api/v1/instances/$pro/ai-keys/mistral", headers => $ps, body => { key => 'mistral-key-0123456789' })->{status},
    204, 'a Mistral key on the professional plan');
$t->psql("INSERT INTO ai_keys (instance_id, provider, key_enc, last4) VALUES (:'i', 'mistral', :'k', '6789')",
    i => $id, k => $t->seal("ai_keys:$id:mistral", 'mistral-key-0123456789'));
ok(!exists config()->{env}{MISTRAL_API_KEY}, 'a Mistral key of a starter instance is not sent to its agent');
$t->psql("UPDATE instances SET plan = 'professional' WHERE id = :'i'", i => $id);
is(config()->{env}{MISTRAL_API_KEY}, 'mistral-key-0123456789', 'the same row on the professional plan is');
$t->psql("UPDATE instances SET plan = 'starter' WHERE id = :'i'", i => $id);

# the user-data: the plan's provider plugins in vps.env
my ($rc, $ud) = $t->ochctl('user-data', $id);
is($rc, 0, 'user-data of the starter instance');
like($ud, qr/OCH_PROVIDER_PLUGINS=\@openclaw\/deepseek-provider\@2026\.9\.5\\n/,
    'vps.env: the starter plan pre-installs the DeepSeek plugin only');
($rc, $ud) = $t->ochctl('user-data', $pro);
like($ud, qr/OCH_PROVIDER_PLUGINS=\@openclaw\/deepseek-provider\@2026\.9\.5,\@openclaw\/mistral-provider\@2026\.9\.5\\n/,
    'the professional plan: DeepSeek and Mistral');
$t->done_testing;
