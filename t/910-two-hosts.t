# Two control-plane hosts, as docs/operator.md ("Scaling out") describes:
# each host is a network namespace of its own with its own hostname,
# running nginx with the shipped site config, the FastCGI binaries and a
# provision poller; both reach one PostgreSQL through PgBouncer (session
# mode: LISTEN/NOTIFY and prepared statements need it) on a bridge; an
# nginx load balancer in front retries a request a dead host did not
# answer on the other one.  Under a steady stream of WHMCS orders and
# dashboard reads, one API host is killed (SIGKILL, all its processes),
# then the other host's poller: no order is lost or doubled (one server,
# one welcome email each), no request fails beyond those in flight on the
# killed host, and the killed poller's leases are taken over by the other
# host within POLLER_LEASE_SECONDS.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use File::Path qw(make_path);
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

my $t = OCH::Test->new;
$> == 0 or BAIL_OUT('network namespaces need root (the test command runs as root)');
my $dir = $t->dir;
my $net = 10 + $$ % 200;	# one /24 per run: 10.231.$net.0/24
my $gw = "10.231.$net.1";
my $br = 'ochbr' . ($$ % 100000);
my %host = (h1 => "10.231.$net.11", h2 => "10.231.$net.12");
my %ns = map { $_ => "och-$_-$$" } keys %host;
my @cleanup;

sub sh { my $cmd = join ' ', @_; system($cmd) == 0 or die "failed: $cmd\n" }
END {
	$t->stop_all if $t;
	system("$_ >/dev/null 2>&1") for reverse @cleanup;
}

# ---- the network: a bridge in this namespace, one veth per host
sh("ip link add $br type bridge"); push @cleanup, "ip link del $br";
sh("ip addr add $gw/24 dev $br"); sh("ip link set $br up");
for my $h (sort keys %host) {
	my ($n, $v) = ($ns{$h}, "och$h" . ($$ % 10000));
	sh("ip netns add $n"); push @cleanup, "ip netns del $n";
	sh("ip link add $v type veth peer name ${v}p"); push @cleanup, "ip link del $v";
	sh("ip link set ${v}p netns $n");
	sh("ip link set $v master $br"); sh("ip link set $v up");
	sh("ip netns exec $n ip link set lo up");
	sh("ip netns exec $n ip addr add $host{$h}/24 dev ${v}p");
	sh("ip netns exec $n ip link set ${v}p up");
	sh("ip netns exec $n ip route add default via $gw");
}
ok(1, 'two host namespaces on a bridge');

# ---- PostgreSQL (this namespace) and PgBouncer in session mode on the bridge
$t->start_pg;
my ($dbuser) = $t->dburl =~ /user=([^&]+)/;
my $pgdir = $t->{pgdir};
my $bport = OCH::Stack::free_port();
make_path("$dir/pgbouncer");
open my $fh, '>', "$dir/pgbouncer/pgbouncer.ini" or die $!;
print $fh <<"EOF";
[databases]
och = host=$pgdir dbname=och user=$dbuser
[pgbouncer]
listen_addr = $gw
listen_port = $bport
unix_socket_dir =
auth_type = any
pool_mode = session
max_client_conn = 400
default_pool_size = 80
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer/pgbouncer.log
EOF
close $fh;
system('chown', '-R', 'postgres:postgres', "$dir/pgbouncer");
$t->spawn(name => 'pgbouncer',
    cmd => [ 'setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--',
	'pgbouncer', "$dir/pgbouncer/pgbouncer.ini" ],
    ready_port => $bport, ready_host => $gw);
my $pooled = "postgresql://$dbuser\@$gw:$bport/och";

# ---- och-cloudsim on the bridge (the pollers reach it from their hosts)
my $sport = OCH::Stack::free_port();
$t->spawn(name => 'cloudsim',
    cmd => [ $t->bin('sim/och-cloudsim'), '--listen', "$gw:$sport", '--state-dir', "$dir/sim",
	'--boot-delay', '0.3', '--create-delay', '0.3', '--action-delay', '0.3' ],
    ready_port => $sport, ready_host => $gw);
my $sim = "http://$gw:$sport";
my %S = %OCH::Stack::SIM;

# ---- the load balancer (this namespace, loopback: API_URL stays http only there)
my $lbport = OCH::Stack::free_port();
my $lb = "http://127.0.0.1:$lbport";
$t->write_config(
    API_URL => $lb, DASHBOARD_URL => $lb,
    HETZNER_API_URL => "$sim/hetzner/v1", HETZNER_API_TOKEN => $S{hetzner_token},
    CLOUDFLARE_API_URL => "$sim/cloudflare/client/v4", CLOUDFLARE_API_TOKEN => $S{cloudflare_token},
    CLOUDFLARE_ZONE_ID => $S{cloudflare_zone}, CLOUDFLARE_DOMAIN => $S{domain},
    RESEND_API_URL => "$sim/resend", RESEND_API_KEY => $S{resend_key},
    WHMCS_API_URL => "$sim/whmcs/includes/api.php", WHMCS_API_IDENTIFIER => $S{whmcs_identifier},
    WHMCS_API_SECRET => $S{whmcs_secret},
    BOOT_TIMEOUT => 60, POLLER_BACKOFF_MS => 200, POLLER_LEASE_SECONDS => 10);
$t->api_client;	# created once, before any child signs with it

# ---- one host: its config (the pooled database), FastCGI binaries, nginx, poller
sub in_host {
	my ($h, @cmd) = @_;
	return ('ip', 'netns', 'exec', $ns{$h}, 'unshare', '--uts', '--', 'sh', '-c',
	    'hostname "och-$0" && exec "$@"', $h, @cmd);
}
my %hconf;
sub start_host {
	my ($h) = @_;
	my $hd = "$dir/$h";
	make_path("$hd/run", "$hd/nginx", "$hd/www");
	chmod 0755, $hd, "$hd/run", "$hd/nginx", "$hd/www";
	my %c = %{ $t->config };
	$c{DATABASE_URL} = $pooled;
	$hconf{$h} = "$hd/och.conf";
	open my $cf, '>', $hconf{$h} or die $!;
	print $cf map { "$_=$c{$_}\n" } sort keys %c;
	close $cf;
	chmod 0600, $hconf{$h};
	my %env = ($t->env, OCH_CONFIG => $hconf{$h});
	for my $b (qw(health instances agent)) {
		$t->spawn(name => "$h-$b", env => \%env, ready_socket => "$hd/run/$b.sock",
		    cmd => [ in_host($h, OCH::Stack::fcgi_group_prefix(), $t->bin("cgi-bin/$b.fcgi"),
			'-s', "$hd/run/$b.sock", '-n', 2) ]);
	}
	open my $ix, '>', "$hd/www/index.html"; print $ix "<!doctype html><title>$h</title>\n"; close $ix;
	my %v = (LISTEN => "$host{$h}:8080", SERVER_NAME => 'localhost', RUNDIR => "$hd/run",
	    CONFDIR => "$hd/nginx", WEBROOT => "$hd/www", LOGDIR => $hd, VPSDIR => $t->src('cloud-init'),
	    NGINX_USER => OCH::Stack::nginx_user());
	$t->render($t->src('nginx/och-site.conf.in'), "$hd/nginx/och-site.conf", %v);
	$t->render($t->src('nginx/nginx.conf.in'), "$hd/nginx/nginx.conf", %v);
	system('cp', $t->src("nginx/$_"), "$hd/nginx/$_") for qw(och-fastcgi.conf och-metrics-allow.conf och-tls.conf);
	# the balancer names the client (per-client limits stay per client)
	open my $ri, '>', "$hd/nginx/och-realip.conf" or die $!;
	print $ri "set_real_ip_from $gw;\nreal_ip_header X-Forwarded-For;\nreal_ip_recursive on;\n";
	close $ri;
	$t->spawn(name => "$h-nginx", ready_port => 8080, ready_host => $host{$h},
	    cmd => [ in_host($h, 'nginx', '-p', "$hd/nginx", '-c', "$hd/nginx/nginx.conf", '-g', 'daemon off;') ]);
	$t->spawn(name => "$h-poller", env => { %env, POLLER_RUN_SECONDS => 300 },
	    cmd => [ in_host($h, $t->bin('poller/och-poller'), 'provision') ]);
}
start_host($_) for qw(h1 h2);

make_path("$dir/lb");
open $fh, '>', "$dir/lb/nginx.conf" or die $!;
print $fh <<"EOF";
worker_processes 1;
pid $dir/lb/nginx.pid;
error_log $dir/lb/error.log warn;
events { worker_connections 1024; }
http {
	access_log $dir/lb/access.log;
	client_body_temp_path $dir/lb/body;
	proxy_temp_path $dir/lb/proxy;
	upstream och_api {
		server $host{h1}:8080 max_fails=1 fail_timeout=30s;
		server $host{h2}:8080 max_fails=1 fail_timeout=30s;
	}
	server {
		listen 127.0.0.1:$lbport;
		location / {
			proxy_pass http://och_api;
			proxy_http_version 1.1;
			proxy_set_header Host \$host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_connect_timeout 2s;
			# orders are idempotent (whmcs_service_id): safe to retry
			proxy_next_upstream error timeout http_502 http_503 non_idempotent;
			proxy_next_upstream_tries 2;
		}
	}
}
EOF
close $fh;
$t->spawn(name => 'lb', ready_port => $lbport,
    cmd => [ 'nginx', '-p', "$dir/lb", '-c', "$dir/lb/nginx.conf", '-g', 'daemon off;' ]);
$t->{base_url} = $lb;
is($t->http(GET => '/api/health')->{status}, 200, 'the balancer answers /api/health');
ok($t->wait_for(sub { $t->psql_one('SELECT count(DISTINCT host) FROM poller_heartbeats') == 2 }, timeout => 30),
    'two pollers beat, each with its own hostname');
is_deeply([ map { $_->[0] } $t->psql('SELECT host FROM poller_heartbeats ORDER BY host') ], [qw(och-h1 och-h2)],
    'the hostnames are the hosts\'');

# ---- traffic: 40 orders (retried until accepted, as WHMCS does) and two readers
my $N = 40;
my @kids;
sub child {
	my ($name, $code) = @_;
	my $pid = fork // die;
	if ($pid == 0) {
		# (nonces come from /dev/urandom: no seed to share between children)
		my @lines = $code->();
		open my $o, '>', "$dir/$name.out"; print $o map { "$_\n" } @lines; close $o;
		POSIX::_exit(0);
	}
	push @kids, $pid;
}
child('orders', sub {
	my @out;
	for my $i (1 .. $N) {
		my $t0 = time;
		for my $try (1 .. 20) {
			my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 7000 + $i,
			    whmcs_client_id => 800 + $i, email => "two$i\@example.test", plan => 'starter',
			    region => 'eu-helsinki' });
			push @out, "order $i try $try status $r->{status}";
			last if $r->{status} == 200 || $r->{status} == 201;
			sleep 0.5;
		}
		my $left = 0.35 - (time - $t0);
		sleep $left if $left > 0;
	}
	return @out;
});
for my $k (1, 2) {
	child("reads$k", sub {
		my @out;
		my $end = time + 16;
		my $i = 0;
		while (time < $end) {
			my $r = ++$i % 2 ? $t->http(GET => '/api/health')
			    : $t->signed(GET => '/api/v1/instances?whmcs_service_id=' . (7001 + $i % $N));
			# a failure says when (epoch) and what, for the diagnosis below
			push @out, $r->{status} == 200 ? 'read 200' : sprintf('read %s at %.2f %s', $r->{status},
			    time, substr($r->{content} // '', 0, 120) =~ s/\s+/ /gr);
			sleep 0.05;
		}
		return @out;
	});
}

# one API host dies (all its processes at once), later the other's poller
sleep 5;
$t->stop($_, 'KILL') for qw(h1-nginx h1-health h1-instances h1-agent);
my $killed_api = time;
sleep 3;
# a poller that dies mid-step leaves its lease: make the next server
# create hang (as a lost connection would), find the poller stuck in it
# (its lease is not refreshed) and kill it
$t->http(POST => "$sim/_sim/faults", body => { service => 'hetzner', route => 'POST /servers',
    script => ['hang'], hang_seconds => 30 });
my ($stuck, $victim);
$t->wait_for(sub {
	my %a = map { $_->[0] => "$_->[1] $_->[2]" } $t->psql(
	    "SELECT id, locked_by, locked_until FROM instances WHERE state = 'creating' AND hetzner_server_id IS NULL AND locked_until > now()");
	sleep 1.5;
	my %b = map { $_->[0] => "$_->[1] $_->[2]" } $t->psql(
	    "SELECT id, locked_by, locked_until FROM instances WHERE state = 'creating' AND hetzner_server_id IS NULL AND locked_until > now()");
	($stuck) = grep { defined $b{$_} && $b{$_} eq $a{$_} } sort keys %a;
	$stuck }, timeout => 40);
ok($stuck, 'a poller is stuck in a server create, holding its lease');
my $owner = $stuck ? $t->psql_one('SELECT locked_by FROM instances WHERE id = :\'i\'', i => $stuck) : '';
($victim) = $owner =~ /^och-(h\d):/;
$victim //= 'h2';
my $other = $victim eq 'h1' ? 'h2' : 'h1';
$t->stop("$victim-poller", 'KILL');
my $killed_poller = time;
waitpid($_, 0) for @kids;

sub lines { my $f = shift; open my $i, '<', "$dir/$f.out" or return (); chomp(my @l = <$i>); @l }
my @orders = lines('orders');
my @reads = (lines('reads1'), lines('reads2'));
my %accepted = map { /^order (\d+) try \d+ status 20[01]$/ ? ($1 => 1) : () } @orders;
is(scalar keys %accepted, $N, 'every order was accepted (a refused try is retried, as WHMCS does)');
my $order_fail = grep { !/status 20[01]$/ } @orders;
cmp_ok($order_fail, '<=', 1, 'at most the one order in flight on the killed host failed') or diag join "\n", @orders;
my $read_fail = grep { !/^read 200$/ } @reads;
cmp_ok(scalar @reads, '>', 40, 'the readers kept reading') or diag scalar @reads;
cmp_ok($read_fail, '<=', 2, 'at most the two reads in flight on the killed host failed')
    or diag sprintf("API host killed at %.2f; failed reads:\n%s\n--- balancer errors:\n%s", $killed_api,
	join("\n", grep { !/^read 200$/ } @reads), scalar `tail -n 20 $dir/lb/error.log`);

# ---- the end state: every order active once, the dead poller's leases taken over
ok($t->wait_for(sub { $t->psql_one("SELECT count(*) FROM instances WHERE state = 'active'") == $N }, timeout => 90),
    "all $N instances active (h1's poller took over the leases h2's left)")
    or diag explain [ $t->psql('SELECT state, locked_by, last_error FROM instances WHERE state <> \'active\'') ];
is($t->psql_one('SELECT count(*) FROM instances'), $N, "$N instance rows, no duplicate");
my $servers = $t->http(GET => "$sim/_sim/servers")->{json};
my @live = @{ $servers->{servers} // [] };
is(scalar @live, $N, "$N servers in the simulator: none created twice");
is($t->psql_one('SELECT count(DISTINCT hetzner_server_id) FROM instances'), $N, 'each instance its own server');
my %to;
ok($t->wait_for(sub {
	%to = ();
	my $m = $t->http(GET => "$sim/_sim/emails")->{json} // {};
	for my $e (@{ $m->{emails} // [] }) {
		$to{$_}++ for grep { /^two\d+\@/ } @{ $e->{to} // [] };
	}
	keys %to >= $N }, timeout => 60), 'every customer got an email');
is(scalar(grep { $to{$_} != 1 } keys %to), 0, 'and none got two');
is($t->psql_one("SELECT count(*) FROM email_outbox WHERE template = 'welcome' AND status = 'sent'"), $N,
    'exactly one welcome email sent per order');
is($t->psql_one("SELECT state FROM instances WHERE id = :'i'", i => $stuck // '00000000-0000-0000-0000-000000000000'), 'active',
    'the instance the dead poller held went active');
my $took = do { local (@ARGV, $/) = ("$dir/$other-poller.log"); <> } // '';
$took = $stuck && $took =~ /instance \Q$stuck\E: creating -> /;
ok($took, "the $other poller took it over after the $victim poller died");
is($t->psql_one("SELECT count(*) FROM instances WHERE locked_by LIKE :'o' AND locked_until > now()", o => "och-$victim:%"), 0,
    'no lease of the dead poller is left');
note(sprintf 'API host killed %.1f s, poller %s %.1f s into the run', $killed_api - $^T, $victim, $killed_poller - $^T);
$t->done_testing;
