# och-install, the one command from `make install` to a running control
# plane, run into a scratch root (no systemd here): the system user and
# socket group, folders, a 0600 config with generated secrets, the
# PostgreSQL roles (owner, application) and database, migrations, the
# nginx site with TLS, HSTS and the http redirect, the FastCGI unit, the
# cron file, logrotate; then the stack comes up from what it installed and
# answers over https.  A second run upgrades in place and changes nothing
# it should keep; bad input is refused before anything is touched.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use File::Path qw(make_path);

my $t = OCH::Test->new;
my $dir = $t->dir;
my $root = "$dir/root";
my $b = OCH::Stack::builddir();
my $out = $t->_capture([ 'make', '-s', '-C', $b, 'install', "DESTDIR=$root" ], \my $err);
is($?, 0, 'make install into the scratch root') or diag $err;
chomp(my $prefix = `sed -n 's/^prefix = //p' '$b/Makefile'`);
my $inst = "$root$prefix/sbin/och-install";
ok(-x $inst, 'och-install installed in sbin');
my $sc = $t->_capture([ 'shellcheck', $t->src('deploy/och-install.in') ], \my $scerr);
is($?, 0, 'och-install is shellcheck-clean') or diag $sc;

$t->start_pg(no_migrate => 1);
my $pg = $t->{pgdir};
my $port = OCH::Stack::free_port();
my $hport = OCH::Stack::free_port();
system('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=panel.test',
    '-addext', 'subjectAltName=DNS:panel.test', '-keyout', "$dir/key.pem", '-out', "$dir/cert.pem") == 0
    or BAIL_OUT('openssl');
my %env = (OCH_OWNER_DATABASE_URL => "postgresql:///openclawhost?host=$pg&user=och_owner",
    OCH_APP_DATABASE_URL => "postgresql:///openclawhost?host=$pg&user=och_app");
my @args = ('--root', $root, '--domain', 'panel.test', '--instances-domain', 'claw.test',
    '--cert', "$dir/cert.pem", '--key', "$dir/key.pem", '--pg-admin', "postgresql:///postgres?host=$pg&user=och",
    '--listen', "127.0.0.1:$port", '--http-listen', "127.0.0.1:$hport");
sub install { my $o = $t->_capture([ $inst, @_ ], \my $e, %env); return ($? >> 8, $o, $e) }

# refused before anything is touched
my ($rc, $o, $e) = install('--root', "$dir/nothing", '--domain', 'a.claw.test', '--instances-domain', 'claw.test',
    '--cert', "$dir/cert.pem", '--key', "$dir/key.pem");
is($rc, 1, 'a panel under the instances\' domain is refused');
like($e, qr/must not be under/, 'and says why');
ok(!-e "$dir/nothing", 'nothing was written');
($rc, $o, $e) = install('--root', "$dir/nothing", '--domain', 'panel.test', '--instances-domain', 'claw.test');
is($rc, 1, 'no certificate and no certbot: refused');
like($e, qr/TLS/, 'and says what is missing');

# the install
($rc, $o, $e) = install(@args);
is($rc, 0, 'och-install succeeds') or diag "$o$e";
my $conf = "$root/etc/openclawhost/och.conf";
ok(-f $conf, 'config written');
is((stat $conf)[2] & 07777, 0600, 'config is mode 0600');
my %c = map { /^([A-Z_0-9]+)=(.*)$/ ? ($1 => $2) : () } do { open my $f, '<', $conf; <$f> };
like($c{OCH_MASTER_KEY} // '', qr/^[0-9a-f]{64}$/, 'a generated master key');
like($c{JWT_SECRET} // '', qr/^[0-9a-f]{64}$/, 'a generated JWT secret');
is($c{API_URL}, 'https://panel.test', 'API_URL is the panel over https');
is($c{CLOUDFLARE_DOMAIN}, 'claw.test', 'instances under their own domain');
like(do { open my $f, '<', "$root/etc/passwd"; local $/; <$f> }, qr/^openclawhost:/m, 'the service user');
like(do { open my $f, '<', "$root/etc/group"; local $/; <$f> }, qr/^och-fcgi:.*www-data/m, 'nginx\'s user in the socket group');
ok(-f "$root/etc/systemd/system/openclawhost-fcgi\@.service", 'the FastCGI unit');
ok(-f "$root/etc/cron.d/och-poller", 'the poller cron file');
ok(-f "$root/etc/logrotate.d/openclawhost", 'logrotate');
ok(-l "$root/etc/nginx/sites-enabled/openclawhost.conf", 'the nginx site enabled');
like($o, qr/still missing in .*HETZNER_API_TOKEN/, 'the end says what is still missing');
my $psql = sub { my ($db, $user, $sql) = @_;
	my $r = $t->_capture([ "$t->{pg_bindir}/psql", '-X', '-A', '-t', '-h', $pg, '-U', $user, '-d', $db, '-c', $sql ], \my $pe);
	chomp $r; return ($? >> 8, $r, $pe) };
my @files = glob($t->src('schema') . '/[0-9][0-9][0-9]_*.sql');
is(($psql->('openclawhost', 'och_owner', 'SELECT count(*) FROM schema_migrations'))[1], scalar @files,
    'every migration applied, as the owner role');
is(($psql->('openclawhost', 'och', "SELECT tableowner FROM pg_tables WHERE tablename = 'instances'"))[1], 'och_owner',
    'the migration owner owns the tables');
my ($prc) = $psql->('openclawhost', 'och_app', "INSERT INTO audit_log (actor_kind, action) VALUES ('system', 'install.test')");
is($prc, 0, 'the application role writes the audit log');
($prc, undef, my $perr) = $psql->('openclawhost', 'och_app', 'TRUNCATE audit_log');
isnt($prc, 0, 'but cannot truncate it');
like($perr, qr/permission denied/, '(permission denied)');

# the stack from what was installed: binaries, config, site (its absolute
# paths moved under the scratch root), over TLS
my $site = do { open my $f, '<', "$root/etc/nginx/sites-available/openclawhost.conf"; local $/; <$f> };
$site =~ s{(?<![\w/])(/etc/nginx/openclawhost|/run/openclawhost|/var/log/openclawhost|/var/lib/openclawhost|\Q$prefix\E/share)}{$root$1}g;
for my $inc (glob "$root/etc/nginx/openclawhost/*.conf") {
	my $txt = do { open my $f, '<', $inc; local $/; <$f> };
	$txt =~ s{(?<![\w/])(/etc/nginx/openclawhost)}{$root$1}g;
	open my $f, '>', $inc; print $f $txt; close $f;
}
make_path("$dir/ng");
open my $sf, '>', "$dir/ng/site.conf"; print $sf $site; close $sf;
open my $nf, '>', "$dir/ng/nginx.conf"; print $nf <<"NGX"; close $nf;
user @{[ OCH::Stack::nginx_user() ]};
worker_processes 1;
pid $dir/ng/nginx.pid;
error_log $dir/ng/error.log warn;
events { worker_connections 256; }
http {
	include /etc/nginx/mime.types;
	client_body_temp_path $dir/ng/body;
	fastcgi_temp_path $dir/ng/fastcgi;
	proxy_temp_path $dir/ng/proxy;
	include $dir/ng/site.conf;
}
NGX
# the sockets' group is this host's och-fcgi (the scratch root's is not
# this host's); the folders let nginx's workers through
chmod 0755, "$root/run/openclawhost", "$root/var/log/openclawhost";
my %run = (OCH_CONFIG => $conf, DATABASE_URL => $env{OCH_APP_DATABASE_URL},
    OCH_SCHEMA_DIR => "$root$prefix/share/openclawhost/schema", OCH_TEMPLATE_DIR => "$root$prefix/share/openclawhost",
    OCH_STATS_DIR => "$root/run/openclawhost/stats", API_URL => 'https://panel.test', DASHBOARD_URL => 'https://panel.test');
for my $bin (qw(health auth instances)) {
	my $sock = "$root/run/openclawhost/$bin.sock";
	$t->spawn(name => "$bin.fcgi", env => \%run, ready_socket => $sock,
	    cmd => [ OCH::Stack::fcgi_group_prefix(), "$root$prefix/libexec/openclawhost/$bin.fcgi", '-s', $sock ]);
}
$t->spawn(name => 'nginx', ready_port => $port,
    cmd => [ 'nginx', '-p', "$dir/ng", '-c', "$dir/ng/nginx.conf", '-g', 'daemon off;' ]);
my $curl = sub { my @a = @_;
	my $r = $t->_capture([ 'curl', '-sS', '-i', '--cacert', "$dir/cert.pem", '--resolve', "panel.test:$port:127.0.0.1",
	    '--resolve', "panel.test:$hport:127.0.0.1", @a ], \my $ce);
	return "$r$ce" };
my $h = $curl->("https://panel.test:$port/api/health");
like($h, qr{^HTTP/\S+ 200}m, 'the installed stack answers /api/health over https') or diag $h;
like($h, qr/"db":"ok"/, 'through the application role');
like($h, qr/^strict-transport-security: max-age=\d+/mi, 'with HSTS');
$h = $curl->("http://panel.test:$hport/api/health");
like($h, qr{^HTTP/\S+ 301}m, 'plain http redirects');
like($h, qr{^location: https://panel\.test/api/health}mi, 'to https');
$h = $curl->("https://panel.test:$port/api/v1/me");
like($h, qr{^HTTP/\S+ 401}m, 'an auth route answers too (401 without a session)');

# again: an upgrade in place keeps what it must
my $before = do { open my $f, '<', $conf; local $/; <$f> };
($rc, $o, $e) = install(@args);
is($rc, 0, 'a second run succeeds') or diag "$o$e";
like($o, qr/schema up to date/, 'no migration left');
like($o, qr/configuration .* kept/s, 'the configuration is kept');
is(do { open my $f, '<', $conf; local $/; <$f> }, $before, 'byte for byte (same secrets)');
is(scalar(() = do { open my $f, '<', "$root/etc/group"; local $/; <$f> } =~ /^och-fcgi:/mg), 1, 'the group exists once');
# (the install made /run/openclawhost 0750 for its socket group again: this
# host's nginx user is not in the scratch root's group)
chmod 0755, "$root/run/openclawhost";
$h = $curl->("https://panel.test:$port/api/health");
like($h, qr{^HTTP/\S+ 200}m, 'and the stack still answers');
$t->done_testing;
