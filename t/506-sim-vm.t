# och-cloudsim simulated servers: cloud-init's reading of user-data
# (accepted and refused documents), the ready call with retries, the
# node_exporter (auth from ready's password or a bcrypt web config,
# moving values, Prometheus format) and power changes, rebuild, delete.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $t = OCH::Test->new;
start_fast_sim($t, '--boot-delay', '0.1');
my ($api, $log) = fake_api($t, 'fakeapi', 503, 503);

sub booted {
	my ($id, $state) = @_;
	return $t->wait_for(sub { my $s = sim_server($t, $id); $s->{boot} && $s->{boot}{state} eq $state && $s }, timeout => 10);
}
sub cb_done {
	my ($id) = @_;
	return $t->wait_for(sub { my $s = sim_server($t, $id); $s->{callback}{state} =~ /^(ok|failed|none)$/ && $s }, timeout => 15);
}

# --- accepted user-data: the ready call, retried through two 503s
my $r = create_server($t, name => 'vm1', user_data => user_data(api => "$api/", token => 'tok-vm1-0123456789'));
my $id = $r->{json}{server}{id};
my $ip = $r->{json}{server}{public_net}{ipv4}{ip};
ok(booted($id, 'booted'), 'boots');
my $s = cb_done($id);
is($s->{callback}{state}, 'ok', 'ready call succeeded');
is($s->{callback}{attempts}, 3, 'after two retries on 503');
is($s->{callback}{url}, "$api/api/v1/agent/ready", 'ready URL from OCH_API_URL');
unlike($OCH::Stack::JSON->encode($s), qr/tok-vm1/, '/_sim/servers never shows the token');
my @req = read_requests($log);
is(scalar @req, 3, 'three requests reached the API');
is($req[-1]{method}, 'POST', 'POST');
is($req[-1]{path}, '/api/v1/agent/ready', 'path');
is($req[-1]{content_type}, 'application/json', 'JSON body');
is($req[-1]{authorization}, undef, 'no Authorization header');
my $body = $OCH::Stack::JSON->decode($req[-1]{body});
is($body->{bootstrap_token}, 'tok-vm1-0123456789', 'the bootstrap token');
is($body->{setup}{ok}, JSON::PP::true, 'setup report');
is_deeply($s->{files}, ['/etc/och-agent/bootstrap.env'], 'files written');
my $logtext = do { local $/; open my $fh, '<', $t->dir . '/cloudsim.log'; <$fh> };
unlike($logtext, qr/tok-vm1/, 'the token is not in the log');

# --- the exporter: auth with the password ready handed out
is($s->{exporter}{listening}, JSON::PP::true, 'exporter listening');
is($s->{exporter}{password_from_ready}, JSON::PP::true, 'password from ready');
my ($code, $m1) = scrape($ip);
is($code, 401, 'no credentials: 401');
($code) = scrape($ip, user => 'och', pass => 'wrong');
is($code, 401, 'wrong password: 401');
($code) = scrape($ip, user => 'admin', pass => 'ne-secret-pass');
is($code, 401, 'wrong user: 401');
($code, $m1) = scrape($ip, user => 'och', pass => 'ne-secret-pass');
is($code, 200, 'och + the password: 200');
my @fams = qw(node_cpu_seconds_total counter node_memory_MemTotal_bytes gauge node_memory_MemAvailable_bytes gauge
    node_filesystem_size_bytes gauge node_filesystem_avail_bytes gauge node_network_receive_bytes_total counter
    node_network_transmit_bytes_total counter node_load1 gauge node_boot_time_seconds gauge node_uname_info gauge
    node_time_seconds gauge node_disk_read_bytes_total counter);
while (my ($name, $type) = splice @fams, 0, 2) {
	like($m1, qr/^# HELP \Q$name\E \S/m, "HELP $name");
	like($m1, qr/^# TYPE \Q$name\E $type$/m, "TYPE $name $type");
}
like($m1, qr/^node_filesystem_size_bytes\{device="\/dev\/sda1",device_error="",fstype="ext4",mountpoint="\/"\} \d/m,
    'filesystem labels with device_error');
like($m1, qr/ NaN$/m, 'a NaN value');
like($m1, qr/ \d\.\d+e\+\d\d$/m, 'exponent values');
like($m1, qr/\{file="[^"]*\\"sim\\"[^"]*"\}/, 'an escaped quote in a label value');
like($m1, qr/^node_uname_info\{[^}]*nodename="vm1"/m, 'uname nodename is the server name');
ok($m1 =~ /\n\z/, 'ends with a newline');
my $mem = metric($m1, 'node_memory_MemTotal_bytes');
cmp_ok($mem, '>', 3.5 * 2**30, 'MemTotal of a 4 GB cx23');
my $boot = metric($m1, 'node_boot_time_seconds');
cmp_ok(abs($boot - time), '<', 60, 'boot time is now-ish');
sleep 1.2;
my (undef, $m2) = scrape($ip, user => 'och', pass => 'ne-secret-pass');
my $c1 = metric($m1, 'node_cpu_seconds_total', 'cpu="0",mode="idle"');
my $c2 = metric($m2, 'node_cpu_seconds_total', 'cpu="0",mode="idle"');
cmp_ok($c2, '>', $c1, 'cpu counters grow');
cmp_ok(metric($m2, 'node_network_receive_bytes_total', 'device="eth0"'), '>',
    metric($m1, 'node_network_receive_bytes_total', 'device="eth0"'), 'network counters grow');
is(metric($m2, 'node_boot_time_seconds'), $boot, 'boot time stays');
($code, my $home) = scrape($ip, user => 'och', pass => 'ne-secret-pass', path => '/');
like($home, qr/Node Exporter/, 'landing page');
($code) = scrape($ip, user => 'och', pass => 'ne-secret-pass', path => '/nope');
is($code, 404, 'other paths: 404');
# keep-alive: two requests on one connection
{
	my $k = IO::Socket::INET->new(PeerAddr => $ip, PeerPort => 9100) or die;
	my $a = 'Authorization: Basic ' . MIME::Base64::encode_base64('och:ne-secret-pass', '') . "\r\n";
	print $k "GET /metrics HTTP/1.1\r\nHost: x\r\n$a\r\nGET / HTTP/1.1\r\nHost: x\r\n$a" . "Connection: close\r\n\r\n";
	local $/;
	my $all = <$k>;
	my $n = () = $all =~ m{HTTP/1\.1 200 OK}g;
	is($n, 2, 'two pipelined requests on one connection');
}

# --- power: off stops the exporter, on starts it again, no second ready
hz($t, 'POST', "/servers/$id/actions/poweroff");
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{json}{server}{status} eq 'off' }), 'off');
($code) = scrape($ip, user => 'och', pass => 'ne-secret-pass');
is($code, 0, 'exporter gone while off');
is(sim_server($t, $id)->{exporter}{listening}, JSON::PP::false, 'not listening');
hz($t, 'POST', "/servers/$id/actions/poweron");
ok($t->wait_for(sub { (scrape($ip, user => 'och', pass => 'ne-secret-pass'))[0] == 200 }), 'exporter back after poweron');
(undef, my $m3) = scrape($ip, user => 'och', pass => 'ne-secret-pass');
cmp_ok(metric($m3, 'node_boot_time_seconds'), '>=', $boot, 'a new boot time');
hz($t, 'POST', "/servers/$id/actions/reboot");
ok($t->wait_for(sub { sim_server($t, $id)->{boot}{boots} >= 3 }), 'rebooted');
is(scalar(read_requests($log)), 3, 'no ready call on later boots');

# --- rebuild: a new instance, ready again with the new token
hz($t, 'POST', "/servers/$id/actions/rebuild", { image => 'ubuntu-24.04',
    user_data => user_data(api => $api, token => 'tok-rebuilt-0123456789') });
ok($t->wait_for(sub { my @r = read_requests($log); @r == 4 && $r[-1]{body} =~ /tok-rebuilt/ }), 'ready again after rebuild');
ok($t->wait_for(sub { sim_server($t, $id)->{callback}{state} eq 'ok' }), 'callback ok after rebuild');

# --- refused documents: the server runs, nothing happens inside
my %bad = (
    'not cloud-config' => "#!/bin/sh\necho hi\n",
    'shebang later' => "hostname: x\n#cloud-config\n",
    'header with junk' => "#cloud-config-x\nhostname: x\n",
    'YAML error' => "#cloud-config\nwrite_files: [\n",
    'not a mapping' => "#cloud-config\n- a\n- b\n",
    'two documents' => "#cloud-config\na: 1\n---\nb: 2\n",
    'python tag' => "#cloud-config\na: !!python/object/apply:os.system ['true']\n",
    'write_files not a list' => "#cloud-config\nwrite_files: {path: /x}\n",
    'file without path' => "#cloud-config\nwrite_files:\n  - content: x\n",
    'gzip content' => "#cloud-config\nwrite_files:\n  - path: /x\n    encoding: gz\n    content: abc\n",
);
my %ids;
for my $k (sort keys %bad) {
	(my $n = lc $k) =~ s/[^a-z0-9]+/-/g;
	$r = create_server($t, name => "bad-$n", user_data => $bad{$k});
	$ids{$k} = $r->{json}{server}{id};
}
$r = create_server($t, name => 'no-ud');
$ids{'no user-data'} = $r->{json}{server}{id};
for my $k (sort keys %ids) {
	my $v = booted($ids{$k}, 'refused');
	ok($v, "refused: $k") or diag($OCH::Stack::JSON->encode(sim_server($t, $ids{$k})));
	ok(length($v->{boot}{reason} // ''), "reason given: $k") if $v;
	is($v->{exporter}{listening}, JSON::PP::false, "no exporter: $k") if $v;
	is(hz($t, 'GET', "/servers/$ids{$k}")->{json}{server}{status}, 'running', "still running: $k");
}
is(scalar(read_requests($log)), 4, 'no ready call from refused servers');

# --- accepted, but without a usable bootstrap file: no call, reason shown
for my $c (
    [ "#cloud-config\nhostname: x\n", 'no /etc/och-agent/bootstrap.env' ],
    [ "#cloud-config\nwrite_files:\n  - path: /etc/och-agent/bootstrap.env\n    content: \"OCH_API_URL=ftp://x\\nOCH_BOOTSTRAP_TOKEN=t\\n\"\n", 'not an http' ],
    [ "#cloud-config\nwrite_files:\n  - path: /etc/och-agent/bootstrap.env\n    content: \"OCH_API_URL=$api\\n\"\n", 'no OCH_BOOTSTRAP_TOKEN' ],
    ) {
	$r = create_server($t, user_data => $c->[0]);
	ok(booted($r->{json}{server}{id}, 'booted'), "boots: $c->[1]");
	# the ready call (or its refusal) comes after the simulated setup,
	# which ends a timer after the boot
	my $v = cb_done($r->{json}{server}{id}) || {};
	is($v->{callback}{state}, 'none', "no ready call: $c->[1]");
	like($v->{callback}{error} // '', qr/\Q$c->[1]\E/, "reason: $c->[1]");
}

# --- YAML forms cloud-init accepts: literal block, base64, quoted escapes
my $b64 = MIME::Base64::encode_base64("OCH_API_URL=$api\nOCH_BOOTSTRAP_TOKEN=tok-b64-0123456789\n", '');
for my $c (
    [ "#cloud-config\nwrite_files:\n- path: /etc/och-agent/bootstrap.env\n  content: |\n    # comment\n    export OCH_API_URL='$api'\n    OCH_BOOTSTRAP_TOKEN=\"tok-literal-0123456789\"\n", 'tok-literal' ],
    [ "#cloud-config\nwrite_files:\n  - path: /etc/och-agent/bootstrap.env\n    encoding: b64\n    content: $b64\n", 'tok-b64' ],
    [ "#cloud-config\nwrite_files:\n  - {path: /etc/och-agent/bootstrap.env, content: \"OCH_API_URL=$api\\r\\nOCH_BOOTSTRAP_TOKEN=tok-\\x71uoted-0123456789\\r\\n\"}\n", 'tok-quoted' ],
    ) {
	$r = create_server($t, user_data => $c->[0]);
	my $v = cb_done($r->{json}{server}{id});
	is($v->{callback}{state}, 'ok', "ready call from $c->[1] form");
	ok((grep { $_->{body} =~ /\Q$c->[1]\E/ } read_requests($log)), "token read from $c->[1] form");
}

# --- a bcrypt web config in the user-data (no password from ready)
my $hash = crypt('s3cret', '$2b$04$abcdefghijklmnopqrstuu');
my $ud = "#cloud-config\nwrite_files:\n  - path: /etc/prometheus/node-exporter-web.yml\n"
    . "    content: |\n      basic_auth_users:\n        prom: \"$hash\"\n";
$r = create_server($t, user_data => $ud);
my $ip2 = $r->{json}{server}{public_net}{ipv4}{ip};
my $v = booted($r->{json}{server}{id}, 'booted');
is_deeply($v->{exporter}{users}, ['prom'], 'web config user');
($code) = scrape($ip2);
is($code, 401, 'bcrypt config: no credentials 401');
($code) = scrape($ip2, user => 'prom', pass => 'nope');
is($code, 401, 'bcrypt config: wrong password 401');
($code) = scrape($ip2, user => 'prom', pass => 's3cret');
is($code, 200, 'bcrypt config: right password 200');
($code) = scrape($ip2, user => 'prom', pass => 's3cret');
is($code, 200, 'again (cached)');
$r = create_server($t, user_data => "#cloud-config\nhostname: open\n");
my $ip3 = $r->{json}{server}{public_net}{ipv4}{ip};
booted($r->{json}{server}{id}, 'booted');
($code) = scrape($ip3);
is($code, 200, 'no web config and no ready: no auth');

# --- delete removes everything
hz($t, 'DELETE', "/servers/$id");
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{status} == 404 }), 'deleted');
($code) = scrape($ip, user => 'och', pass => 'ne-secret-pass');
is($code, 0, 'exporter gone after delete');
is($t->http('GET', "$t->{sim}/_sim/servers/$id")->{status}, 404, 'gone from /_sim/servers');
simctl($t, 'POST', '/reset');
is(simctl($t, 'GET', '/health')->{servers}, 0, 'reset removes every server');
($code) = scrape($ip2);
is($code, 0, 'and their exporters');

$t->done_testing;
