# nginx refuses a body over its route's own cap (lib/routes.def's body
# cap column, written into each location as client_max_body_size by
# tools/och-routes) before reading a byte of it.  Before, every API
# location took up to the server's 1m, spooled to disk past 64 KiB, and
# only then did the binary refuse anything over its 1 to 16 KiB.  An
# anonymous client's request: headers that announce a body one byte over
# the cap and no body at all get the 413 at once (nginx read nothing, so
# spooled nothing); a body at the cap still reaches the binary.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use IO::Socket::INET;
use IO::Select;

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(settings agent webhooks)]);
my ($host, $port) = $t->base_url =~ m{^https?://([^:/]+):(\d+)};

# The answer's status and body to a POST announcing $len bytes of JSON
# and sending $body (maybe none), or (0, '') when none came within 8 s.
sub announce {
	my ($path, $len, $body) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port) or die "connect: $!";
	print $s "POST $path HTTP/1.1\r\nHost: $host\r\nContent-Type: application/json\r\n"
	    . "Content-Length: $len\r\nConnection: close\r\n\r\n" . ($body // '');
	my $sel = IO::Select->new($s);
	my $got = '';
	while ($sel->can_read(8)) {
		my $n = sysread($s, my $buf, 65536);
		last unless $n;
		$got .= $buf;
	}
	close $s;
	my ($st) = $got =~ m{^HTTP/1\.[01] (\d+)};
	my ($content) = $got =~ /\r\n\r\n(.*)\z/s;
	return ($st // 0, $content // '');
}

my $id = '00000000-0000-4000-8000-000000000001';
# [path, its cap in routes.def]
for my $c ([ "/api/v1/instances/$id/pairing/approve", 1024 ],
    [ '/api/v1/webhooks/whmcs', 16384 ], [ '/api/v1/agent/report', 262144 ]) {
	my ($path, $cap) = @$c;
	my ($st, $body) = announce($path, $cap + 1);
	is($st, 413, "$path: a body announced 1 byte over $cap, none sent: 413 at once");
	like($body, qr/"payload_too_large"/, 'in the API\'s error shape');
	($st) = announce($path, $cap + 1, 'x' x ($cap + 1));
	is($st, 413, "$path: sent whole: 413");
	my $json = '{"x":"' . ('a' x ($cap - 8)) . '"}';
	($st) = announce($path, length $json, $json);
	ok($st == 400 || $st == 401 || $st == 403, "$path: a body of $cap bytes reaches the binary ($st)");
}

$t->done_testing;
