# och-cloudsim agent mode (--agent): each server runs the given program
# in its own folder with the files its user-data wrote and the agreed
# environment; the exporter takes the web config the agent writes;
# poweroff, delete and the simulator's exit stop the whole process group.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $t = OCH::Test->new;
my $agent = $t->dir . '/fake-agent';
open my $fh, '>', $agent or die;
print $fh <<'SH';
#!/bin/sh
# stand-in agent: record what it was given, configure node_exporter, wait
env | grep '^OCH_' | sort > "$OCH_AGENT_DIR/env.txt"
pwd > "$OCH_AGENT_DIR/cwd.txt"
cp "$OCH_BOOTSTRAP_ENV" "$OCH_AGENT_DIR/bootstrap.seen"
if [ -n "$TEST_HASH" ]; then
	mkdir -p "${OCH_NODE_EXPORTER_WEB_CONFIG%/*}"
	printf 'basic_auth_users:\n  och: "%s"\n' "$TEST_HASH" > "$OCH_NODE_EXPORTER_WEB_CONFIG"
fi
[ -f "$OCH_AGENT_ROOT/etc/exit-now" ] && exit 7
sleep 1000 &
echo $! > "$OCH_AGENT_DIR/child.pid"
trap 'kill $! 2>/dev/null; exit 0' TERM
while :; do sleep 1; done
SH
close $fh;
chmod 0755, $agent;
my $hash = crypt('agent-pass', '$2b$04$0123456789abcdefghijkl');
{
	local $ENV{TEST_HASH} = $hash;
	start_fast_sim($t, '--agent', $agent, '--boot-delay', '0.1');
}
my $state = $t->dir . '/sim';

my $r = create_server($t, name => 'ag1', user_data => user_data(api => 'http://127.0.0.1:9', token => 'tok-agent-0123456789',
    extra => "  - path: /etc/och/vps.env\n    content: \"OCH_FQDN=ag1.och.test\\n\"\n"));
my $id = $r->{json}{server}{id};
my $ip = $r->{json}{server}{public_net}{ipv4}{ip};
my $dir = "$state/servers/$id";
my $s = $t->wait_for(sub { my $v = sim_server($t, $id); $v->{agent}{running} && -s "$dir/env.txt" && $v }, timeout => 10);
ok($s, 'agent started');
is($s->{callback}{state}, 'agent', 'the agent, not the built-in call');
is($s->{agent}{dir}, $dir, 'its folder');
my %env = map { /^(\w+)=(.*)$/ ? ($1, $2) : () } do { open my $e, '<', "$dir/env.txt"; <$e> };
is($env{OCH_AGENT_DIR}, $dir, 'OCH_AGENT_DIR');
is($env{OCH_AGENT_ROOT}, "$dir/root", 'OCH_AGENT_ROOT');
is($env{OCH_API_URL}, 'http://127.0.0.1:9', 'OCH_API_URL');
is($env{OCH_BOOTSTRAP_TOKEN}, 'tok-agent-0123456789', 'OCH_BOOTSTRAP_TOKEN');
is($env{OCH_BOOTSTRAP_ENV}, "$dir/root/etc/och-agent/bootstrap.env", 'OCH_BOOTSTRAP_ENV');
is($env{OCH_NODE_EXPORTER_WEB_CONFIG}, "$dir/root/etc/prometheus/node-exporter-web.yml", 'OCH_NODE_EXPORTER_WEB_CONFIG');
is($env{OCH_SERVER_ID}, $id, 'OCH_SERVER_ID');
is($env{OCH_SERVER_IPV4}, $ip, 'OCH_SERVER_IPV4');
is($env{OCH_FIRST_BOOT}, 1, 'first boot');
chomp(my $cwd = do { open my $c, '<', "$dir/cwd.txt"; <$c> });
is($cwd, $dir, 'working directory');
like(do { local $/; open my $b, '<', "$dir/bootstrap.seen"; <$b> }, qr/^OCH_BOOTSTRAP_TOKEN=tok-agent-0123456789$/m,
    'bootstrap.env written from user-data');
ok(-f "$dir/root/etc/och/vps.env", 'every write_files entry is written');
is((stat "$dir/root/etc/och-agent/bootstrap.env")[2] & 07777, 0600, 'with its permissions');

ok($t->wait_for(sub { -s "$dir/root/etc/prometheus/node-exporter-web.yml" }), 'the agent wrote the web config');
ok(-s "$dir/root/etc/prometheus/node-exporter-tls.crt" && -s "$dir/root/etc/prometheus/node-exporter-tls.key",
    "the server's node_exporter key and certificate, where och-setup puts them");
my ($code) = scrape($ip);
is($code, 0, 'the exporter serves TLS only (plain HTTP gets no HTTP/1.1 answer)');
($code) = scrape($ip, tls => 1);
is($code, 401, 'exporter now needs auth');
($code) = scrape($ip, tls => 1, user => 'och', pass => 'agent-pass');
is($code, 200, 'with the agent bcrypt password');

my $apid = $s->{agent}{pid};
chomp(my $child = do { open my $c, '<', "$dir/child.pid"; <$c> });
ok(kill(0, $apid) && kill(0, $child), 'agent and its child run');
hz($t, 'POST', "/servers/$id/actions/poweroff");
ok($t->wait_for(sub { !kill(0, $apid) && !kill(0, $child) }, timeout => 10), 'poweroff stops the agent and its child');
ok($t->wait_for(sub { !sim_server($t, $id)->{agent}{running} }), 'reported stopped');
hz($t, 'POST', "/servers/$id/actions/poweron");
$s = $t->wait_for(sub { my $v = sim_server($t, $id); $v->{agent}{running} && $v->{agent}{starts} == 2 && $v }, timeout => 10);
ok($s, 'poweron starts it again');
ok($t->wait_for(sub { my %e = map { /^(\w+)=(.*)$/ ? ($1, $2) : () } do { open my $e, '<', "$dir/env.txt"; <$e> };
    ($e{OCH_FIRST_BOOT} // '') eq '0' }), 'not a first boot any more');

# an agent that exits on its own
$r = create_server($t, name => 'ag2', user_data => user_data(extra => "  - path: /etc/exit-now\n    content: x\n"));
my $id2 = $r->{json}{server}{id};
ok($t->wait_for(sub { my $v = sim_server($t, $id2); $v->{agent}{starts} == 1 && !$v->{agent}{running}
    && $v->{agent}{last_exit} == 7 }, timeout => 10), 'exit status recorded');

# paths that would leave the server's folder
$r = create_server($t, name => 'ag3', user_data => "#cloud-config\nwrite_files:\n  - path: /etc/../../../escape\n    content: x\n");
my $v = $t->wait_for(sub { my $x = sim_server($t, $r->{json}{server}{id}); $x->{boot}{state} ne 'pending' && $x }, timeout => 10);
is($v->{boot}{state}, 'failed', 'a path with .. fails the boot');
ok(!-e "$state/escape" && !-e "$state/servers/escape", 'nothing written outside');

# delete removes the folder; the simulator's exit stops the agents
$apid = sim_server($t, $id)->{agent}{pid};
hz($t, 'DELETE', "/servers/$id");
ok($t->wait_for(sub { !kill(0, $apid) && !-e $dir }, timeout => 10), 'delete stops the agent and removes its folder');
$r = create_server($t, name => 'ag4', user_data => user_data());
$s = $t->wait_for(sub { my $x = sim_server($t, $r->{json}{server}{id}); $x->{agent}{running} && $x }, timeout => 10);
$apid = $s->{agent}{pid};
$t->stop('cloudsim');
ok(!kill(0, $apid), 'stopping the simulator stops its agents');

$t->done_testing;
