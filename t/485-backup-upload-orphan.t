# An archive the API stored in the bucket but could not record is an
# orphan nothing ever deletes.  The agent (the customer's: root on the VPS)
# chose one at will: an X-OCH-OpenClaw-Version header that is not UTF-8
# made the row's update fail after the whole archive was in the bucket,
# and every "take a backup now" left another one (up to BACKUP_MAX_MB
# each) on the operator's bill.  Now a version of anything but printable
# ASCII is not kept (the archive is recorded without it); and should the
# record fail all the same, the archive is deleted from the bucket again
# (a guard no request reaches any more: not shown here).  The request is
# the agent's own, with its token, for a backup its customer asked.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of sso_login);
use IO::Socket::INET;

my $t = OCH::Test->new;
$t->start_pg;
my $s3 = $t->start_s3;
$t->start_api(binaries => [qw(instances agent settings auth backups)]);
my ($port) = $t->base_url =~ /:(\d+)$/;
sub s3status {
	my ($key) = @_;
	return `curl -sS -o /dev/null -w '%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 -u S3RVER:S3RVER -H x-amz-content-sha256:UNSIGNED-PAYLOAD '$s3/och-backups/$key'`;
}

my $a = $t->ready_agent(1);
my %ag = (Authorization => "Bearer $a->{token}");
my $cust = session_of(sso_login($t, $a->{id}));

# one backup the customer asks for, its command taken by the agent
sub asked {
	my $r = $t->http(POST => "/api/v1/instances/$a->{id}/backups", headers => $cust);
	is($r->{status}, 202, 'the customer asks for a backup');
	$t->http(GET => '/api/v1/agent/commands?wait=0', headers => \%ag);
	return $r->{json}{backup_id};
}
# the agent's upload with a raw version header (bytes as given)
sub upload {
	my ($bid, $version, $body) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port") or die "connect: $!";
	print $s "PUT /api/v1/agent/backups/$bid HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer $a->{token}\r\n"
	    . "X-OCH-OpenClaw-Version: $version\r\nContent-Type: application/octet-stream\r\n"
	    . 'Content-Length: ' . length($body) . "\r\nConnection: close\r\n\r\n" . $body;
	local $/;
	my $answer = <$s> // '';
	close $s;
	return $answer =~ m{^HTTP/1\.[01] (\d+)} ? $1 : 0;
}

my $bid = asked();
my $st = upload($bid, "2026.9.6\xff\xfe", 'x' x (1 << 20));
my ($status, $key) = @{ ($t->psql(q{SELECT status, coalesce(object_key, '') FROM backups WHERE id = :'b'}, b => $bid))[0] // [] };
my $obj = "backups/$a->{id}/$bid.ochbak";
if ($status eq 'available') {
	is($st, 200, 'a version that is not UTF-8: the archive is stored');
	is($key, $obj, 'and recorded under its key');
	is(s3status($obj), '200', 'which is in the bucket');
	is($t->psql_one(q{SELECT openclaw_version FROM backups WHERE id = :'b'}, b => $bid), undef, 'without the version');
} else {
	fail("a version that is not UTF-8: the backup is $status (answer $st)");
	is(s3status($obj), '404', 'and then no orphan archive in the bucket');
}

# a plain version is kept as before
$bid = asked();
is(upload($bid, '2026.9.6', 'y' x 1024), 200, 'a plain version: stored');
is($t->psql_one(q{SELECT openclaw_version FROM backups WHERE id = :'b'}, b => $bid), '2026.9.6', 'with its version');

$t->done_testing;
