# The FastCGI sockets are reachable by nginx's workers only: mode 0660 in
# the och-fcgi group that nginx's workers run with (`user www-data
# och-fcgi`), so another www-data process (PHP, a CGI, anything the web
# server user runs) cannot talk to the binaries directly and forge
# REMOTE_ADDR or REQUEST_URI behind nginx's back.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => ['health']);
my $sock = $t->dir . '/run/health.sock';

my @st = stat $sock;
ok(-S $sock, 'the socket exists');
is(sprintf('%04o', $st[2] & 07777), '0660', 'mode 0660: nobody outside its owner and group');
is($t->http(GET => '/api/health')->{status}, 200, "nginx's workers reach it");

# connect to the socket as uid/gid (and supplementary groups); 0 = connected
sub connect_as {
	my (@priv) = @_;
	my $perl = 'use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]); '
	    . 'print $s ? "ok\n" : "$!\n"; exit($s ? 0 : 3)';
	my $out = $t->_capture([ 'setpriv', @priv, '--', $^X, '-e', $perl, $sock ], \my $err);
	return ($? >> 8, $out . $err);
}
SKIP: {
	skip 'needs root to act as www-data (the suite runs as root)', 4 unless $> == 0;
	is(getgrgid($st[5]) // '', $OCH::Stack::FCGI_GROUP, 'the socket belongs to the och-fcgi group');
	my ($rc, $out) = connect_as('--reuid=www-data', '--regid=www-data', '--init-groups');
	is($rc, 3, 'another www-data process cannot connect');
	like($out, qr/Permission denied/, '  (permission denied)');
	($rc, $out) = connect_as('--reuid=www-data', "--regid=$OCH::Stack::FCGI_GROUP", '--clear-groups');
	is($rc, 0, 'a process with the och-fcgi group (as nginx\'s workers run) can') or diag($out);
}

$t->done_testing;
