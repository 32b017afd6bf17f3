package OCH::OpenClaw;
# The real OpenClaw for a test (t/735, t/737, t/real/730) or a bench
# (bench/pool/real-claim.pl): Node 24 and the pinned
# openclaw package from scripts/openclaw-deps.sh's cache, a state folder
# in the test's folder as och-setup leaves it, the gateway "unit" run by
# t/bin/systemctl-gateway (the shipped unit's bounded stop), and the
# gateway's loopback HTTP side (/readyz, the admin RPC).
#   my $oc = OCH::OpenClaw->new($t);   # fails (never skips) without the package
#   $oc->onboard; $oc->prebuilt_first_boot(FQDN); $oc->cli(ARGS...); $oc->ready;
#   $oc->rpc(METHOD, TOKEN)
#   $oc->client(MODE, ARGS...)   # t/lib/openclaw-client.mjs (browser, WebSocket)
# Every CLI call and wait is bounded; nothing is timed.
use strict;
use warnings;
use Carp qw(croak);
use JSON::PP;

sub _slurp { my ($f) = @_; open my $fh, '<', $f or return undef; local $/; <$fh> }

# Installs what is missing (cached) and prepares the folders.  Returns the
# object, or undef with the installer's output in $self->{error} when the
# package cannot be installed.
sub new {
	my ($class, $t) = @_;
	my $dir = $t->dir;
	my $deps = $t->src('scripts/openclaw-deps.sh');
	# second line: the provider plugins' npm cache folder
	my ($cache, $prov) = split /
/, `OCH_OPENCLAW_PROVIDERS=1 '$deps' 2>'$dir/openclaw-deps.log'` // '';
	my $rc = $?;
	$cache //= '';
	my $self = bless { t => $t, dir => $dir, cache => $cache, providers => $prov }, $class;
	# playwright-core as scripts/openclaw-deps.sh installs it (the
	# version webapp/package-lock.json pins)
	my $lock = decode_json(_slurp($t->src('webapp/package-lock.json')) // '{}');
	my $pw = $lock->{packages}{'node_modules/playwright-core'}{version} // '';
	$self->{playwright} = "$cache/playwright-core-$pw/node_modules/playwright-core";
	unless ($rc == 0 && -x "$cache/prefix/bin/openclaw" && -f "$cache/plugins/whatsapp/package.json"
	    && -f "$self->{playwright}/package.json") {
		$self->{error} = _slurp("$dir/openclaw-deps.log") // 'openclaw-deps.sh failed';
		return $self;
	}
	$self->{bin} = "$cache/prefix/bin/openclaw";
	$self->{pkg} = "$cache/prefix/lib/node_modules/openclaw";
	$self->{home} = "$dir/home";
	$self->{state} = "$dir/home/.openclaw";
	mkdir $self->{home};
	mkdir $self->{state}, 0700;
	$self->{port} = $t->free_port;
	$self->{env} = { HOME => $self->{home}, OPENCLAW_STATE_DIR => $self->{state},
	    PATH => "$cache/node/bin:$cache/prefix/bin:$ENV{PATH}", OPENCLAW_SERVICE_REPAIR_POLICY => 'external',
	    OPENCLAW_NO_RESPAWN => 1, OPENCLAW_DISABLE_BONJOUR => 1 };
	# what t/bin/systemctl-gateway and the agent need besides
	# OCH_GW_OWNER: a test killed from outside takes its gateway with it
	$self->{unit_env} = { %{ $self->{env} }, OCH_GW_DIR => $dir, OCH_GW_PORT => $self->{port},
	    OPENCLAW_BIN => $self->{bin}, OCH_GW_OWNER => $$ };
	return $self;
}

sub ok { !$_[0]{error} }
sub error { $_[0]{error} }
sub bin { $_[0]{bin} }
sub cache { $_[0]{cache} }
# the pinned version (the cache folder is openclaw-<version>)
sub version { ($_[0]{cache} =~ /openclaw-([^\/]+)$/)[0] }
sub state { $_[0]{state} }
sub port { $_[0]{port} }
sub url { "http://127.0.0.1:$_[0]{port}" }
sub systemctl { $_[0]{t}->src('t/bin/systemctl-gateway') }
sub node { "$_[0]{cache}/node/bin/node" }

# The environment of t/lib/openclaw-client.mjs.
sub client_env {
	my ($self) = @_;
	return (%{ $self->{env} }, OCH_OPENCLAW_PKG => $self->{pkg}, OCH_PLAYWRIGHT => $self->{playwright});
}

# t/lib/openclaw-client.mjs MODE ARGS... on Node 24, bounded (10 min);
# returns (exit status, stdout).
sub client {
	my ($self, @a) = @_;
	my %env = $self->client_env;
	local @ENV{ keys %env } = values %env;
	my $js = $self->{t}->src('t/lib/openclaw-client.mjs');
	my $out = `timeout 600 '@{[ $self->node ]}' '$js' @{[ map { "'$_'" } @a ]} </dev/null 2>>'$self->{dir}/openclaw-client.log'`;
	return ($? >> 8, $out);
}

# The environment the agent runs with to drive this gateway.
sub agent_env {
	my ($self) = @_;
	return (%{ $self->{unit_env} }, OPENCLAW_USER => '', OCH_GATEWAY_URL => $self->url,
	    OCH_SYSTEMCTL => $self->systemctl);
}

# The openclaw CLI, bounded (30 min: on a loaded machine one call can take
# minutes); returns (exit status, output).  With --json last, only stdout.
# Its stdin is /dev/null, or the file $self->{stdin} names.
sub cli {
	my ($self, @a) = @_;
	my $err = $a[-1] eq '--json' ? '/dev/null' : '&1';
	local @ENV{ keys %{ $self->{env} } } = values %{ $self->{env} };
	my $in = $self->{stdin} // '/dev/null';
	my $out = `timeout 1800 '$self->{bin}' @{[ map { "'$_'" } @a ]} <'$in' 2>$err`;
	return ($? >> 8, $out);
}

# `systemctl ACTION openclaw-gateway` through the stand-in.
sub unit {
	my ($self, $action) = @_;
	local @ENV{ keys %{ $self->{unit_env} } } = values %{ $self->{unit_env} };
	system($self->systemctl, $action, 'openclaw-gateway');
}

# The calls the stand-in recorded (lines of systemctl.calls).
sub unit_calls { my @l = split /\n/, (_slurp("$_[0]{dir}/systemctl.calls") // ''); @l }

# och-setup's onboarding: the env file with a throwaway gateway token, then
# `openclaw onboard` non-interactive (loopback, token auth from the env).
# Returns (exit status, output).
sub onboard {
	my ($self) = @_;
	open my $fh, '>', "$self->{state}/.env" or croak "$self->{state}/.env: $!";
	print $fh 'OPENCLAW_GATEWAY_TOKEN=', 'a' x 64, "\n";
	close $fh;
	chmod 0600, "$self->{state}/.env";
	# its arguments from och-setup itself (onboard_flags)
	my $setup = $self->{t}->src('cloud-init/och-setup');
	my @flags = split /\n/, `bash -c '. "\$1"; onboard_flags' och-setup '$setup'`;
	croak "och-setup gave no onboarding flags" unless @flags && $flags[-1] eq '--json';
	return $self->cli('onboard', @flags);
}

# The gateway's state on a server named FQDN from a pre-built image at
# first boot (a new one, or a warm pool server before its claim), made by
# och-setup's own code: `och-setup image-state` as the image build runs
# it (onboarding, the settings every server has, then stripped of what is
# per machine), then its first boot's openclaw_state as main runs it on a
# pre-built image (the state is `baked`: the env file with a new
# throwaway token, no openclaw call).  och-setup's log: och-setup.log in
# the test's folder.  Returns (exit status, output).
sub prebuilt_first_boot {
	my ($self, $fqdn) = @_;
	my $d = $self->{dir};
	# /opt/openclaw as the image has it: bin/openclaw, and Node on its PATH
	for ('oc-prefix', 'oc-prefix/bin') { mkdir "$d/$_" }
	symlink($self->{bin}, "$d/oc-prefix/bin/openclaw");
	symlink($self->node, "$d/oc-prefix/bin/node");
	my %env = (OCH_OPENCLAW_PREFIX => "$d/oc-prefix", OCH_OPENCLAW_HOME => $self->{home},
	    OCH_OPENCLAW_USER => '', OCH_COMPILE_CACHE => "$d/compile-cache", OCH_SETUP_LOG => "$d/och-setup.log");
	local @ENV{ keys %env } = values %env;
	my $setup = $self->{t}->src('cloud-init/och-setup');
	my $out = `timeout 1800 bash '$setup' image-state </dev/null 2>&1`;
	return ($? >> 8, $out) if $?;
	$out = `timeout 60 bash -c '. "\$1"; FQDN=\$2 VERSION=@{[ $self->version ]} PLUGINS=() PREBUILT=1
	    openclaw_state' _ '$setup' '$fqdn' </dev/null 2>&1`;
	return ($? >> 8, $out);
}

# A channel plugin linked from the cache (no network).  OpenClaw does not
# trust a linked plugin with its keyed store: Discord refuses to register
# that way (installed from npm, as och-setup does, it is trusted).
sub link_plugin {
	my ($self, $p) = @_;
	return $self->cli('plugins', 'install', "$self->{cache}/plugins/$p", '--link', '--force',
	    '--accept-capabilities');
}

# A provider plugin (its pinned npm spec, as och-setup gets it in
# OCH_PROVIDER_PLUGINS) installed the way och-setup installs it, from npm
# (so OpenClaw trusts it), with npm offline on the cache
# scripts/openclaw-deps.sh filled.  Returns (exit status, output).
sub install_provider {
	my ($self, $spec) = @_;
	local $ENV{npm_config_offline} = 'true';
	local $ENV{npm_config_cache} = "$self->{providers}/npm-cache";
	return $self->cli('plugins', 'install', $spec, '--force', '--accept-capabilities');
}

sub live { decode_json(_slurp("$_[0]{state}/openclaw.json") // '{}') }
sub clobbered { scalar(() = glob("$_[0]{state}/openclaw.json.clobbered.*")) }
sub gateway_log { _slurp("$_[0]{dir}/gateway.log") // '' }

# The gateway up: /readyz 200, or 503 naming only channels (offline, a
# channel cannot reach its service: 2026.9.6 keeps /readyz at 503 for it).
sub ready {
	my ($self) = @_;
	my $out = `curl -s --max-time 5 -w '\n%{http_code}' @{[ $self->url ]}/readyz` // '';
	my ($body, $code) = $out =~ /\A(.*)\n(\d+)\z/s or return 0;
	return 1 if $code eq '200';
	my $r = eval { decode_json($body) } // {};
	my %ch = map { $_ => 1 } qw(telegram discord slack whatsapp);
	return $code eq '503' && @{ $r->{failing} // [] } && !grep { !$ch{$_} } @{ $r->{failing} };
}

# The admin RPC (plugin admin-http-rpc) with TOKEN (undef: none).  Returns
# (HTTP status, the answer's payload when it says ok or else undef, the
# raw answer).  The answer: {id, ok, payload} or {ok: false, error}.
sub rpc {
	my ($self, $method, $token, $params) = @_;
	my $req = encode_json({ method => $method, ($params ? (params => $params) : ()) });
	$req =~ s/'/'\\''/g;
	my $auth = defined $token ? "-H 'Authorization: Bearer $token'" : '';
	my $out = `curl -s --max-time 120 -w '\n%{http_code}' $auth -H 'Content-Type: application/json' --data '$req' @{[ $self->url ]}/api/v1/admin/rpc` // '';
	my ($body, $code) = $out =~ /\A(.*)\n(\d+)\z/s or return (0, undef, $out);
	my $a = eval { decode_json($body) } // {};
	return ($code, $a->{ok} && ref $a->{payload} eq 'HASH' ? $a->{payload} : undef, $body);
}

1;
