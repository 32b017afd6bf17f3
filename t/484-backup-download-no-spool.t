# A backup's download (GET /api/v1/agent/backups/{id}) is the archive
# opened: the customer's OpenClaw state, their channel tokens and AI keys
# in it, in clear.  backups.fcgi streams it from storage; nginx buffered
# what its reader did not take yet to a temporary file (up to 1 GiB a
# download, fastcgi_max_temp_file_size's default): an agent that reads
# slowly — the VPS is the customer's — made the control plane write the
# plaintext archive to its disk, 1 GiB a connection, as often as it
# liked.  Now nginx holds no more than its memory buffers and backups.fcgi
# waits for the reader; the download still arrives whole.  The request is
# the agent's own, with its token, for its own backup.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of sso_login);
use IO::Socket::INET;
use IO::Select;
use Digest::SHA qw(sha256_hex);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_s3;
$t->start_api(binaries => [qw(instances agent settings auth backups)]);
my ($port) = $t->base_url =~ /:(\d+)$/;
# bytes nginx holds in its temporary files, through its open descriptors
my $master = $t->proc('nginx')->{pid};
ok(-r "/proc/$master/fd", "nginx's descriptors are readable here (the spool is measured through them)");
sub spooled { $t->nginx_spooled('nginx-fastcgi') }

# a customer asks for a backup; their agent takes the command and uploads
my $a = $t->ready_agent(1);
my %ag = (Authorization => "Bearer $a->{token}");
my $cust = session_of(sso_login($t, $a->{id}));
my $r = $t->http(POST => "/api/v1/instances/$a->{id}/backups", headers => $cust);
is($r->{status}, 202, 'the customer asks for a backup');
my $bid = $r->{json}{backup_id};
$r = $t->http(GET => '/api/v1/agent/commands?wait=0', headers => \%ag);
my ($cmd) = grep { $_->{type} eq 'backup_create' } @{ $r->{json}{commands} // [] };
is($cmd && $cmd->{args}{backup_id}, $bid, 'the agent gets the command');
my $archive = join '', map { pack('N', $_) x 4096 } 1 .. 1536;	# 24 MiB
$r = $t->http(PUT => "/api/v1/agent/backups/$bid", headers => { %ag, 'X-OCH-OpenClaw-Version' => '2026.9.6' },
    body => $archive, content_type => 'application/octet-stream', timeout => 120);
ok($r->{status} >= 200 && $r->{status} < 300, "the agent uploads 24 MiB ($r->{status})") or diag $r->{content};

# the download, read slowly: the first bytes, then nothing for a while
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port") or die "connect: $!";
setsockopt($s, Socket::SOL_SOCKET(), Socket::SO_RCVBUF(), 64 * 1024);
print $s "GET /api/v1/agent/backups/$bid HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer $a->{token}\r\nConnection: close\r\n\r\n";
my $sel = IO::Select->new($s);
my $got = '';
$sel->can_read(30) and sysread($s, $got, 16384);
like($got, qr{^HTTP/1\.1 200}, 'the download starts');
# wait until nginx holds 4 MiB on disk, or 10 s of nothing growing
my ($most, $last, $still) = (0, -1, 0);
for (1 .. 200) {
	my $n = spooled();
	$most = $n if $n > $most;
	last if $most > 4 << 20;
	$still = $n == $last ? $still + 1 : 0;
	last if $still >= 100;
	$last = $n;
	select undef, undef, undef, 0.1;
}
cmp_ok($most, '<', 1 << 20, 'while its reader waits, nginx keeps less than 1 MiB of the archive on disk')
    or diag "spooled $most bytes";

# then it reads on: the archive arrives whole
my $buf;
while ($sel->can_read(60)) {
	my $n = sysread($s, $buf, 1 << 20);
	last unless $n;
	$got .= $buf;
}
close $s;
my ($head, $body) = split /\r\n\r\n/, $got, 2;
$body //= '';
# (HTTP/1.1 without Content-Length: chunked)
if ($head =~ /^transfer-encoding:\s*chunked/mi) {
	my $plain = '';
	while ($body =~ s/\A([0-9a-fA-F]+)\r\n//) {
		my $n = hex $1;
		last if $n == 0;
		$plain .= substr($body, 0, $n, '');
		$body =~ s/\A\r\n//;
	}
	$body = $plain;
}
is(length($body), length($archive), 'the download arrives whole');
is(sha256_hex($body), sha256_hex($archive), 'and is the archive uploaded');

$t->done_testing;
