# The shipped nginx site (nginx/och-site.conf.in) against what an attacker
# or a careless log reader would do: login tokens never reach the access
# log (neither in the request line nor in a Referer), HSTS on every
# answer, limit_conn per client, a client's invented X-Forwarded-For
# ignored by default, and behind a trusted TLS terminator (och-realip.conf)
# the limits count the real client, IPv6 clients by their /64.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use IO::Select;
use IO::Socket::INET;

my $CONN_LIMIT = 128;	# limit_conn och_conn in och-site.conf.in

my $t = OCH::Test->new;
$t->start_pg;
my @bins = ('health', [ instances => 't/unit/echo.fcgi' ], [ auth => 't/unit/echo.fcgi' ]);
$t->start_api(binaries => \@bins);

sub slurp { local (@ARGV, $/) = @_; <> }

# ---- login tokens stay out of the access log
my %secret = map { $_ => "tok$_" . join('', map { sprintf '%02x', int rand 256 } 1 .. 16) } 1 .. 4;
$t->http(GET => "/api/v1/auth/verify?token=$secret{1}");
$t->http(HEAD => "/api/v1/auth/sso?token=$secret{2}&next=/x");
$t->http(GET => "/sign-in/verify?token=$secret{3}");
$t->http(POST => '/api/v1/auth/verify', body => { token => 'x' },
    headers => { Referer => "http://localhost/sign-in?token=$secret{4}" });
$t->http(GET => '/api/v1/echo?whmcs_service_id=7');
my $log;
$t->wait_for(sub { $log = slurp($t->dir . '/nginx-access.log'); $log =~ /whmcs_service_id/ && $log =~ m{POST /api/v1/auth/verify} });
for my $n (sort keys %secret) {
	unlike($log, qr/\Q$secret{$n}\E/, "login token $n is not in the access log");
}
like($log, qr{"GET /api/v1/auth/verify\?\[query removed\] HTTP/1\.1" }, 'auth route logged without its query');
like($log, qr{"HEAD /api/v1/auth/sso\?\[query removed\] }, 'HEAD too');
like($log, qr{"GET /sign-in/verify\?\[query removed\] }, 'a dashboard page with a token query too');
like($log, qr{"http://localhost/sign-in\?\[query removed\]"}, 'the Referer without its query');
like($log, qr{"GET /api/v1/echo\?whmcs_service_id=7 }, 'other queries stay for debugging');

# ---- HSTS on every kind of answer
for my $case (['GET', '/api/health'], ['GET', '/'], ['GET', '/assets/none.js'],
    ['GET', '/api/nothing'], ['GET', '/api/v1/echo']) {
	my $r = $t->http(@$case);
	like($r->{headers}{'strict-transport-security'} // '', qr/^max-age=\d{7,}/,
	    "HSTS on $case->[1] ($r->{status})");
}

# ---- limit_conn: requests in progress at once per client.
# A filler holds a request in progress: headers sent, body promised but
# never sent (nginx waits for it before FastCGI sees anything).
sub filler {
	my ($xff) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => ($t->base_url =~ /:(\d+)$/)[0], Proto => 'tcp') or die "connect: $!";
	print $s "POST /api/v1/echo HTTP/1.1\r\nHost: localhost\r\n"
	    . (defined $xff ? "X-Forwarded-For: $xff\r\n" : '')
	    . "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
	return $s;
}
# A whole request: its status.
sub probe {
	my ($xff) = @_;
	return $t->http(POST => '/api/v1/echo', body => { a => 1 },
	    headers => { defined $xff ? ('X-Forwarded-For' => $xff) : () })->{status};
}
# Wait until the client's every place is held: a probe from it is then
# refused.  A filler nginx refused (a place was still taken by an earlier
# request) has its answer already: replace it.  Until then a probe passes
# through and frees its place again.
sub answered { my ($s) = @_; IO::Select->new($s)->can_read(0) }
sub saturated {
	my ($xff, $hold, $make) = @_;
	my $st;
	$t->wait_for(sub {
		@$hold = grep { !answered($_) } @$hold;
		push @$hold, $make->(scalar @$hold) while @$hold < $CONN_LIMIT;
		($st = probe($xff)) == 429;
	}, timeout => 15);
	return $st;
}

{
	my @hold;
	is(saturated('203.0.113.99', \@hold, sub { filler('198.51.100.' . ($_[0] % 250 + 1)) }), 429,
	    "$CONN_LIMIT requests in progress from one address: the next is 429, whatever X-Forwarded-For says");
	my $r = $t->http(GET => '/api/health', headers => { 'X-Forwarded-For' => '192.0.2.1' });
	is($r->{status}, 429, 'an invented X-Forwarded-For does not dodge the limit (realip is off by default)');
	is($r->{json}{error}{code}, 'rate_limited', 'in the API error shape');
	close $_ for @hold;
}
$t->wait_for(sub { probe() == 200 }, timeout => 15);
is(probe(), 200, 'closed requests free their places');

# ---- behind a TLS terminator: the operator trusts its address
$t->stop('nginx');
$t->start_api(binaries => [], port => ($t->base_url =~ /:(\d+)$/)[0],
    realip => "set_real_ip_from 127.0.0.1;\nreal_ip_header X-Forwarded-For;\nreal_ip_recursive on;\n");
{
	# one /64 (2001:db8:0:0::/64) in the forms nginx prints differently
	my @forms = ('2001:db8::1', '2001:db8:0:0:1:2:3:4', '2001:db8::ffff:0:0:1',
	    '2001:DB8:0:0:0:0:0:7');
	my @hold;
	is(saturated('2001:db8:0:0:abcd::9', \@hold, sub { filler($forms[$_[0] % @forms]) }), 429, 'the real client is the forwarded one, and an IPv6 client counts by its /64');
	is(probe('2001:db8:0:1::1'), 200, 'the neighbouring /64 has its own count');
	is(probe('203.0.113.7'), 200, 'an IPv4 client has its own count');
	is(probe('2001:db8:1:2:3:4:5:6'), 200, 'so has another prefix written in full');
	close $_ for @hold;
}
{
	# a /64 whose "::" comes after its first group (2a01:0:0:5:N:0:0:1 is
	# printed 2a01::5:N:0:0:1), probed in the four-group form
	my @hold;
	is(saturated('2a01:0:0:5:ffff::', \@hold, sub { filler('2a01:0:0:5:' . ($_[0] + 1) . ':0:0:1') }), 429, 'the same /64 however nginx prints it');
	is(probe('2a01:0:0:6::1'), 200, 'the next /64: its own count');
	is(probe('2a01::1'), 200, 'and the one before');
	close $_ for @hold;
}

$t->done_testing;
