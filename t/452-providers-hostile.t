# The provider clients against a hostile upstream (a small server in this
# test that answers garbage JSON, 200s with missing or mistyped fields,
# ids beyond 2^53, oversize bodies, endless pagination): every answer
# gives a clear error through t/unit/prov-drive, nothing crashes, no
# token reaches a log.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use JSON::PP;

my $t = OCH::Test->new;
my $port = $t->free_port;
my $script = $t->dir . '/hostile.pl';
open my $fh, '>', $script or die "$script: $!";
print $fh <<'EOS';
use strict;
use warnings;
use IO::Socket::INET;
my $port = shift;
$SIG{PIPE} = 'IGNORE';	# clients hang up on oversize answers
my $ls = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
    Listen => 16, ReuseAddr => 1) or die "listen: $!";
my $server = '{"id":7,"name":"ok-7","status":"running","public_net":{"ipv4":{"ip":"127.0.0.7"},"ipv6":null}}';
my %get = (
	'/hz/servers/1' => [ 200, 'not json at all' ],
	'/hz/servers/2' => [ 200, '{"server":{}}' ],
	'/hz/servers/3' => [ 200, '{"server":{"id":1e30,"name":"x","status":"running"}}' ],
	'/hz/servers/4' => [ 200, '{"server":{"id":"4","name":"x","status":"running"}}' ],
	'/hz/servers/5' => [ 200, '{"server":"' . ('x' x (2 * 1024 * 1024)) . '"}' ],
	'/hz/servers/6' => [ 200, '{"server":{"id":6,"name":"x","status":"running","public_net":{"ipv4":{"ip":"1.2.3.4; rm -rf /"}}}}' ],
	'/hz/servers/7' => [ 200, "{\"server\":$server}" ],
	'/hz/servers/8' => [ 200, '{"server":{"id":8,' ],
	'/hz/servers/9' => [ 502, '<html><body>502 Bad Gateway</body></html>' ],
	'/hz/servers/10' => [ 200, '{"server":{"id":9007199254740992,"name":"x","status":"running"}}' ],
	'/hz/servers/11' => [ 200, '{"server":[1,2,3]}' ],
	'/hz/servers/12' => [ 200, '{"server":{"id":12,"name":"x","status":"running"}}' . (']' x 5000) ],
	'/hz/servers/13' => [ 200, ('[' x 100000) ],
	'/hz/actions/20' => [ 200, '{"action":{"id":20,"status":"pending"}}' ],
	'/hz/actions/21' => [ 200, '{"action":{"id":99,"status":"success"}}' ],
	'/cf/zones/z1/dns_records' => [ 200, '{"success":true,"errors":[],"result":{"not":"a list"}}' ],
);
my $n = 0;
while (my $c = $ls->accept) {
	my $req = '';
	while (my $l = <$c>) { $req .= $l; last if $l eq "\r\n" }
	my ($m, $target) = $req =~ m{^(\S+) (\S+)};
	next unless defined $target;	# the harness's readiness probe
	my ($len) = $req =~ m{\r\nContent-Length: (\d+)}i;
	read($c, my $body, $len) if $len;
	my ($path, $q) = split /\?/, $target, 2;
	$q //= '';
	my ($st, $out) = (404, '{"error":{"code":"not_found","message":"no"}}');
	if ($m eq 'GET' && $get{$path}) {
		($st, $out) = @{ $get{$path} };
	} elsif ($m eq 'POST' && $path eq '/hz/servers') {
		($st, $out) = (201, "{\"server\":$server,\"action\":null,\"next_actions\":[],\"root_password\":null}");
	} elsif ($m eq 'GET' && $path eq '/hz/servers') {
		my ($page) = $q =~ /(?:^|&)page=(\d+)/;
		if ($q =~ /name=loop/) {
			# next_page always one further: a client must stop
			$n++;
			($st, $out) = (200, "{\"servers\":[],\"meta\":{\"pagination\":{\"page\":$page,\"next_page\":" . ($page + 1) . "}}}");
		} elsif ($q =~ /name=back/) {
			($st, $out) = (200, "{\"servers\":[$server],\"meta\":{\"pagination\":{\"page\":$page,\"next_page\":1}}}");
		} else {
			($st, $out) = (200, '{"servers":"nope"}');
		}
	} elsif ($m eq 'GET' && $path eq '/count') {
		($st, $out) = (200, $n);
		$n = 0;
	} elsif ($m eq 'POST' && $path eq '/cf/zones/z1/dns_records') {
		($st, $out) = (200, '{"success":true,"errors":[],"result":{"id":5,"type":"A"}}');
	} elsif ($m eq 'POST' && $path eq '/rs/emails') {
		($st, $out) = $body =~ /"subject":"num"/ ? (200, '{"id":12}') : (200, '{"id":""}');
	} elsif ($m eq 'POST' && $path eq '/wh/includes/api.php') {
		($st, $out) = $body =~ /action=GetClientsProducts/
		    ? (200, '{"result":"success","products":""}')
		    : (200, "<br />\n<b>Warning</b>: mysqli_connect(): (HY000/2002)");
	}
	print $c "HTTP/1.1 $st X\r\nContent-Type: application/json\r\nContent-Length: "
	    . length($out) . "\r\nConnection: close\r\n\r\n$out";
	close $c;
}
EOS
close $fh;
$t->spawn(name => 'hostile', cmd => [ $^X, $script, $port ], ready_port => $port);
my $base = "http://127.0.0.1:$port";

my %env = (
	OCH_CONFIG => $t->dir . '/empty.conf',	# the environment says it all
	HETZNER_API_URL => "$base/hz", HETZNER_API_TOKEN => 'tok-hz-SECRET',
	CLOUDFLARE_API_URL => "$base/cf", CLOUDFLARE_API_TOKEN => 'tok-cf-SECRET',
	CLOUDFLARE_ZONE_ID => 'z1',
	RESEND_API_URL => "$base/rs", RESEND_API_KEY => 're_tok-rs-SECRET',
	WHMCS_API_URL => "$base/wh/includes/api.php",
	WHMCS_API_IDENTIFIER => 'whid', WHMCS_API_SECRET => 'tok-wh-SECRET',
	PROV_RETRIES => 0,
);
my $stderr = '';
{ open my $c, '>', $env{OCH_CONFIG} or die; close $c; chmod 0600, $env{OCH_CONFIG} }

# Run the driver; returns its JSON answer (undef when it did not print one).
sub drive {
	my @args = @_;
	my $out = $t->dir . '/drive.out';
	my $err = $t->dir . '/drive.err';
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open STDIN, '<', '/dev/null';
		open STDOUT, '>', $out;
		open STDERR, '>', $err;
		$ENV{$_} = $env{$_} for keys %env;
		exec { $t->bin('t/unit/prov-drive') } 'prov-drive', @args or exit 127;
	}
	waitpid($pid, 0);
	my $rc = $? >> 8;
	local $/;
	open my $o, '<', $out; my $text = <$o> // ''; close $o;
	open my $e, '<', $err; my $etext = <$e> // ''; close $e;
	$stderr .= $etext;
	open my $log, '>>', $t->dir . '/prov-drive.log'; print $log $etext; close $log;
	is($rc, 0, "prov-drive @args[0,1]: exit 0") or diag($etext);
	my $j = eval { decode_json($text) };
	ok($j, "prov-drive @args[0,1]: one JSON object") or diag($text);
	return $j // {};
}

sub bad {
	my ($j, $code, $retryable, $name) = @_;
	ok(!$j->{ok}, "$name: failed");
	is($j->{code}, $code, "$name: code $code");
	is($j->{retryable} ? 1 : 0, $retryable, "$name: retryable=$retryable");
}

my $j = drive('hz-get', 7);
ok($j->{ok}, 'a sane answer is read') or diag(encode_json($j));
is($j->{server}{id}, 7, 'server id');
is($j->{server}{ipv4}, '127.0.0.7', 'ipv4');

bad(drive('hz-get', 1), 'bad_response', 1, 'garbage JSON');
bad(drive('hz-get', 2), 'bad_response', 1, 'server without fields');
bad(drive('hz-get', 3), 'bad_response', 1, 'id 1e30');
bad(drive('hz-get', 4), 'bad_response', 1, 'id as a string');
bad(drive('hz-get', 10), 'bad_response', 1, 'id 2^53');
bad(drive('hz-get', 11), 'bad_response', 1, 'server is an array');
bad(drive('hz-get', 12), 'bad_response', 1, 'trailing junk');
bad(drive('hz-get', 13), 'bad_response', 1, 'deep nesting');
$j = drive('hz-get', 5);
bad($j, 'too_big', 0, '2 MiB answer');
is($j->{err}, 'upstream_error', 'oversize is an upstream error');
bad(drive('hz-get', 6), 'bad_response', 1, 'address with shell junk');
bad(drive('hz-get', 8), 'bad_response', 1, 'truncated JSON');
$j = drive('hz-get', 9);
bad($j, 'http_502', 1, 'HTML 502');
is($j->{status}, 502, 'status kept');
bad(drive('hz-create', 'n1', 'cx23', 'ubuntu-24.04', 'fsn1', 'i-1'),
    'bad_response', 1, 'create answered without an action');
bad(drive('hz-find', 'i-1'), 'bad_response', 1, 'list is not an array');
bad(drive('hz-action', 20), 'bad_response', 1, 'unknown action status');
bad(drive('hz-action', 21), 'bad_response', 1, 'another action id than asked');
bad(drive('hz-find-name', 'loop'), 'bad_response', 1, 'endless pagination stops');
my $count = $t->http(GET => "$base/count");
ok($count->{content} > 1 && $count->{content} <= 100,
    "endless pagination: $count->{content} pages asked, at most 100");
$j = drive('hz-find-name', 'back');
ok($j->{ok}, 'pagination pointing back ends');
is($j->{n}, 1, 'one page read');
$j = drive('hz-get', 404);
bad($j, 'not_found', 0, 'hetzner 404');
is($j->{err}, 'not_found', 'not_found maps to OCH_ENOTFOUND');

bad(drive('cf-create', 'A', 'x.och.test', '127.0.0.1'), 'bad_response', 1,
    'cloudflare record with a numeric id');
bad(drive('cf-list', 'x.och.test'), 'bad_response', 1,
    'cloudflare list result not an array');
bad(drive('cf-delete', '../../zones'), 'invalid_input', 0,
    'a record id is checked before it goes in a path');

bad(drive('rs-send', 'a@och.test', 'b@och.test', 'empty', 'text', 'k1'),
    'bad_response', 1, 'resend empty id');
bad(drive('rs-send', 'a@och.test', 'b@och.test', 'num', 'text', 'k2'),
    'bad_response', 1, 'resend numeric id');

bad(drive('wh-update', 7, 'Active', '127.0.0.7', 'x.och.test'),
    'bad_response', 1, 'WHMCS PHP warning instead of JSON');
$j = drive('wh-get', 7);
bad($j, 'not_found', 0, 'WHMCS products ""');

unlike($stderr, qr/SECRET/, 'no token or secret in any log line');
like($stderr, qr/hetzner GET \/servers\/1 failed/, 'failures are logged');

$t->done_testing;
