# A burst larger than the workers can take is queued, not refused: with
# the only worker stopped (SIGSTOP), 300 requests from 150 client
# addresses arrive at once; nginx's connect() to the FastCGI socket must
# land in the listen queue (lib/srv.c's default backlog) rather than fail
# with EAGAIN, which nginx answers with a 502 (our 503).  The worker then
# continues and every request gets its 200.  bench/soak found the old
# backlog of 128 turning bursts into 5xx.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(time);

my $N = 300;
my $t = OCH::Test->new;
$t->start_pg;
my $base = $t->start_api(binaries => [ [ instances => 't/unit/echo.fcgi' ] ]);
my ($port) = $base =~ /:(\d+)$/;
my $pid = $t->proc('instances.fcgi')->{pid};
is($t->http(GET => '/api/v1/items/a/sub/b')->{status}, 200, 'the worker answers');

ok(kill('STOP', $pid), 'the only worker stopped');
my (%buf, @socks);
my $sel = IO::Select->new;
for my $i (1 .. $N) {
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
	    LocalAddr => '127.0.5.' . (1 + $i % 150), Proto => 'tcp') or die "connect $i: $!";
	print $s "GET /api/v1/items/i$i/sub/b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
	$s->blocking(0);
	$sel->add($s);
	$buf{$s} = '';
}
# every request is now inside nginx, waiting on the FastCGI socket; any
# that nginx could not queue there were answered at once
my $early = 0;
for my $s ($sel->can_read(2)) {
	my $n = sysread($s, $buf{$s}, 65536, length $buf{$s});
	$early++ if $n;
}
is($early, 0, 'no request answered while the worker is stopped (none refused)');
ok(kill('CONT', $pid), 'the worker continues');

my $deadline = time + 120;	# a bound, not a claim: the queue drains in well under it
while ($sel->count && time < $deadline) {
	for my $s ($sel->can_read(1)) {
		my $n = sysread($s, $buf{$s}, 65536, length $buf{$s});
		next if !defined $n && $!{EAGAIN};
		$sel->remove($s) unless $n;
	}
}
my %status;
$status{ $buf{$_} =~ m{^HTTP/1\.1 (\d+)} ? $1 : 'none' }++ for keys %buf;
is_deeply(\%status, { 200 => $N }, "all $N queued requests answered 200") or diag explain \%status;
ok(kill(0, $pid), 'the same worker still running');

done_testing;
