# The customer VPS's user-data (cloud-init/user-data.yaml.tmpl): rendered
# for every plan (and a synthetic 2 GB one) with the renderer the control
# plane uses (lib/tpl.c through cloud-init/och-render), each checked with
# `cloud-init schema`, the 32 KiB limit, the absence of long-lived secrets,
# and YAML parsing; hostile values cannot add keys or files; och-setup is
# shellcheck-clean and reads vps.env strictly; the nginx site really hides
# the gateway's operator endpoints and overwrites X-Forwarded-For.
use strict;
use warnings;
use feature 'state';
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::VpsNginx;
use IO::Socket::INET;
use JSON::PP;

my $t = OCH::Test->new;
my $dir = $t->dir;
my $render = $t->bin('cloud-init/och-render');
my $tmpl = $t->src('cloud-init/user-data.yaml.tmpl');
my $setup = $t->src('cloud-init/och-setup');
my $py = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';
sub have { system("command -v '$_[0]' >/dev/null 2>&1") == 0 }
plan skip_all => 'cloud-init not installed' unless have('cloud-init');
plan skip_all => 'python3-yaml not installed'
    unless system($py, '-c', 'import yaml') == 0;
ok(-x $render, 'och-render is built');

sub slurp { local (@ARGV, $/) = @_; <> }
sub spew { my ($f, $s) = @_; open my $fh, '>', $f or die "$f: $!"; print $fh $s; close $fh }

my $plugins = '@openclaw/deepseek-provider@2026.9.5,@openclaw/mistral-provider@2026.9.5';
spew("$dir/plugins.txt", $plugins);

# The variables lib/userdata.c passes (ud_render); the template may use
# only these.  None is a long-lived secret: the bootstrap token is single
# use and expires after 2 h.
my %base = (
	instance_id => '7c9e6679-7425-40de-944b-e07fc1f90ae7',
	slug => 'acme-bot',
	hostname => 'acme-bot.claw.example',
	domain => 'claw.example',
	plan => 'starter',
	memory_mb => '4096',
	# och-render reads a value starting with @ from that file
	provider_plugins => "\@$dir/plugins.txt",
	api_url => 'https://api.openclawhost.example',
	bootstrap_token => 'b0075747' x 8,
	openclaw_version => '2026.9.6',
	control_plane_ips => '203.0.113.10 2001:db8::10',
	dashboard_url => 'https://app.openclawhost.example',
	fetch_proto => '=https',
	och_setup_sha256 => 'ab' x 32,
	och_agent_sha256 => 'cd' x 32,
);

sub render_ud {
	my (%v) = @_;
	state $n = 0;
	my $out = "$dir/ud-" . ++$n . '.yaml';
	my @args = map { "$_=$v{$_}" } sort keys %v;
	my $pid = open(my $fh, '-|') // die "fork: $!";
	if (!$pid) {
		open STDERR, '>>', "$dir/render.log";
		exec $render, $tmpl, @args or die "exec: $!";
	}
	my $text = do { local $/; <$fh> };
	close $fh;
	return ($? >> 8, $text, $out);
}

# YAML -> Perl via python3-yaml (safe_load, as cloud-init loads it)
sub yaml_load {
	my ($file) = @_;
	my $json = `$py -c 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' '$file' 2>&1`;
	return $? == 0 ? eval { decode_json($json) } : undef;
}

sub schema_ok {
	my ($file) = @_;
	my $out = `cloud-init schema --config-file '$file' 2>&1`;
	diag($out) if $?;
	return $? == 0;
}

# the variables the template names
my $src = slurp($tmpl);
my %used = map { $_ => 1 } $src =~ /\{\{[#^\/]?\s*([A-Za-z_]\w*)\s*\}\}/g;
is_deeply([sort keys %used], [sort qw(slug hostname api_url bootstrap_token
    instance_id openclaw_version control_plane_ips memory_mb provider_plugins fetch_proto
    och_setup_sha256 och_agent_sha256)],
    'the template uses exactly the variables ud_render provides');
ok(!grep({ /pass|secret|gateway_token|api_key|agent_token/i } keys %used),
    'no variable carries a long-lived secret');

my @plans = (
	[starter => 'cx23', 4096], [professional => 'cx33', 8192],
	[enterprise => 'cx43', 16384], [tiny => 'synthetic', 2048],
);
my @top = sort qw(hostname fqdn prefer_fqdn_over_hostname manage_etc_hosts users
    ssh_pwauth write_files runcmd);
my @paths = sort qw(/etc/ssh/sshd_config.d/00-och.conf /etc/och-agent/bootstrap.env /etc/och/vps.env
    /etc/systemd/system/och-agent.service /etc/systemd/system/openclaw-gateway.service
    /etc/systemd/system/och-cert.service /etc/systemd/system/och-cert.timer
    /etc/apt/apt.conf.d/20auto-upgrades /etc/nginx/sites-available/openclaw);
my $doc;
for my $p (@plans) {
	my ($name, $type, $mem) = @$p;
	my ($rc, $text, $file) = render_ud(%base, plan => $name, memory_mb => $mem);
	is($rc, 0, "$name ($type, $mem MB): rendered");
	spew($file, $text);
	ok(length($text) < 32768, "$name: " . length($text) . ' bytes, under 32 KiB');
	ok(schema_ok($file), "$name: cloud-init schema accepts it");
	my $y = yaml_load($file);
	is_deeply([sort keys %{ $y // {} }], \@top, "$name: top-level keys");
	my %f = map { $_->{path} => $_ } @{ $y->{write_files} // [] };
	is_deeply([sort keys %f], \@paths, "$name: files written");
	ok(exists $y->{ssh_pwauth} && !$y->{ssh_pwauth}, "$name: ssh_pwauth false");
	is($f{'/etc/ssh/sshd_config.d/00-och.conf'}{content}, "PasswordAuthentication no\n"
	    . "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n",
	    "$name: sshd: no password login, root by key only");
	is($f{'/etc/och-agent/bootstrap.env'}{content},
	    "OCH_API_URL=$base{api_url}\nOCH_BOOTSTRAP_TOKEN=$base{bootstrap_token}\n"
	    . "OCH_INSTANCE_ID=$base{instance_id}\n",
	    "$name: bootstrap.env carries the API URL and the one-time token");
	is($f{'/etc/och-agent/bootstrap.env'}{permissions}, '0600', "$name: bootstrap.env 0600");
	like($f{'/etc/och/vps.env'}{content}, qr/^OCH_MEMORY_MB=$mem$/m,
	    "$name: vps.env has the plan's memory (och-setup's swap rule: t/705)");
	like($f{'/etc/och/vps.env'}{content}, qr/^OCH_PROVIDER_PLUGINS=\Q$plugins\E$/m,
	    "$name: and the provider plugins to pre-install");
	my $count = () = $text =~ /\Q$base{bootstrap_token}\E/g;
	is($count, 1, "$name: the bootstrap token appears once");
	unlike($text, qr/node_exporter_password|gateway_token|BEGIN [A-Z ]*PRIVATE KEY/,
	    "$name: no long-lived secret");
	$doc //= $y;
}

# What the VPS does, read from the parsed document.
my %f = map { $_->{path} => $_->{content} } @{ $doc->{write_files} };
is($doc->{hostname}, 'acme-bot', 'hostname is the slug');
is($doc->{fqdn}, 'acme-bot.claw.example', 'fqdn');
my ($oc) = grep { ref && $_->{name} eq 'openclaw' } @{ $doc->{users} };
ok($oc && $oc->{lock_passwd} && !exists $oc->{sudo}, 'unprivileged openclaw user, no sudo');
my $unit = $f{'/etc/systemd/system/openclaw-gateway.service'};
like($unit, qr/^User=openclaw$/m, 'gateway runs as openclaw');
like($unit, qr/^RestartPreventExitStatus=78$/m, 'no restart loop on an invalid config');
like($unit, qr/^Environment=OPENCLAW_SERVICE_REPAIR_POLICY=external$/m,
    'doctor --fix does not install a rival user unit');
like($unit, qr/^ExecStart=\S+ gateway --port 18789$/m, 'gateway on its loopback port');
my $ngx = $f{'/etc/nginx/sites-available/openclaw'};
like($ngx, qr/proxy_set_header X-Forwarded-For \$remote_addr;/, 'X-Forwarded-For overwritten');
unlike($ngx, qr/proxy_add_x_forwarded_for/, 'never appended');
is(OCH::VpsNginx::site_from_template($t), $ngx, 'the site read from the template (as t/735 runs it) is the rendered one');
like($f{'/etc/apt/apt.conf.d/20auto-upgrades'}, qr/Unattended-Upgrade "1"/, 'unattended upgrades on');
is_deeply($doc->{runcmd}[-1], ['/usr/local/sbin/och-setup'], 'runcmd ends with och-setup');
is(scalar(grep { ref eq 'ARRAY' } @{ $doc->{runcmd} }), scalar @{ $doc->{runcmd} },
    'runcmd entries are argv lists (values are arguments, never shell code)');
my ($sh, $c, $script, @argv) = @{ $doc->{runcmd}[0] };
is_deeply([$sh, $c, @argv], ['sh', '-c', 'och-fetch', '=https', $base{api_url},
    $base{och_setup_sha256}, $base{och_agent_sha256}, '/usr/local/sbin'],
    'och-setup and och-agent come from the API, over https only, with their sums');
like($script, qr/curl .*--proto "\$1" .*--url "\$2\/vps\/\$3"/, 'curl is held to the protocol given');
like($script, qr/sha256sum -c/, 'each file is checked against its sum before it is installed');
unlike($script, qr/\{\{/, 'no value is rendered into the script itself');

# Hostile values in every variable: the document keeps its keys and files,
# every value reads back exactly, nothing else appears.
my @hostile = (
	"x\"\nevil: true\n#",
	"a: b\n- c\nwrite_files: []\n",
	"\\\" \\n \\\\ '\"' ` \$(id) {{slug}} {{#x}}",
	"\x{e9}\x{2028}\x{feff}\x{1F600} caf\x{e9}",
	"---\n...\n%YAML 1.1\n!!python/object:os.system ls\n&a *a",
	"\t\r\x01\x1b[31m\x7f end",
	": \": ",
);
for my $i (0 .. $#hostile) {
	my $h = $hostile[$i];
	my %v = map { $_ => "$h" } keys %base;
	utf8::encode($_) for values %v;
	my ($rc, $text, $file) = render_ud(%v);
	is($rc, 0, "hostile value $i: rendered");
	spew($file, $text);
	my $y = yaml_load($file);
	ok($y && ref $y eq 'HASH', "hostile value $i: still one YAML mapping");
	is_deeply([sort keys %{ $y // {} }], \@top, "hostile value $i: same top-level keys");
	my %hf = map { $_->{path} => $_ } @{ $y->{write_files} // [] };
	is_deeply([sort keys %hf], \@paths, "hostile value $i: same files");
	is(scalar @{ $y->{runcmd} // [] }, 2, "hostile value $i: same commands");
	is(scalar @{ $y->{runcmd}[0] // [] }, 9, "hostile value $i: same fetch arguments");
	my $want = $h;
	$want =~ s/[\x{d800}-\x{dfff}]//g;
	is($y->{hostname}, $want, "hostile value $i: reads back exactly");
	is($hf{'/etc/och-agent/bootstrap.env'}{content},
	    "OCH_API_URL=$want\nOCH_BOOTSTRAP_TOKEN=$want\nOCH_INSTANCE_ID=$want\n",
	    "hostile value $i: bootstrap.env content is the values, nothing more");
	is($hf{'/etc/och-agent/bootstrap.env'}{permissions}, '0600',
	    "hostile value $i: permissions untouched");
	ok(schema_ok($file), "hostile value $i: cloud-init schema still accepts it");
}

# On the VPS, values land in files that are read strictly: och-setup
# refuses a vps.env with an injected line or a bad value.
SKIP: {
	skip 'shellcheck not installed', 1 unless have('shellcheck');
	my $out = `shellcheck '$setup' 2>&1`;
	is($?, 0, 'och-setup is shellcheck-clean') or diag($out);
}
sub setup_check {
	my ($content) = @_;
	spew("$dir/vps.env", $content);
	my $out = `OCH_VPS_ENV='$dir/vps.env' OCH_SETUP_LOG='$dir/setup.log' bash '$setup' check 2>/dev/null`;
	return ($? >> 8, $out);
}
my ($rc, $out) = setup_check($f{'/etc/och/vps.env'});
is($rc, 0, 'och-setup accepts the rendered vps.env');
like($out, qr/^fqdn=acme-bot\.claw\.example$/m, 'and reads the FQDN');
like($out, qr/^ips=203\.0\.113\.10 2001:db8::10$/m, 'and the control-plane addresses');
like($out, qr/^plugins=\@openclaw\/deepseek-provider\@2026\.9\.5 \@openclaw\/mistral-provider\@2026\.9\.5$/m,
    'and the provider plugins');
for my $bad (
	["OCH_FQDN=a.example\nOCH_FQDN=b.example\n", 'a key given twice'],
	["OCH_FQDN=a.example\nOCH_EVIL=1\n", 'an unknown key'],
	["OCH_FQDN=a.example;rm -rf /\n", 'a bad FQDN'],
	["OCH_FQDN=a.example\nOCH_OPENCLAW_VERSION=1.0\$(id)\n", 'a bad version'],
	["OCH_FQDN=a.example\nOCH_OPENCLAW_VERSION=2026.9.6\nOCH_CONTROL_PLANE_IPS=1.2.3.4 any\n", 'a bad address'],
	["OCH_FQDN=a.example\nOCH_OPENCLAW_VERSION=2026.9.6\nOCH_MEMORY_MB=4k\n", 'a bad memory size'],
	["OCH_FQDN=a.example\nOCH_OPENCLAW_VERSION=2026.9.6\nOCH_PROVIDER_PLUGINS=evil-pkg\n", 'a plugin not of OpenClaw'],
	["OCH_FQDN=a.example\nOCH_OPENCLAW_VERSION=2026.9.6\nOCH_PROVIDER_PLUGINS=\@openclaw/deepseek-provider\n",
	    'an unpinned plugin'],
    ) {
	my ($brc) = setup_check($bad->[0]);
	isnt($brc, 0, "och-setup refuses vps.env with $bad->[1]");
}

# The nginx site, run for real in front of a fake gateway (ports and
# certificate paths moved into the test folder: OCH::VpsNginx).
SKIP: {
	my $nginx = -x '/usr/sbin/nginx' ? '/usr/sbin/nginx' : 'nginx';
	skip 'nginx or curl not installed', 9 unless have($nginx) && have('curl');
	my $pgw = $t->free_port;
	my $n = OCH::VpsNginx::start($t, site => $ngx, upstream => $pgw, host => 'acme-bot.claw.example');
	is($n->{ok}, 1, 'nginx accepts the site') or diag($n->{test});
	my ($p80, $p443) = @{$n}{qw(http https)};
	spew("$n->{dir}/acme/.well-known/acme-challenge/tok", "challenge-ok\n");
	# the fake gateway: echoes the request head it got
	$t->spawn(name => 'fake-gateway', ready_port => $pgw, cmd => [$^X, '-e', <<'EOF', $pgw]);
use IO::Socket::INET;
my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $ARGV[0],
    Listen => 16, ReuseAddr => 1) or die $!;
while (my $c = $s->accept) {
	my $head = '';
	while (my $l = <$c>) { last if $l =~ /^\r?\n$/; $head .= $l; }
	print $c "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
	    . length($head) . "\r\nConnection: close\r\n\r\n$head";
	close $c;
}
EOF
	my $curl = sub {
		my ($path, @h) = @_;
		my @cmd = ('curl', '-sk', '--path-as-is', '-o', "$dir/curl.out", '-w', '%{http_code}',
		    map({ ('-H', $_) } @h), "https://127.0.0.1:$p443$path");
		my $code = `@{[ join ' ', map { "'$_'" } @cmd ]}`;
		return ($code, slurp("$dir/curl.out"));
	};
	my ($code, $body) = $curl->('/chat', 'X-Forwarded-For: 6.6.6.6', 'Upgrade: websocket',
	    'Connection: Upgrade');
	is($code, 200, 'the Control UI is proxied to the gateway');
	like($body, qr/^X-Forwarded-For: 127\.0\.0\.1\r?$/mi, 'a client X-Forwarded-For is replaced');
	like($body, qr/^Connection: upgrade\r?$/mi, 'WebSocket upgrade is passed on');
	my @blocked = map { ($curl->($_))[0] } ('/v1/models', '/tools/invoke',
	    '/api/v1/admin/rpc', '/api/diagnostics/prometheus', '/%76%31/models',
	    '//v1/chat/completions', '/V1/models', '/TOOLS/invoke');
	is_deeply(\@blocked, [(404) x 8], 'operator and tool endpoints are not exposed (also encoded, doubled, upper case)');
	my ($hc) = `curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$p80/chat`;
	is($hc, 301, 'plain HTTP redirects to HTTPS');
	my $acme = `curl -s http://127.0.0.1:$p80/.well-known/acme-challenge/tok`;
	is($acme, "challenge-ok\n", 'ACME HTTP-01 challenges are served on port 80');
	my $hsts = `curl -sk -D - -o /dev/null https://127.0.0.1:$p443/`;
	like($hsts, qr/^Strict-Transport-Security: max-age=\d+/mi, 'HSTS at nginx');
	unlike($hsts, qr/^Server: nginx\/\d/mi, 'no nginx version');
}

$t->done_testing;
