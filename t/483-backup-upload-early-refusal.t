# The backup archive's route (PUT /api/v1/agent/backups/{id}) takes bodies
# of up to 4 GiB, and nobody may make the server hold one it has not
# accepted.  nginx buffered a request body whole before FastCGI saw the
# request (fastcgi_request_buffering on, the default): anyone, with no
# token at all, could make it write 4 GiB to its temporary folder a
# connection (128 connections a client), on the control plane's disk,
# before backups.fcgi refused the request — and an agent's real archive
# rested there in clear, whole, until the upload ended.  Now nginx hands
# the body to backups.fcgi as it comes, so the refusal comes first and
# nothing of the body lands on disk.  The attacker's request: a PUT that
# announces 1 GiB, sends some of it, and waits.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use IO::Select;
use IO::Socket::INET;

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(instances agent backups)]);
my ($port) = $t->base_url =~ /:(\d+)$/;
# bytes nginx holds in its temporary files, through its open descriptors
my $master = $t->proc('nginx')->{pid};
ok(-r "/proc/$master/fd", "nginx's descriptors are readable here (the spool is measured through them)");
sub spooled { $t->nginx_spooled('nginx-body') }

# One upload: headers announcing $len bytes (and $auth), then $chunks
# chunks of 256 KiB while no answer came; then up to 30 s for the answer.
# Returns (the status line or '', the bytes sent, the most nginx spooled).
sub upload {
	my ($auth, $len, $chunks) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port") or die "connect: $!";
	$s->autoflush(1);
	print $s "PUT /api/v1/agent/backups/1 HTTP/1.1\r\nHost: localhost\r\n"
	    . ($auth ? "Authorization: Bearer $auth\r\n" : '')
	    . "Content-Type: application/octet-stream\r\nContent-Length: $len\r\nConnection: close\r\n\r\n";
	my $sel = IO::Select->new($s);
	my ($sent, $most, $answer) = (0, 0, '');
	my $chunk = 'x' x (256 * 1024);
	for (1 .. $chunks) {
		last if $sel->can_read(0);
		last unless defined syswrite($s, $chunk);
		$sent += length $chunk;
		my $sp = spooled();
		$most = $sp if $sp > $most;
	}
	if ($sel->can_read(30)) {
		sysread($s, $answer, 4096);
	}
	my $sp = spooled();
	$most = $sp if $sp > $most;
	close $s;
	my ($line) = $answer =~ /^(HTTP\/1\.[01] \d+)/;
	return ($line // '', $sent, $most);
}

# no token: refused before the body (it would be 1 GiB)
my ($line, $sent, $most) = upload(undef, 1 << 30, 40);
like($line, qr/ 401$/, 'a PUT of 1 GiB without a token is refused while its body is still coming')
    or diag "answer '$line' after $sent bytes sent";
cmp_ok($most, '<', 1 << 20, 'and nginx wrote less than 1 MiB of it to disk') or diag "spooled $most bytes";

# an unknown token: the same
($line, $sent, $most) = upload('f' x 64, 1 << 30, 40);
like($line, qr/ 401$/, 'an unknown agent token: refused before the body');
cmp_ok($most, '<', 1 << 20, 'nothing of it on disk') or diag "spooled $most bytes";

# a real agent, a backup it was never asked for: 404 before the body
my $a = $t->ready_agent(1);
($line, $sent, $most) = upload($a->{token}, 1 << 30, 40);
like($line, qr/ (404|503)$/, "an agent's PUT of a backup nobody asked for: refused before the body")
    or diag "answer '$line'";
cmp_ok($most, '<', 1 << 20, 'nothing of it on disk') or diag "spooled $most bytes";

# the API still answers (no worker stuck on a half-read body)
is($t->http(GET => '/api/v1/agent/config', headers => { Authorization => "Bearer $a->{token}" })->{status}, 200,
    'the agent API answers afterwards');

$t->done_testing;
