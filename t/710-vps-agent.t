# och-agent (cloud-init/och-agent) against a fake of its API
# (cloud-init/AGENT-PROTOCOL.md) and the stand-in openclaw CLI
# (t/bin/openclaw): the ready exchange stores 0600 files and consumes the
# bootstrap token; a config is validated and applied atomically, a bad
# one is refused and the last good one stays; ETag/304; commands run and
# their results are posted once; the report carries health, version,
# channels, pairing requests and usage; the API going away is survived
# with backoff; no secret reaches a log, a report or a result.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use JSON::PP;

my $t = OCH::Test->new;
my $dir = $t->dir;
my $agent = $t->src('cloud-init/och-agent');
my $F = "$dir/api";		# the fake API's state
my $J = JSON::PP->new->canonical(1);
sub have { system("command -v '$_[0]' >/dev/null 2>&1") == 0 }
plan skip_all => 'curl and jq are needed' unless have('curl') && have('jq');

sub slurp { my ($f) = @_; open my $fh, '<', $f or return undef; local $/; <$fh> }
sub spew { my ($f, $s) = @_; open my $fh, '>', $f or die "$f: $!"; print $fh $s; close $fh }
sub mode { sprintf '%04o', (stat $_[0])[2] & 07777 }
sub jsonl { my $s = slurp($_[0]) // ''; [map { decode_json($_) } grep { /\S/ } split /\n/, $s] }

SKIP: {
	skip 'shellcheck not installed', 1 unless have('shellcheck');
	my $out = `shellcheck '$agent' '@{[ $t->src('t/bin/openclaw') ]}' '@{[ $t->src('t/bin/clawhub') ]}' 2>&1`;
	is($?, 0, 'och-agent and the stand-ins are shellcheck-clean') or diag($out);
}

# ------------------------------------------------------------ the fake API
mkdir $F;
mkdir "$F/results";
my %sec = (
	boot => 'b00757' x 10 . 'abcd',
	agent => 'AgentTok-' . 'q' x 30,
	gw => 'GwTok-' . 'g' x 40,
	ne => 'NePass-' . 'n' x 24,
	anth => 'sk-ant-api03-' . 'A' x 30,
	oai => 'sk-proj-' . 'O' x 30,
);
spew("$F/boot.token", $sec{boot});
spew("$F/secrets.json", encode_json(\%sec));
my $port = $t->free_port;
spew("$dir/fake-api.pl", <<'EOF');
# The agent API as cloud-init/AGENT-PROTOCOL.md describes it, plus the
# gateway's /healthz, /readyz and admin RPC; state and logs in $F.
use strict;
use warnings;
use IO::Socket::INET;
use JSON::PP;
my ($port, $F) = @ARGV;
my $J = JSON::PP->new->canonical(1);
sub slurp { open my $fh, '<', $_[0] or return undef; local $/; <$fh> }
sub spew { open my $fh, '>', $_[0] or die; print $fh $_[1]; close $fh }
sub app { open my $fh, '>>', $_[0] or die; print $fh $_[1]; close $fh }
my $sec = decode_json(slurp("$F/secrets.json"));
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
    Listen => 32, ReuseAddr => 1) or die "listen: $!";
$SIG{PIPE} = 'IGNORE';
while (my $c = $srv->accept) {
	my $line = <$c> // next;
	my ($m, $target) = $line =~ /^(\S+) (\S+)/ or next;
	my %h;
	while (my $l = <$c>) {
		last if $l =~ /^\r?\n$/;
		$h{lc $1} = $2 if $l =~ /^([^:]+):\s*(.*?)\r?$/;
	}
	my $body = '';
	read($c, $body, $h{'content-length'}) if $h{'content-length'};
	my ($path, $q) = split /\?/, $target, 2;
	my $auth = $h{authorization} // '';
	app("$F/requests.jsonl", $J->encode({ method => $m, path => $path, query => $q // '',
	    auth => ($auth ? ($auth eq "Bearer $sec->{agent}" ? 'agent' : 'other') : ''),
	    inm => $h{'if-none-match'} // '' }) . "\n");
	my ($st, $out, @hdr) = (404, '{"error":{"code":"not_found"}}');
	my $rev = (slurp("$F/config.rev") // 0) + 0;
	if (-e "$F/down" && $path =~ m{^/api/}) {
		($st, $out) = (503, '{"error":{"code":"unavailable"}}');
	} elsif ($path eq '/healthz') {
		($st, $out) = (200, '{"ok":true,"status":"live"}');
	} elsif ($path eq '/readyz') {
		my $v = slurp("$F/../openclaw/stub-version") // '';
		my $broken = slurp("$F/broken-version") // 'none';
		chomp($v, $broken);
		($st, $out) = $v eq $broken ? (503, '{"ready":false,"failing":["agent-db"]}')
		    : -e "$F/telegram-down" ? (503, '{"ready":false,"failing":["telegram"]}')
		    : (200, '{"ready":true,"failing":[]}');
	} elsif ($path eq '/api/v1/admin/rpc') {
		my $r = eval { decode_json($body) } // {};
		# the token the gateway takes: the one in openclaw.json, live as
		# OpenClaw 2026.9.6 applies it; with gw-no-hot, the one it held
		# at its last restart (the systemctl stand-in keeps it)
		# (or, where that is onboarding's env reference, that variable
		# of the env file; gw-state: another state folder)
		my $gw = $sec->{gw};
		my $sd = slurp("$F/gw-state") // "$F/../openclaw";
		my $lt = eval { decode_json(slurp("$sd/openclaw.json") // '{}')->{gateway}{auth}{token} };
		$gw = $lt if defined $lt && !ref $lt && $lt !~ /^\$\{/;
		if (ref $lt eq 'HASH' && ($lt->{source} // '') eq 'env') {
			($gw) = (slurp("$sd/.env") // '') =~ /^\Q$lt->{id}\E=(\S+)$/m;
			$gw //= '';
		}
		if (-e "$F/gw-no-hot") {
			$gw = slurp("$F/gw-started") // $sec->{gw};
			chomp $gw;
		}
		if ($auth ne "Bearer $gw") {
			($st, $out) = (401, '{"ok":false,"error":{"message":"Unauthorized","type":"unauthorized"}}');
		} elsif (-e "$F/gw-state" && ($r->{method} // '') =~ /^config\.(get|patch)$/) {
			# the admin RPC's config.get/config.patch (with gw-state
			# only: elsewhere the agent falls back to the CLI): the file
			# and its hash; an RFC 7386 patch of `raw` on that hash
			require Digest::SHA;
			my $raw = slurp("$sd/openclaw.json") // '{}';
			my $h = Digest::SHA::sha256_hex($raw);
			if ($1 eq 'get') {
				($st, $out) = (200, $J->encode({ ok => JSON::PP::true,
				    payload => { config => decode_json($raw), hash => $h } }));
			} elsif (($r->{params}{baseHash} // '') ne $h) {
				($st, $out) = (400, '{"ok":false,"error":{"message":"config changed since last load"}}');
			} else {
				my $mp; $mp = sub { my ($t, $p) = @_; return $p unless ref $p eq 'HASH';
					$t = {} unless ref $t eq 'HASH';
					for my $k (keys %$p) { defined $p->{$k} ? ($t->{$k} = $mp->($t->{$k}, $p->{$k})) : delete $t->{$k} }
					$t };
				my $new = $mp->(decode_json($raw), decode_json($r->{params}{raw}));
				spew("$sd/openclaw.json.tmp", $J->encode($new));
				chmod 0600, "$sd/openclaw.json.tmp";
				rename "$sd/openclaw.json.tmp", "$sd/openclaw.json";
				app("$F/rpc.jsonl", $J->encode({ method => 'config.patch' }) . "\n");
				($st, $out) = (200, '{"ok":true,"payload":{"ok":true}}');
			}
		} elsif (($r->{method} // '') eq 'health') {
			($st, $out) = (200, '{"ok":true,"payload":{"ok":true,"configReload":{"hotReloadStatus":"active"}}}');
		} elsif (($r->{method} // '') eq 'web.login.start') {
			($st, $out) = (200, '{"ok":true,"payload":{"qrDataUrl":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE=","sessionKey":"s-1","message":"Scan this QR in WhatsApp"}}');
		} elsif (($r->{method} // '') eq 'web.login.wait') {
			# as 2026.9.6 answers: a wait that times out is ok with
			# connected:false and the next QR; the second one links
			# (or never, with wa-never-links)
			app("$F/rpc.jsonl", $body . "\n");
			my $n = () = (slurp("$F/rpc.jsonl") =~ /web\.login\.wait/g);
			($st, $out) = $n == 1 || -e "$F/wa-never-links"
			    ? (200, '{"ok":true,"payload":{"connected":false,"message":"QR refreshed","qrDataUrl":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAI="}}')
			    : (200, '{"ok":true,"payload":{"connected":true,"message":"Linked"}}');
		} elsif (($r->{method} // '') eq 'device.pair.list') {
			($st, $out) = (200, '{"ok":true,"payload":{"pending":[{"requestId":"req-1","deviceId":"d-1","platform":"Linux","clientId":"openclaw-control-ui","ts":1796284452066}],"paired":[]}}');
		} elsif (($r->{method} // '') eq 'device.pair.approve') {
			app("$F/rpc.jsonl", $body . "\n");
			($st, $out) = ($r->{params}{requestId} // '') eq 'req-1'
			    ? (200, '{"ok":true,"payload":{"requestId":"req-1","device":{"deviceId":"d-1"}}}')
			    : (400, '{"ok":false,"error":{"code":"INVALID_REQUEST","message":"unknown requestId"}}');
		}
	} elsif ($path eq '/api/v1/agent/ready' && $m eq 'POST') {
		my $r = eval { decode_json($body) } // {};
		if (($r->{bootstrap_token} // '') eq slurp("$F/boot.token") && !-e "$F/boot.used" && !$auth) {
			spew("$F/boot.used", $body);
			($st, $out) = (200, $J->encode({ agent_token => $sec->{agent},
			    instance_id => '7c9e6679-7425-40de-944b-e07fc1f90ae7',
			    secrets => { gateway_token => $sec->{gw}, node_exporter_password => $sec->{ne} },
			    config_url => '/api/v1/agent/config' }));
		} else {
			($st, $out) = (401, '{"error":{"code":"unauthorized","message":"invalid token"}}');
		}
	} elsif ($auth ne "Bearer $sec->{agent}") {
		($st, $out) = (401, '{"error":{"code":"unauthorized"}}');
	} elsif ($path eq '/api/v1/agent/config' && $m eq 'GET') {
		my $etag = "\"$rev\"";
		if (($h{'if-none-match'} // '') eq $etag) {
			($st, $out) = (304, '');
		} else {
			($st, $out, @hdr) = (200, slurp("$F/config.json") // '{}', "ETag: $etag");
		}
	} elsif ($path eq '/api/v1/agent/commands' && $m eq 'GET') {
		my $all = eval { decode_json(slurp("$F/commands.json") // '[]') } // [];
		my @pending = grep { !-e "$F/results/$_->{id}.final" } @$all;
		($st, $out) = (200, $J->encode({ commands => \@pending, config_revision => $rev }));
	} elsif ($path =~ m{^/api/v1/agent/commands/([\w-]+)$} && $m eq 'POST') {
		my $id = $1;
		if (-e "$F/fail-results") {
			unlink "$F/fail-results";
			($st, $out) = (503, '{"error":{"code":"unavailable"}}');
		} else {
			app("$F/results/$id.jsonl", $body . "\n");
			my $r = eval { decode_json($body) } // {};
			spew("$F/results/$id.final", $body) if ($r->{status} // '') ne 'running';
			($st, $out) = (200, '{}');
		}
	} elsif ($path eq '/api/v1/agent/report' && $m eq 'POST') {
		app("$F/reports.jsonl", $body . "\n");
		($st, $out) = (200, '{}');
	}
	my %reason = (200 => 'OK', 304 => 'Not Modified', 400 => 'Bad Request', 401 => 'Unauthorized',
	    404 => 'Not Found', 503 => 'Service Unavailable');
	print $c "HTTP/1.1 $st $reason{$st}\r\n" . join('', map { "$_\r\n" } @hdr)
	    . "Content-Type: application/json\r\nContent-Length: " . length($out)
	    . "\r\nConnection: close\r\n\r\n$out";
	close $c;
}
EOF
$t->spawn(name => 'fake-api', ready_port => $port, cmd => [$^X, "$dir/fake-api.pl", $port, $F]);
my $api = "http://127.0.0.1:$port";

# a stand-in for systemctl
# (a restarted gateway holds the token of openclaw.json: the fake
# gateway's gw-started)
spew("$dir/systemctl", "#!/bin/sh\necho \"\$*\" >>'$dir/systemctl.calls'\n" .
    "[ \"\$*\" = 'restart openclaw-gateway' ] && jq -r '.gateway.auth.token | strings' " .
    "'$dir/openclaw/openclaw.json' >'$dir/api/gw-started' 2>/dev/null\nexit 0\n");
chmod 0755, "$dir/systemctl";
# a stand-in for npm: `npm install -g openclaw@V` installs V (the stand-in
# CLI's stub-version)
spew("$dir/npm", <<'EOS');
#!/bin/sh
echo "npm $*" >>"$OPENCLAW_STUB_LOG"
for a; do case $a in openclaw@*) echo "${a#openclaw@}" >"$OPENCLAW_STATE_DIR/stub-version" ;; esac; done
EOS
chmod 0755, "$dir/npm";
# the live config without the part OpenClaw manages itself
sub live { my $c = decode_json(slurp($_[0]) // '{}'); delete $c->{meta}; $c }
# a config as the agent applies it: the gateway token in place of
# "${OPENCLAW_GATEWAY_TOKEN}" (the gateway takes a new one live)
my $gwnow = $sec{gw};
sub want {
	my $c = decode_json(encode_json($_[0]));
	$c->{gateway}{auth}{token} = $gwnow if ($c->{gateway}{auth}{token} // '') eq '${OPENCLAW_GATEWAY_TOKEN}';
	return $c;
}

# ------------------------------------------------------------ helpers
my $boot = "$dir/bootstrap.env";
spew($boot, "OCH_API_URL=$api\nOCH_BOOTSTRAP_TOKEN=$sec{boot}\nOCH_INSTANCE_ID=7c9e6679-7425-40de-944b-e07fc1f90ae7\n");
chmod 0600, $boot;
my $oc = "$dir/openclaw";
mkdir $oc;
# a session transcript of today, as the gateway writes them: the agent
# splits the day's usage by provider and model from it
{
	require File::Path;
	File::Path::make_path("$oc/agents/main/sessions");
	my @t = gmtime;
	my $day = sprintf '%04d-%02d-%02d', $t[5] + 1900, $t[4] + 1, $t[3];
	spew("$oc/agents/main/sessions/s1.jsonl", join '', map { "$_\n" }
	    qq({"type":"session","timestamp":"${day}T00:00:00Z"}),
	    qq({"type":"message","timestamp":"${day}T00:00:01Z","message":{"role":"assistant","provider":"anthropic","model":"claude-sonnet-4-5","usage":{"input":100,"output":20,"cost":{"total":0.01}}}}),
	    qq({"type":"message","timestamp":"${day}T00:00:02Z","message":{"role":"assistant","provider":"anthropic","model":"claude-sonnet-4-5","usage":{"input":50,"output":10,"cost":{"total":0.005}}}}),
	    qq({"type":"message","timestamp":"${day}T00:00:03Z","message":{"role":"user","content":"hello"}}),
	    'not json',
	    qq({"type":"message","timestamp":"${day}T00:00:04Z","message":{"role":"assistant","provider":"openai","model":"gpt-5-mini","usage":{"input":7,"output":3,"cost":{"total":0.001}}}}));
}
mkdir "$dir/ne";
# node_exporter's TLS key and certificate, made by och-setup as at first boot
{
	local @ENV{qw(OCH_NODE_EXPORTER_TLS_KEY OCH_NODE_EXPORTER_TLS_CERT OCH_SETUP_LOG)} =
	    ("$dir/ne/tls.key", "$dir/ne/tls.crt", "$dir/och-setup.log");
	is(system('bash', $t->src('cloud-init/och-setup'), 'exporter-tls'), 0, 'och-setup exporter-tls makes the key');
	is((stat "$dir/ne/tls.key")[2] & 07, 0, 'the key is not world-readable');
	like(slurp("$dir/ne/tls.crt") // '', qr/BEGIN CERTIFICATE/, 'and a certificate');
}
# the pin the other way: from the key, not the certificate
my $pin = do {
	require Digest::SHA; require MIME::Base64;
	my $der = `openssl pkey -in '$dir/ne/tls.key' -pubout -outform der`;
	'sha256//' . MIME::Base64::encode_base64(Digest::SHA::sha256($der), '');
};
my %env = (
	OCH_AGENT_DIR => "$dir/agent",
	OCH_BOOTSTRAP_ENV => $boot,
	OPENCLAW_BIN => $t->src('t/bin/openclaw'),
	OCH_CLAWHUB_BIN => $t->src('t/bin/clawhub'),
	OPENCLAW_USER => '',
	OPENCLAW_STATE_DIR => $oc,
	OPENCLAW_STUB_LOG => "$dir/stub.calls",
	OCH_GATEWAY_URL => $api,
	OCH_SYSTEMCTL => "$dir/systemctl",
	OCH_NPM => "$dir/npm",
	OCH_NODE_EXPORTER_WEB_CONFIG => "$dir/ne/web.yml",
	OCH_NODE_EXPORTER_TLS_KEY => "$dir/ne/tls.key",
	OCH_NODE_EXPORTER_TLS_CERT => "$dir/ne/tls.crt",
	OCH_AGENT_LOG => "$dir/agent.log",
	NODE_COMPILE_CACHE => "$dir/ccache",
	OCH_AGENT_ONCE => 1,
	OCH_POLL_WAIT => 0,
	OCH_READY_TIMEOUT => 3,
	OCH_WA_LOGIN_TIMEOUT => 5,
);

# one iteration; returns the exit status
sub run_agent {
	my (%extra) = @_;
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		$ENV{$_} = $env{$_} for keys %env;
		$ENV{$_} = $extra{$_} for keys %extra;
		open STDOUT, '>>', "$dir/agent-stderr.log";
		open STDERR, '>&', \*STDOUT;
		exec 'bash', $agent or die "exec: $!";
	}
	waitpid($pid, 0);
	return $? >> 8;
}
sub requests { jsonl("$F/requests.jsonl") }
sub reports { jsonl("$F/reports.jsonl") }
sub last_report { my $r = reports(); $r->[-1] }
sub calls { my ($f, $p) = @_; my $re = qr/$p/m; my $s = slurp($f) // ''; scalar(() = $s =~ /$re/mg) }
my $nreq = sub { scalar @{ requests() } };

sub set_config {
	my ($rev, $doc) = @_;
	spew("$F/config.json", ref $doc ? $J->encode({ revision => $rev, %$doc }) : $doc);
	spew("$F/config.rev", $rev);
}
sub gateway_config {
	my (%extra) = @_;
	return { gateway => { mode => 'local', port => 18789, bind => 'loopback',
	    auth => { mode => 'token', token => '${OPENCLAW_GATEWAY_TOKEN}' },
	    trustedProxies => ['127.0.0.1'],
	    controlUi => { allowedOrigins => ['https://acme-bot.claw.example'] },
	    publicOrigin => 'https://acme-bot.claw.example', %{ $extra{gateway} // {} } },
	    channels => { telegram => { enabled => JSON::PP::true, dmPolicy => 'pairing' } },
	    plugins => { entries => { 'admin-http-rpc' => { enabled => JSON::PP::true } } },
	    %{ $extra{top} // {} } };
}

# ------------------------------------------------------------ bad bootstrap
spew("$dir/bad-boot.env", "OCH_API_URL=$api\nOCH_BOOTSTRAP_TOKEN=$sec{boot}\nOCH_API_URL=http://127.0.0.2:1\n");
my $before = $nreq->();
isnt(run_agent(OCH_BOOTSTRAP_ENV => "$dir/bad-boot.env", OCH_AGENT_DIR => "$dir/agent-x"), 0,
    'a bootstrap file with a key given twice is refused');
is($nreq->(), $before, 'and nothing was sent');
like(slurp("$dir/agent.log"), qr/bootstrap file: OCH_API_URL given twice/, 'the reason is logged');

# ------------------------------------------------------------ first boot
set_config(1, { openclaw => gateway_config(), env => { ANTHROPIC_API_KEY => $sec{anth} },
    skills => [{ slug => '@acme/weather', version => '1.2.0' }] });
spew("$F/commands.json", '[]');
spew("$oc/stub-pairing.json", '{"telegram":[{"code":"ABCD2345","senderId":"tg:42","createdAt":"2026-11-26T06:30:00Z"}]}');
is(run_agent(), 0, 'first run: exit 0');
my $req = requests();
my ($ready) = grep { $_->{path} eq '/api/v1/agent/ready' } @$req;
ok($ready && !$ready->{auth}, 'ready was called without an Authorization header');
my $sent = decode_json(slurp("$F/boot.used"));
is($sent->{bootstrap_token}, $sec{boot}, 'ready carried the bootstrap token');
ok(exists $sent->{setup}, 'ready carries the setup status');
is($sent->{exporter_pin}, $pin, "ready carries the pin of node_exporter's key");
is(mode("$dir/agent"), '0700', 'state folder 0700');
is(mode("$dir/agent/agent.json"), '0600', 'agent.json 0600');
my $cred = decode_json(slurp("$dir/agent/agent.json"));
is($cred->{agent_token}, $sec{agent}, 'the agent token is stored');
is($cred->{secrets}{gateway_token}, $sec{gw}, 'and the gateway token');
unlike(slurp($boot), qr/OCH_BOOTSTRAP_TOKEN/, 'the used bootstrap token left bootstrap.env');
like(slurp($boot), qr/^OCH_API_URL=\Q$api\E$/m, 'the API URL stays');
my ($cfgreq) = grep { $_->{path} eq '/api/v1/agent/config' } @$req;
is($cfgreq->{auth}, 'agent', 'the config call used the agent token');
is_deeply(live("$oc/openclaw.json"), want(gateway_config()), 'config revision 1 applied (the gateway token in place)');
like(slurp("$dir/stub.calls"), qr/^openclaw config patch --stdin$/m, 'through OpenClaw\'s own writer');
is(mode("$oc/openclaw.json"), '0600', 'openclaw.json 0600');
ok(!-e "$oc/openclaw.json.och-new", 'no candidate left behind');
is(mode("$oc/.env"), '0600', 'env file 0600');
is(slurp("$oc/.env"), "ANTHROPIC_API_KEY=$sec{anth}\n",
    'env file: the provider key (the gateway token is in openclaw.json)');
unlike(slurp("$dir/stub.calls"), qr/^openclaw config validate/m, 'a good config: no separate validation (the writer validates)');
like(slurp("$dir/stub.calls"), qr/^openclaw skills install \@acme\/weather --global --version 1\.2\.0$/m,
    'the skill was installed');
like(slurp("$dir/systemctl.calls"), qr/^restart openclaw-gateway$/m, 'the gateway restarted for the new env');
my ($hash) = (slurp("$dir/ne/web.yml") // '') =~ /^  och: "(\$2b\$10\$[.\/A-Za-z0-9]{53})"$/m;
ok($hash && crypt($sec{ne}, $hash) eq $hash, 'node_exporter basic auth: bcrypt of the password for user och');
like(slurp("$dir/systemctl.calls"), qr/^restart prometheus-node-exporter$/m, 'node_exporter restarted');
like(slurp("$dir/ne/web.yml") // '', qr/^tls_server_config:\n  cert_file: "\Q$dir\E\/ne\/tls\.crt"\n  key_file: "\Q$dir\E\/ne\/tls\.key"\n/m,
    'node_exporter serves TLS with that key');
# the real node_exporter with that web config: TLS only, the password, the pin
SKIP: {
	my $ne = '/usr/bin/prometheus-node-exporter';
	skip 'prometheus-node-exporter not installed', 6 unless -x $ne;
	my $port = $t->free_port;
	my $nep = $t->spawn(name => 'node-exporter', cmd => [ $ne, "--web.listen-address=127.0.0.1:$port",
	    "--web.config.file=$dir/ne/web.yml", '--collector.disable-defaults', '--collector.loadavg',
	    '--collector.meminfo' ]);
	my $curl = sub {	# (exit status, HTTP status, body) of curl with these options
		my @o = @_;
		my $out = `curl -s -S -o '$dir/ne/body' -w '%{http_code}' --max-time 10 @o 2>'$dir/ne/curl.err'`;
		return ($? >> 8, $out, slurp("$dir/ne/body") // '');
	};
	ok($t->wait_for(sub { ($curl->('-k', "https://127.0.0.1:$port/"))[1] =~ /^[1-5]/ }, timeout => 20),
	    'the real node_exporter is up with the agent\'s web config');
	spew("$dir/ne/netrc", "machine 127.0.0.1 login och password $sec{ne}\n");
	my ($rc, $code, $body) = $curl->('--netrc-file', "$dir/ne/netrc", '-k', '--pinnedpubkey', $pin,
	    "https://127.0.0.1:$port/metrics");
	is($code, '200', 'https, the pinned key and the password: 200');
	like($body, qr/^node_memory_MemTotal_bytes /m, 'with metrics');
	($rc, $code) = $curl->('-k', '--pinnedpubkey', $pin, "https://127.0.0.1:$port/metrics");
	is($code, '401', 'no password: 401');
	($rc) = $curl->('--netrc-file', "$dir/ne/netrc", '-k', '--pinnedpubkey',
	    'sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=', "https://127.0.0.1:$port/metrics");
	is($rc, 90, 'another pin: curl refuses the key before sending anything (exit 90)');
	($rc, $code, $body) = $curl->("http://127.0.0.1:$port/metrics");
	is($code, '400', 'plain HTTP: 400 (TLS only)') or diag $body;
	$t->stop($nep);
}
my $rep = last_report();
ok($rep, 'a report was posted');
is($rep->{openclaw_version}, '2026.9.6', 'report: version');
is_deeply($rep->{health}, { live => JSON::PP::true, ready => JSON::PP::true, failing => [] }, 'report: health');
is($rep->{config}{applied_revision}, 1, 'report: applied revision');
is($rep->{models}, undef, 'report: no models while `models list` lists none');
# the models the installed OpenClaw offers, asked once per version
spew("$oc/stub-models.json", '["anthropic/claude-sonnet-4-6","openai/gpt-6-astra","bad key"]');
is(run_agent(), 0, 'models: run ok');
is_deeply(last_report()->{models}, ['anthropic/claude-sonnet-4-6', 'openai/gpt-6-astra'], 'report: the models offered (malformed keys dropped)');
my $mcalls = calls("$dir/stub.calls", q{^openclaw models list --all --json$});
is(run_agent(), 0, 'models: run ok again');
is(calls("$dir/stub.calls", q{^openclaw models list --all --json$}), $mcalls, 'not asked again for the same version');
is(scalar @{ last_report()->{models} // [] }, 2, 'still reported');
is_deeply([map { "$_->{channel}:$_->{code}:$_->{sender}" } @{ $rep->{pairing_requests} }],
    ['telegram:ABCD2345:tg:42'], 'report: pending pairing request');
ok($rep->{usage}{daily}[0]{totalTokens} > 0, 'report: usage');
is_deeply([ map { "$_->{provider}/$_->{model}:$_->{input}:$_->{output}" } @{ $rep->{usage}{models} // [] } ],
    [ 'anthropic/claude-sonnet-4-5:150:30', 'openai/gpt-5-mini:7:3' ],
    'report: usage per provider and model from the session transcripts');
is($rep->{channels}{channels}{telegram}{running}, JSON::PP::true, 'report: channel status');
is_deeply($rep->{skills}{installed}, [{ slug => '@acme/weather', version => '1.2.0' }], 'report: skills');

# ------------------------------------------------------------ 304
my $validates = calls("$dir/stub.calls", q{^openclaw config validate});
$before = $nreq->();
is(run_agent(), 0, 'second run: exit 0');
my @new = @{ requests() }[$before .. $nreq->() - 1];
my ($c2) = grep { $_->{path} eq '/api/v1/agent/config' } @new;
is($c2->{inm}, '"1"', 'If-None-Match carries the ETag');
is(calls("$dir/stub.calls", q{^openclaw config validate}), $validates, '304: nothing validated again');
ok(!grep({ $_->{path} eq '/api/v1/agent/ready' } @new), 'ready is not called again');
is(calls("$dir/stub.calls", q{^openclaw skills install}), 1, 'skills in place: nothing installed');

# ------------------------------------------------------------ bad configs
my $good = slurp("$oc/openclaw.json");
set_config(2, { openclaw => gateway_config(gateway => { bogus => 1 }), env => { ANTHROPIC_API_KEY => $sec{anth} } });
is(run_agent(), 0, 'a config with a key unknown to the pinned version: run ok');
is(slurp("$oc/openclaw.json"), $good, 'the validator refused it; the last good config stays');
$rep = last_report();
is($rep->{config}{applied_revision}, 1, 'report: still revision 1 applied');
is($rep->{config}{rejected_revision}, 2, 'report: revision 2 rejected');
like($rep->{config}{error}, qr/gateway\.bogus/, 'report: the validator says why');
$before = $nreq->();
run_agent();
($c2) = grep { $_->{path} eq '/api/v1/agent/config' } @{ requests() }[$before .. $nreq->() - 1];
is($c2->{inm}, '"2"', 'a rejected revision is not fetched again');

$validates = calls("$dir/stub.calls", q{^openclaw config validate});
set_config(3, { openclaw => gateway_config(gateway => { bind => 'lan' }) });
run_agent();
is(slurp("$oc/openclaw.json"), $good, 'a gateway not on loopback is refused');
like(last_report()->{config}{error}, qr/loopback/, 'report: why');
set_config(4, { openclaw => gateway_config(), env => { LD_PRELOAD => '/tmp/x.so' } });
run_agent();
is(slurp("$oc/openclaw.json"), $good, 'a dangerous env name is refused');
set_config(5, { openclaw => gateway_config(), env => { OPENAI_API_KEY => "x\nEVIL=1" } });
run_agent();
like(slurp("$oc/.env"), qr/\A[^\n]*\n\z/, 'an env value with a newline is refused');
set_config(6, '{"revision": 6, "openclaw": {"gateway": {"mode": "lo');
is(run_agent(), 0, 'a truncated config: run ok');
is(slurp("$oc/openclaw.json"), $good, 'a truncated config is refused');
like(last_report()->{config}{error}, qr/malformed/, 'report: malformed');
is(calls("$dir/stub.calls", q{^openclaw config validate}), $validates,
    'the agent refused those before running the validator');
set_config(8, { openclaw => gateway_config(top => { agents => { defaults => { x => 'y' x 1_200_000 } } }) });
isnt(run_agent(), 0, 'a config over 1 MiB: the run says so');
like(slurp("$dir/agent.log"), qr/api GET \/api\/v1\/agent\/config: answer too large/, 'logged as too large');
is(slurp("$oc/openclaw.json"), $good, 'and the last good config stays');

# ------------------------------------------------------------ a good change
my $cfg7 = gateway_config(top => { agents => { defaults => { model => { primary => 'anthropic/claude-sonnet-4-5' } } } });
set_config(9, { openclaw => $cfg7, env => { ANTHROPIC_API_KEY => $sec{anth}, OPENAI_API_KEY => $sec{oai} },
    skills => [] });
my $restarts = calls("$dir/systemctl.calls", q{^restart openclaw-gateway$});
is(run_agent(), 0, 'revision 9: run ok');
is_deeply(live("$oc/openclaw.json"), want($cfg7), 'revision 9 applied');
is_deeply(live("$dir/agent/last-good.json"), want($cfg7), 'and kept as the last good config');
like(slurp("$oc/.env"), qr/^OPENAI_API_KEY=\Q$sec{oai}\E$/m, 'new provider key in the env file');
is(calls("$dir/systemctl.calls", q{^restart openclaw-gateway$}), $restarts + 1, 'gateway restarted once');
like(slurp("$dir/stub.calls"), qr/^clawhub --workdir \S+ uninstall \@acme\/weather --yes$/m, 'the dropped skill was removed');
$rep = last_report();
is($rep->{config}{applied_revision}, 9, 'report: revision 9');
ok(!defined $rep->{config}{rejected_revision} && !defined $rep->{config}{error}, 'report: no rejection left');
is_deeply($rep->{skills}{installed}, [], 'report: no skills');

# ------------------------------------------------------------ commands
# Node's compile cache as OpenClaw lays it out (openclaw/<version>/<install
# marker>/v<node>-<arch>-<hash>/<hash>): the running 2026.9.6's, an older
# version's, the one the update brings (its first start writes it), Node's
# own folder beside them, and a link the openclaw user made to elsewhere
my $cc = "$dir/ccache";
sub cache_entry {
	my ($v) = @_;
	my $d = "$cc/openclaw/$v/1796280000000-4242/v24.11.0-x64-5f1c7e2a-0";
	system('mkdir', '-p', $d) == 0 or die;
	spew("$d/a1b2c3d4", "compiled $v");
}
cache_entry($_) for qw(2026.9.5 2026.9.6 2026.9.7);
system('mkdir', '-p', "$cc/v24.11.0-x64-5f1c7e2a-0", "$dir/elsewhere/2026.9.4") == 0 or die;
spew("$cc/v24.11.0-x64-5f1c7e2a-0/e5f6", 'node');
spew("$dir/elsewhere/2026.9.4/keep", 'not the cache');
symlink("$dir/elsewhere/2026.9.4", "$cc/openclaw/2026.9.4") or die;
sub cached { [ sort map { m{/([^/]+)$} } grep { -d && !-l } glob "$cc/openclaw/*" ] }
is_deeply(cached(), [qw(2026.9.5 2026.9.6 2026.9.7)], 'compile cache: three versions before the update');

spew("$F/commands.json", $J->encode([
	{ id => 'c1', type => 'restart', args => {} },
	{ id => 'c2', type => 'pairing_approve', args => { channel => 'telegram', code => 'ABCD2345', notify => JSON::PP::true } },
	{ id => 'c3', type => 'backup_create', args => {} },
	{ id => 'c4', type => 'doctor_fix', args => {} },
	{ id => 'c5', type => 'update', args => { version => '2026.9.7' } },
	{ id => 'c6', type => 'format_disk', args => {} },
	{ id => 'c7', type => 'pairing_approve', args => { channel => 'telegram', code => 'x;rm -rf /' } },
	{ id => 'c8', type => 'whatsapp_login', args => { account => 'main' } },
	{ id => 'c9', type => 'restart', args => 'not an object' },
	{ id => 'd1', type => 'device_approve', args => { request_id => 'req-1' } },
	{ id => 'd2', type => 'device_approve', args => { request_id => 'req-2' } },
	{ id => 'd3', type => 'device_approve', args => { request_id => 'r;rm' } },
]));
is(run_agent(OCH_WA_LOGIN_TIMEOUT => 120), 0, 'commands: run ok');
my %res = map { $_ => jsonl("$F/results/$_.jsonl") } (map { "c$_" } 1 .. 9), 'd1', 'd2', 'd3';
my %final = map { $_ => $res{$_}[-1]{status} } keys %res;
is_deeply(\%final, { c1 => 'ok', c2 => 'ok', c3 => 'ok', c4 => 'ok', c5 => 'ok',
    c6 => 'error', c7 => 'error', c8 => 'ok', c9 => 'error', d1 => 'ok', d2 => 'error', d3 => 'error' },
    'every command has its final result');
is_deeply($res{d1}[-1]{output}, { request_id => 'req-1' }, 'device approved');
like($res{d2}[-1]{error}, qr/^device approval failed: unknown requestId$/, 'an unknown device request: the gateway\'s reason');
like(slurp("$dir/stub.calls"), qr/^openclaw pairing approve telegram ABCD2345 --notify$/m, 'pairing approved');
is_deeply($res{c2}[-1]{output}, { channel => 'telegram', code => 'ABCD2345', sender => 'tg:42',
    owner => 'telegram:tg:42' }, 'the approved sender and the command owner it made are reported');
ok(-f $res{c3}[-1]{output}{archive} && $res{c3}[-1]{output}{size_bytes} > 0, 'backup archive written');
like(slurp("$dir/stub.calls"), qr/^openclaw doctor --fix --non-interactive --yes$/m, 'doctor --fix ran');
like(slurp("$dir/systemctl.calls"), qr/^stop openclaw-gateway\nstart openclaw-gateway$/m,
    'with the gateway stopped (it owns gateway-lifecycle while it runs)');
like(slurp("$dir/stub.calls"), qr/^openclaw update --tag 2026\.9\.7 --yes --no-restart --json$/m,
    'update: --no-restart (the agent restarts and waits for /readyz itself)');
is_deeply([@{ $res{c5}[-1]{output} }{qw(from to changed)}], ['2026.9.6', '2026.9.7', JSON::PP::true],
    'update: 2026.9.6 -> 2026.9.7');
ok(-f $res{c5}[-1]{output}{backup}, 'update: backup made first');
is_deeply(cached(), ['2026.9.7'], "update: only the running version's compile cache is left");
is(slurp("$cc/openclaw/2026.9.7/1796280000000-4242/v24.11.0-x64-5f1c7e2a-0/a1b2c3d4"), 'compiled 2026.9.7',
    'and it is whole');
is(slurp("$cc/v24.11.0-x64-5f1c7e2a-0/e5f6"), 'node', "Node's own folder beside it untouched");
is(slurp("$dir/elsewhere/2026.9.4/keep"), 'not the cache', 'nothing followed through a link in the cache');
like(slurp("$dir/agent.log"), qr/update: compile cache of 2026\.9\.5 2026\.9\.6 removed \(running 2026\.9\.7\)/,
    'the removal is logged');
is($res{c6}[-1]{error}, 'unknown command type', 'unknown type refused');
is_deeply(last_report()->{devices}, [{ request_id => 'req-1', name => 'Linux', created_at => 1796284452066 }],
    'report: the Control UI browser waiting for approval (admin RPC device.pair.list)');
is($res{c7}[-1]{error}, 'invalid arguments', 'bad arguments refused');
is($res{c9}[-1]{error}, 'invalid arguments', 'non-object arguments refused');
unlike(slurp("$dir/stub.calls"), qr/rm -rf/, 'bad arguments never reached the CLI');
is_deeply([map { $_->{status} } @{ $res{c8} }], [qw(running running ok)],
    'WhatsApp: one intermediate result per QR, then the final one');
is_deeply([map { $_->{output}{qr} } @{ $res{c8} }[0, 1]], ['data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE=',
    'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAI='], 'WhatsApp: the first QR, then the rotated one');
is_deeply($res{c8}[-1]{output}, { account => 'main', linked => JSON::PP::true }, 'WhatsApp: linked only on connected:true');
like(slurp("$F/rpc.jsonl"), qr/"sessionKey":"s-1"/, 'WhatsApp: waited with the session key');
like(slurp("$F/rpc.jsonl"), qr/"currentQrDataUrl":"data:image\/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE="/,
    'WhatsApp: and the QR shown');
$rep = last_report();
is($rep->{openclaw_version}, '2026.9.7', 'report: new version');
is_deeply($rep->{pairing_requests}, [], 'report: pairing request gone');

# an update that leaves the gateway unready is rolled back
cache_entry($_) for qw(2026.9.6 2026.9.8);
spew("$F/broken-version", '2026.9.8');
spew("$F/commands.json", $J->encode([{ id => 'c10', type => 'update', args => { version => '2026.9.8' } }]));
run_agent();
my $r10 = jsonl("$F/results/c10.jsonl")->[-1];
is($r10->{status}, 'error', 'update to a broken version fails');
like($r10->{error}, qr/not ready after update; rollback ok/, 'and says it rolled back');
is($r10->{output}{rolled_back}, JSON::PP::true, 'rolled_back: true');
is(slurp("$oc/stub-version") =~ s/\s+//r, '2026.9.7', 'the previous version is back');
# the first approval (c2) made its sender the command owner in the live file
my $cfg7o = { %$cfg7, commands => { ownerAllowFrom => ['telegram:tg:42'] } };
is_deeply(live("$oc/openclaw.json"), want($cfg7o), 'with the config of the pre-update backup');
ok(-d "$oc.pre-rollback", 'the state of the failed update is kept aside');
is_deeply(cached(), [qw(2026.9.6 2026.9.7 2026.9.8)], 'a failed update removes no compile cache');
like(slurp("$dir/stub.calls"), qr/^openclaw backup restore \S+ --target \S+ --json\nnpm install -g --no-fund --no-audit openclaw\@2026\.9\.7$/m,
    'rollback: the pre-update backup restored, the previous version from npm');

# the next apply: a channel dropped (null in the merge patch), the owner
# that `pairing approve` wrote kept (our patch never touches it)
my $cfg11 = gateway_config();
$cfg11->{channels} = { discord => { enabled => JSON::PP::true, dmPolicy => 'pairing' } };
$cfg11->{plugins}{entries}{discord} = { enabled => JSON::PP::true };
set_config(11, { openclaw => $cfg11, env => { ANTHROPIC_API_KEY => $sec{anth}, OPENAI_API_KEY => $sec{oai} } });
spew("$F/commands.json", '[]');
is(run_agent(), 0, 'revision 11: run ok');
is(last_report()->{config}{applied_revision}, 11, 'revision 11 applied');
my $patch = decode_json(slurp("$dir/agent/patch.json"));
is_deeply([$patch->{channels}{telegram}, $patch->{agents}{defaults}{model}], [undef, undef],
    'the patch removes the dropped channel and model with null');
ok(exists $patch->{channels}{telegram} && !exists $patch->{commands}, 'and leaves commands alone');
is_deeply(live("$oc/openclaw.json"), want({ %$cfg11, commands => { ownerAllowFrom => ['telegram:tg:42'] },
    agents => { defaults => {} } }), 'live: the new channel, no telegram, the command owner still the first one approved');

# a WhatsApp QR never scanned: connected:false until the wait ends
spew("$F/wa-never-links", '');
spew("$F/commands.json", $J->encode([{ id => 'w1', type => 'whatsapp_login', args => {} }]));
run_agent(OCH_WA_LOGIN_TIMEOUT => 2);
my $r13 = jsonl("$F/results/w1.jsonl");
is($r13->[-1]{status}, 'error', 'WhatsApp: not linked is an error, never ok');
is($r13->[-1]{output}{linked}, JSON::PP::false, 'linked: false');

# a channel that cannot reach its service keeps /readyz at 503 naming it:
# the gateway is up all the same (a restart is not a failure for it)
spew("$F/telegram-down", '');
spew("$F/commands.json", $J->encode([{ id => 'r1', type => 'restart', args => {} }]));
run_agent();
is(jsonl("$F/results/r1.jsonl")->[-1]{status}, 'ok', 'restart with a channel failing: the gateway is up');
like(slurp("$dir/agent.log"), qr/gateway up; channels failing: telegram/, 'and the failing channel is logged');
unlink "$F/telegram-down";

# a result the API did not take is sent again, the command not run again
spew("$F/fail-results", '');
spew("$F/commands.json", $J->encode([{ id => 'c11', type => 'restart', args => {} }]));
$restarts = calls("$dir/systemctl.calls", q{^restart openclaw-gateway$});
isnt(run_agent(), 0, 'result refused by the API: the run reports a failure');
ok(-f "$dir/agent/results/c11.json", 'the result is kept');
is(run_agent(), 0, 'next run: ok');
is(jsonl("$F/results/c11.jsonl")->[-1]{status}, 'ok', 'the kept result was delivered');
is(calls("$dir/systemctl.calls", q{^restart openclaw-gateway$}), $restarts + 1, 'the restart ran once');
ok(!-e "$dir/agent/results/c11.json", 'and dropped once delivered');

# a gateway token replaced in the dashboard: the next config carries it;
# the gateway takes it live (openclaw.json, no restart), the agent checks
# that the new one is accepted and the old one refused
$sec{gw2} = 'GwTok2-' . 'h' x 40;
$sec{gw3} = 'GwTok3-' . 'k' x 40;
my %env11 = (ANTHROPIC_API_KEY => $sec{anth}, OPENAI_API_KEY => $sec{oai});
my $envfile = slurp("$oc/.env");
$restarts = calls("$dir/systemctl.calls", q{^restart openclaw-gateway$});
my $hot = calls("$dir/agent.log", q{config: gateway token applied without a restart});
set_config(12, { openclaw => $cfg11, env => \%env11, gateway_token => $sec{gw2} });
is(run_agent(), 0, 'revision 12, a new gateway token: run ok');
is(last_report()->{config}{applied_revision}, 12, 'applied');
is(calls("$dir/systemctl.calls", q{^restart openclaw-gateway$}), $restarts, 'without a gateway restart');
is(slurp("$oc/.env"), $envfile, 'the env file unchanged');
is(live("$oc/openclaw.json")->{gateway}{auth}{token}, $sec{gw2}, 'the new token in openclaw.json');
is(decode_json(slurp("$dir/agent/agent.json"))->{secrets}{gateway_token}, $sec{gw2}, 'and the agent\'s own');
is(calls("$dir/agent.log", q{config: gateway token applied without a restart}), $hot + 1,
    'the gateway answered with the new token and refused the old one');
# a gateway that does not take it live: restarted for it, and the log says so
spew("$F/gw-no-hot", '');
set_config(13, { openclaw => $cfg11, env => \%env11, gateway_token => $sec{gw3} });
is(run_agent(OCH_TOKEN_TIMEOUT => 2), 0, 'revision 13, the gateway keeps the old token: run ok');
is(last_report()->{config}{applied_revision}, 13, 'applied');
is(calls("$dir/systemctl.calls", q{^restart openclaw-gateway$}), $restarts + 1, 'after one restart');
like(slurp("$dir/agent.log"), qr/did not take the new token \(the new token is not accepted \(Unauthorized\)\).*\n.*restarting the gateway for the new token/,
    'the log says the hot apply did not take and the gateway was restarted');
unlink "$F/gw-no-hot";
$gwnow = $sec{gw3};

# ------------------------------------------------------------ API trouble
spew("$F/down", '');
isnt(run_agent(), 0, 'API answering 503: the run says so');
like(slurp("$dir/agent.log"), qr/api GET \/api\/v1\/agent\/config: 503/, 'logged');
is_deeply(live("$oc/openclaw.json"), want({ %$cfg11, commands => { ownerAllowFrom => ['telegram:tg:42'] },
    agents => { defaults => {} } }), 'the gateway config is untouched');
isnt(run_agent(OCH_API_URL => 'http://127.0.0.1:' . $t->free_port), 0, 'API unreachable: the run says so');
like(slurp("$dir/agent.log"), qr/unreachable \(curl 7\)/, 'logged as unreachable');

# the loop backs off while the API is down and carries on when it returns
my $nrep = @{ reports() };
my $p = $t->spawn(name => 'agent-loop', cmd => ['bash', $agent],
    env => { %env, OCH_AGENT_ONCE => 0, OCH_BACKOFF_MAX => 2, OCH_POLL_WAIT => 1,
	OCH_IDLE_SLEEP => 1, OCH_REPORT_INTERVAL => 60 });
ok($t->wait_for(sub { calls("$dir/agent.log", q{retrying in \d+s}) >= 3 }, timeout => 90),
    'the loop backs off while the API is down');
unlink "$F/down";
ok($t->wait_for(sub { @{ reports() } > $nrep }, timeout => 90), 'and reports once it is back');
$t->stop($p);

# a used bootstrap token is refused; the agent says so and stores nothing
spew("$dir/boot2.env", "OCH_API_URL=$api\nOCH_BOOTSTRAP_TOKEN=$sec{boot}\n");
isnt(run_agent(OCH_BOOTSTRAP_ENV => "$dir/boot2.env", OCH_AGENT_DIR => "$dir/agent2"), 0,
    'a used bootstrap token: refused');
ok(!-e "$dir/agent2/agent.json", 'no credentials stored');
like(slurp("$dir/agent.log"), qr/ready: refused \(401 unauthorized\)/, 'the refusal is logged');

# ------------------------------------------------------------ pre-built first boot
# A cold first boot from a pre-built image: the image carries the
# onboarded state (`och-setup image-state`: onboarding and the static
# settings, then nothing per machine or secret); och-setup's first boot
# makes only the env file with a throwaway token, no openclaw call, and
# starts the gateway; the agent's ready call and first config come while
# the gateway still starts (not listening yet): the agent waits for it
# and applies the config through the admin RPC with the token the
# gateway holds (the env reference), no CLI and, as a new order's config
# has no env entries, no restart; the instance's token is then live.
{
	my $pb = "$dir/pb";
	mkdir $pb;
	mkdir "$pb/prefix";
	mkdir "$pb/prefix/bin";
	symlink($t->src('t/bin/openclaw'), "$pb/prefix/bin/openclaw") or die;
	my %setup = (OCH_OPENCLAW_PREFIX => "$pb/prefix", OCH_OPENCLAW_HOME => "$pb/home",
	    OCH_OPENCLAW_USER => '', OCH_COMPILE_CACHE => "$pb/cache", OCH_SETUP_LOG => "$pb/setup.log",
	    OPENCLAW_STUB_LOG => "$pb/image.calls", OPENCLAW_STATE_DIR => "$pb/home/.openclaw");
	mkdir "$pb/home";
	{
		local @ENV{keys %setup} = values %setup;
		is(system('bash', $t->src('cloud-init/och-setup'), 'image-state'), 0, 'och-setup image-state (the image build)');
	}
	like(slurp("$pb/image.calls") // '', qr/^openclaw onboard .*--gateway-token-ref-env OPENCLAW_GATEWAY_TOKEN.*\nopenclaw config patch --stdin$/m,
	    'it onboards and patches the static settings');
	my $st = "$pb/home/.openclaw";
	my $baked = decode_json(slurp("$st/openclaw.json") // '{}');
	is_deeply($baked->{gateway}{auth}{token}, { source => 'env', provider => 'default', id => 'OPENCLAW_GATEWAY_TOKEN' },
	    'the baked config refers to the env file for its token');
	is_deeply([$baked->{gateway}{trustedProxies}, $baked->{plugins}{entries}{'admin-http-rpc'}{enabled}],
	    [['127.0.0.1'], JSON::PP::true], 'and has the static settings');
	ok(!exists $baked->{gateway}{publicOrigin} && !exists $baked->{gateway}{controlUi}, 'no origin of any server');
	ok(!-e "$st/.env", 'the image keeps no env file (the build\'s token)');
	is_deeply([glob "$st/openclaw.json.bak*"], [], 'nor config backups');
	# och-setup's first boot on it (its functions, as main runs them on a
	# pre-built image; the gateway unit's start is the agent's stand-in)
	my $fb = `env @{[ map { "$_='$setup{$_}'" } sort keys %setup ]} OPENCLAW_STUB_LOG='$pb/firstboot.calls' bash -c '
	    . "\$1"; FQDN=acme-bot.claw.example VERSION=2026.9.6 PLUGINS=() PREBUILT=1
	    openclaw_state && echo state-ok' _ '@{[ $t->src('cloud-init/och-setup') ]}' 2>&1`;
	like($fb, qr/state-ok/, 'och-setup: the first boot\'s gateway state') or diag $fb;
	is(slurp("$pb/firstboot.calls") // '', '', 'with no openclaw call');
	like(slurp("$pb/setup.log") // '', qr/the image's onboarded state: no openclaw call/, 'and says so');
	my ($throw) = (slurp("$st/.env") // '') =~ /^OPENCLAW_GATEWAY_TOKEN=([0-9a-f]{64})\n\z/;
	ok($throw, 'the env file holds a throwaway token made at boot');
	is(mode("$st/.env"), '0600', 'env file 0600');
	is_deeply(decode_json(slurp("$st/openclaw.json")), $baked, 'the baked config untouched');
	unlike(slurp("$pb/setup.log"), qr/$throw/, 'the token is not in the log');

	# the agent: a new bootstrap token; the gateway on another port, up 4 s late
	unlink "$F/boot.used";
	spew("$F/boot.token", $sec{boot});
	spew("$dir/boot-pb.env", "OCH_API_URL=$api\nOCH_BOOTSTRAP_TOKEN=$sec{boot}\n");
	chmod 0600, "$dir/boot-pb.env";
	spew("$F/gw-state", $st);
	my $cfgpb = gateway_config(top => { channels => {} });
	set_config(40, { openclaw => $cfgpb, env => {} });
	my $gport = $t->free_port;
	my $late = $t->spawn(name => 'late-gateway', cmd => ['sh', '-c', "sleep 4; exec '$^X' '$dir/fake-api.pl' $gport '$F'"]);
	my $r0 = calls("$dir/systemctl.calls", q{^restart openclaw-gateway$});
	spew("$dir/stub-pb.calls", '');
	is(run_agent(OCH_AGENT_DIR => "$dir/agent-pb", OCH_BOOTSTRAP_ENV => "$dir/boot-pb.env",
	    OPENCLAW_STATE_DIR => $st, OCH_OPENCLAW_HOME => "$pb/home", OPENCLAW_STUB_LOG => "$dir/stub-pb.calls",
	    OCH_GATEWAY_URL => "http://127.0.0.1:$gport", OCH_READY_TIMEOUT => 60), 0, 'the agent\'s first run on it: exit 0');
	like(slurp("$dir/agent.log"), qr/config: the gateway is starting; waiting for it\n.*config: patched through the gateway's admin RPC\n/,
	    'the config came while the gateway started: waited for, then applied through the admin RPC');
	unlike(slurp("$dir/stub-pb.calls"), qr/^openclaw config patch/m, 'not through the CLI');
	is(calls("$dir/systemctl.calls", q{^restart openclaw-gateway$}), $r0, 'no gateway restart (no env entries)');
	like(slurp("$dir/agent.log"), qr/config: gateway token applied without a restart/, 'the instance\'s token applied live');
	my $applied = decode_json(slurp("$st/openclaw.json"));
	is($applied->{gateway}{auth}{token}, $sec{gw}, 'openclaw.json holds the instance\'s token');
	is_deeply($applied->{gateway}{controlUi}{allowedOrigins}, ['https://acme-bot.claw.example'],
	    'and the origins of its name, from the config');
	is(decode_json(slurp("$dir/agent-pb/config.status.json"))->{applied_revision}, 40, 'revision 40 applied');
	is(slurp("$dir/agent-pb/env.last"), "\n", 'the env file\'s config entries (none) recorded');
	# the next config with an env entry restarts it
	set_config(41, { openclaw => $cfgpb, env => { ANTHROPIC_API_KEY => $sec{anth} } });
	is(run_agent(OCH_AGENT_DIR => "$dir/agent-pb", OPENCLAW_STATE_DIR => $st, OCH_OPENCLAW_HOME => "$pb/home",
	    OPENCLAW_STUB_LOG => "$dir/stub-pb.calls", OCH_GATEWAY_URL => "http://127.0.0.1:$gport"), 0, 'a key added');
	is(calls("$dir/systemctl.calls", q{^restart openclaw-gateway$}), $r0 + 1, 'restarts it for the env entry');
	is(slurp("$st/.env"), "ANTHROPIC_API_KEY=$sec{anth}\n", 'the env file: the key, the throwaway token gone');
	$t->stop($late);
	unlink "$F/gw-state";
}

# ------------------------------------------------------------ as root
# On a VPS the agent is root and the CLI runs as the gateway's user; here
# that user is "nobody": the files in its folders are its own, written by
# it, and the backups land in its home.
SKIP: {
	skip 'needs root and the user nobody', 9 unless $> == 0 && getpwnam('nobody');
	my ($uid, $gid) = (getpwnam('nobody'))[2, 3];
	my $home = "$dir/home";
	mkdir $home;
	mkdir "$home/.openclaw";
	spew("$dir/stub-nobody.calls", '');
	chown $uid, $gid, $home, "$home/.openclaw", "$dir/stub-nobody.calls";
	chmod 0700, "$home/.openclaw";
	mkdir "$dir/agent3";
	spew("$dir/agent3/agent.json", slurp("$dir/agent/agent.json"));
	chmod 0600, "$dir/agent3/agent.json";
	my $cfg10 = gateway_config();
	set_config(10, { openclaw => $cfg10, env => { ANTHROPIC_API_KEY => $sec{anth} } });
	spew("$F/commands.json", $J->encode([{ id => 'c20', type => 'backup_create', args => {} }]));
	is(run_agent(OCH_AGENT_DIR => "$dir/agent3", OPENCLAW_USER => 'nobody',
	    OPENCLAW_STATE_DIR => "$home/.openclaw", OCH_OPENCLAW_HOME => $home,
	    OPENCLAW_STUB_LOG => "$dir/stub-nobody.calls"), 0, 'as root with a gateway user: run ok');
	is_deeply(live("$home/.openclaw/openclaw.json"), want($cfg10), 'config applied');
	is((stat "$home/.openclaw/openclaw.json")[4], $uid, 'openclaw.json belongs to the gateway user');
	is((stat "$home/.openclaw/.env")[4], $uid, '.env belongs to the gateway user');
	is(mode("$home/.openclaw/.env"), '0600', '.env 0600');
	like(slurp("$dir/stub-nobody.calls"), qr/^openclaw config patch --stdin$/m, 'the CLI ran as that user');
	my $r20 = jsonl("$F/results/c20.jsonl")->[-1];
	is($r20->{status}, 'ok', 'backup as that user');
	like($r20->{output}{archive} // '', qr{^\Q$home\E/backups/}, 'in its home');
	is((stat($r20->{output}{archive} // '/'))[4], $uid, 'owned by it');
}

# ------------------------------------------------------------ no secrets
my %where = (
	'agent log' => slurp("$dir/agent.log") . (slurp("$dir/agent-stderr.log") // '') . (slurp("$dir/agent-loop.log") // ''),
	'CLI calls' => slurp("$dir/stub.calls") . slurp("$dir/systemctl.calls"),
	'reports' => slurp("$F/reports.jsonl"),
	'command results' => join('', map { slurp($_) } glob "$F/results/*.jsonl"),
	'node_exporter config' => slurp("$dir/ne/web.yml"),
);
for my $w (sort keys %where) {
	my @leaks = grep { index($where{$w}, $sec{$_}) >= 0 } sort keys %sec;
	is_deeply(\@leaks, [], "no secret in the $w");
}

$t->done_testing;
