# och-cloudsim at scale: 1,000 servers created, booted (each calling
# ready) and deleted leave no thread, descriptor or listening socket
# behind; 500 exporters answer 500 scrapes at once.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use IO::Select;
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(time);
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $N = $ENV{OCH_SIM_SCALE} // 1000;
my $SCRAPES = 500;
my $t = OCH::Test->new;
start_fast_sim($t, '--rate-limit', '10000000');
my $pid = $t->proc('cloudsim')->{pid};
my ($api, $log) = fake_api($t, 'fakeapi');

sub threads { my @t = glob "/proc/$pid/task/*"; scalar @t }
sub fds { my @f = glob "/proc/$pid/fd/*"; scalar @f }
sub sockets { scalar grep { (readlink($_) // '') =~ /^socket:/ } glob "/proc/$pid/fd/*" }
sub listeners {
	my @l = grep { /pid=$pid,/ } `ss -Hltnp 2>/dev/null`;
	scalar @l;
}

simctl($t, 'GET', '/health');
my ($th0, $fd0, $so0, $li0) = (threads(), fds(), sockets(), listeners());
is($th0, 1, 'one thread to begin with');

my $t0 = time;
my @ids;
my %ip;
for my $i (1 .. $N) {
	my $r = create_server($t, name => "scale-$i", labels => { 'och-instance' => "i$i" },
	    user_data => user_data(api => $api, token => "tok-$i-0123456789"));
	next unless $r->{status} == 201;
	push @ids, $r->{json}{server}{id};
	$ip{ $r->{json}{server}{id} } = $r->{json}{server}{public_net}{ipv4}{ip};
}
is(scalar @ids, $N, "$N servers created");
is(scalar(keys %{ { reverse %ip } }), $N, 'every server has its own address');
ok($t->wait_for(sub { simctl($t, 'GET', '/health')->{ready_ok} == $N }, timeout => 120),
    "all $N booted and called ready") or diag($OCH::Stack::JSON->encode(simctl($t, 'GET', '/health')));
my $h = simctl($t, 'GET', '/health');
is($h->{exporters}, $N, "$N exporters listening");
is($h->{callbacks_in_flight}, 0, 'no callback in flight');
is(scalar(read_requests($log)), $N, "$N ready calls, one each");
is(threads(), 1, 'still one thread with all servers up');
diag(sprintf '%d servers up in %.1f s', $N, time - $t0);

# 500 scrapes at once: connect all, then send all, then read all
my @targets = (values %ip)[0 .. ($SCRAPES < $N ? $SCRAPES : $N) - 1];
my $auth = 'Basic ' . encode_base64('och:ne-secret-pass', '');
my (%sock, %buf);
for my $a (@targets) {
	my $s = IO::Socket::INET->new(PeerAddr => $a, PeerPort => 9100, Proto => 'tcp', Timeout => 5);
	$sock{$a} = $s if $s;
}
is(scalar keys %sock, scalar @targets, scalar(@targets) . ' connections open at once');
print { $sock{$_} } "GET /metrics HTTP/1.1\r\nHost: $_\r\nAuthorization: $auth\r\nConnection: close\r\n\r\n"
    for keys %sock;
my $sel = IO::Select->new(values %sock);
my %who = map { fileno($sock{$_}) => $_ } keys %sock;
my $deadline = time + 60;
while ($sel->count && time < $deadline) {
	for my $s ($sel->can_read(1)) {
		my $n = sysread($s, my $chunk, 65536);
		if ($n) { $buf{ $who{ fileno $s } } .= $chunk; next }
		$sel->remove($s);
		close $s;
	}
}
my $ok = grep { ($buf{$_} // '') =~ m{^HTTP/1\.1 200 OK\r\n.*node_cpu_seconds_total}s } @targets;
is($ok, scalar @targets, "$ok of " . scalar(@targets) . ' concurrent scrapes answered 200 with metrics');
ok((grep { $buf{$_} =~ /nodename="scale-\d+"/ } @targets) == @targets, 'each with its own server name');

# delete everything
for my $id (@ids) {
	my $r = hz($t, 'DELETE', "/servers/$id");
	fail("delete $id: $r->{status}") unless $r->{status} == 200;
}
ok($t->wait_for(sub { simctl($t, 'GET', '/health')->{servers} == 0 }, timeout => 30), 'all deleted');
$h = simctl($t, 'GET', '/health');
is_deeply([ @$h{qw(exporters exporter_connections hung_requests callbacks_in_flight agents)} ], [ 0, 0, 0, 0, 0 ],
    'nothing left running inside');
is(threads(), $th0, 'no thread left behind');
ok($t->wait_for(sub { fds() <= $fd0 }, timeout => 5), 'no descriptor left behind') or diag(fds() . " > $fd0");
ok($t->wait_for(sub { sockets() <= $so0 }, timeout => 5), 'no socket left behind');
is(listeners(), $li0, 'no listening port left behind (only the API)');
is(scalar(grep { $_ } map { (scrape($_))[0] } @targets[0 .. 9]), 0, 'exporters refuse connections');
diag(sprintf 'whole run %.1f s', time - $t0);

$t->done_testing;
