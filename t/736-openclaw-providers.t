# A plan's AI providers on the real OpenClaw CLI (openclaw@2026.9.6 on
# Node 24, scripts/openclaw-deps.sh; this file fails, never skips,
# without it).  No gateway starts here (t/735 runs one): CLI calls only.
#   1. the user-data of a starter instance names its provider plugins
#      (OCH_PROVIDER_PLUGINS); they are installed as och-setup installs
#      them, `openclaw plugins install <spec>` from npm (offline, on the
#      npm cache openclaw-deps.sh filled), so OpenClaw trusts them and the
#      gateway has nothing to fetch when it starts;
#   2. the owner's DeepSeek and Hugging Face keys and a Hugging Face model
#      through the API; the config and env the agent fetches are applied
#      as the agent applies them (env file, `config patch --stdin` with
#      the gateway token in place of its placeholder);
#   3. `config patch` knows the chosen model (it refuses an unknown one),
#      `config validate` passes, `models status` knows both providers and
#      finds their keys where we put them (Hugging Face: HF_TOKEN).
# `models list` is not asked: without a running gateway it shows only the
# catalog the gateway cached (nothing here); the agent asks it while the
# gateway is ready (t/735).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::OpenClaw;
use Digest::SHA qw(sha256_hex);
use JSON::PP;

my $t = OCH::Test->new;
my $dir = $t->dir;
my $oc = OCH::OpenClaw->new($t);
ok($oc->ok, 'the real openclaw 2026.9.6 and Node 24 are installed (scripts/openclaw-deps.sh)')
    or BAIL_OUT('scripts/openclaw-deps.sh failed: ' . $oc->error);

# Several CLI calls at once (each costs 10-60 s): a list of [name, args...];
# returns {name => [exit status, output]}.
sub clis {
	my (@jobs) = @_;
	my %pid;
	for my $j (@jobs) {
		my ($name, @args) = @$j;
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			my ($rc, $out) = $oc->cli(@args);
			open my $fh, '>', "$dir/cli-$name.out" or exit 1;
			print $fh $out;
			close $fh;
			exit $rc;
		}
		$pid{$pid} = $name;
	}
	my %r;
	for my $pid (keys %pid) {
		waitpid $pid, 0;
		my $rc = $? >> 8;
		open my $fh, '<', "$dir/cli-$pid{$pid}.out" or die;
		local $/;
		$r{ $pid{$pid} } = [ $rc, <$fh> // '' ];
	}
	return \%r;
}

# ---------------------------------------------- the control plane's side
$t->start_pg;
$t->start_api(binaries => [qw(instances auth agent settings)], config => { CLOUDFLARE_DOMAIN => 'och.test' });
my $id = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 7360, whmcs_client_id => 736,
    email => 'providers@example.com', plan => 'starter', region => 'eu-helsinki' })->{json}{id};
my $boot = 'd4' x 32;
$t->psql("UPDATE instances SET state = 'booting' WHERE id = :'i'", i => $id);
$t->psql("INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at) VALUES (:'h', :'i', now() + interval '1 hour')",
    h => sha256_hex($boot), i => $id);
my $ready = $t->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => $boot })->{json};
ok($ready->{agent_token}, "the VPS's agent is in");
my $s = $t->sso_session($id);
my $base = "/api/v1/instances/$id";
my ($ds, $hf) = ('sk-deepseek-736-0123456789', 'hf_providers736abcdefgh');
is($t->http(PUT => "$base/ai-keys/deepseek", headers => $s, body => { key => $ds })->{status}, 204, 'a DeepSeek key');
is($t->http(PUT => "$base/ai-keys/huggingface", headers => $s, body => { key => $hf })->{status}, 204, 'a Hugging Face key');
my $model = 'huggingface/deepseek-ai/DeepSeek-R1';
is($t->http(PUT => "$base/model", headers => $s, body => { primary => $model })->{status}, 204, "the model $model");
my $cfg = $t->http(GET => '/api/v1/agent/config', headers => { Authorization => "Bearer $ready->{agent_token}" })->{json};
my ($rc, $ud) = $t->ochctl('user-data', $id);
my ($plugins) = $ud =~ /OCH_PROVIDER_PLUGINS=([^\\\n"]*)/;
is($plugins, '@openclaw/deepseek-provider@2026.9.5', 'the user-data names the plan\'s provider plugin');

# ---------------------------------------------- 1. what och-setup leaves
my $out;
($rc, $out) = $oc->onboard;
is($rc, 0, 'onboard as och-setup runs it') or diag $out;
for my $spec (split /,/, $plugins // '') {
	($rc, $out) = $oc->install_provider($spec);
	is($rc, 0, "$spec installed from npm as och-setup installs it") or diag $out;
}

# ---------------------------------------------- 2. applied as the agent applies it
my %env = %{ $cfg->{env} };
open my $fh, '>', $oc->state . '/.env' or die;
print $fh map { "$_=$env{$_}\n" } sort keys %env;
close $fh;
chmod 0600, $oc->state . '/.env';
ok(exists $env{HF_TOKEN} && !exists $env{HUGGINGFACE_API_KEY}, 'the Hugging Face key goes to HF_TOKEN');
my $o = $cfg->{openclaw};
# the gateway token in place of the rendered placeholder, as the agent puts it
is($o->{gateway}{auth}{token}, '${OPENCLAW_GATEWAY_TOKEN}', 'the rendered config has the placeholder for the gateway token');
$o->{gateway}{auth}{token} = 'e5' x 32;
my $patch = encode_json({ gateway => $o->{gateway}, channels => $o->{channels} // {},
    agents => { defaults => { model => $o->{agents}{defaults}{model} } },
    plugins => { entries => $o->{plugins}{entries} } });
open $fh, '>', "$dir/patch.json" or die;
print $fh $patch;
close $fh;
{
	local $oc->{stdin} = "$dir/patch.json";
	($rc, $out) = $oc->cli('config', 'patch', '--stdin');
}
is($rc, 0, "openclaw config patch takes the rendered config: it knows $model") or diag $out;

# ---------------------------------------------- 3. what the CLI makes of it
my $r = clis([ validate => qw(config validate --json) ], [ status => qw(models status --json) ],
    [ inspect => qw(plugins inspect deepseek) ]);
my $v = eval { decode_json($r->{validate}[1]) } // {};
ok($v->{valid} && !@{ $v->{issues} // [] }, 'config validate: valid, no issues') or diag $r->{validate}[1];
my $st = eval { decode_json($r->{status}[1]) } // {};
my %auth = map { $_->{provider} => ($_->{env}{source} // '') } @{ $st->{auth}{providers} // [] };
is($auth{deepseek}, 'env: DEEPSEEK_API_KEY', 'models status: DeepSeek (its plugin) reads the key we wrote')
    or diag $r->{status}[1];
is($auth{huggingface}, 'env: HF_TOKEN', 'models status: Hugging Face reads HF_TOKEN');
like($r->{inspect}[1], qr/^Status: enabled$/m, 'the DeepSeek plugin is enabled') or diag $r->{inspect}[1];
like($r->{inspect}[1], qr/reason=trusted-official;.*installSource="npm"/, 'and trusted: installed from npm');
my $live = $oc->live;
is($live->{agents}{defaults}{model}{primary}, $model, 'the live config has the model');
ok($live->{plugins}{entries}{deepseek}{enabled}, 'and the DeepSeek plugin entry (the install wrote it, the patch kept it)');
$t->done_testing;
