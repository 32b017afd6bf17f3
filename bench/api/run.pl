#!/usr/bin/perl
# bench/api: GET /api/health (one PostgreSQL read, no auth),
# GET /api/v1/me (session cookie: the JWT, then one statement: the session
# check, the user and their instances) and GET /api/v1/instances/{id}
# (the JWT, then one statement: the check, the instance, its events and
# its audit record) through nginx + the FastCGI workers + PostgreSQL,
# against baselines measured in the same run on the same machine: the
# same two reads in Hono + node-postgres with the same statements behind
# nginx (bench/api/hono, as many node processes as FastCGI workers),
# nginx's own `return 200` and `pgbench -S` (one indexed read per
# transaction).
#
# The machine is shared, so the five HTTP targets run interleaved in
# several short rounds (health, /me, the instance read, Hono's two, then
# again): each round's ratios compare targets measured seconds apart, and
# the report gives per target the median req/s and p99 over the rounds,
# and the median of the per-round ratios.  Prints the load average before
# and after, and the workers' RSS.
#   OCH_BUILDDIR=build perl -It/lib bench/api/run.pl [seconds per round] [connections] [workers] [rounds]
use strict;
use warnings;
use OCH::Stack;
use OCH::Login qw(session_of sso_login);

my $secs = shift // 4;
my $conns = shift // 64;
my $workers = shift // 2;
my $rounds = shift // 5;
my $load0 = loadavg();
my $s = OCH::Stack->new;
$s->start_pg;
my $base = $s->start_api(binaries => [qw(health instances auth)], workers => $workers);

# a customer with a session cookie, as the dashboard has one
my $inst = $s->signed(POST => '/api/v1/instances', { whmcs_service_id => 1, whmcs_client_id => 1,
    email => 'bench@example.com', plan => 'starter', region => 'eu-helsinki' })->{json}{id};
my $cookie = session_of(sso_login($s, $inst))->{Cookie};
die "no session cookie\n" unless $cookie =~ /_session=[^;]/;

# the Hono baseline
my $hono = "$ENV{OCH_SRCDIR}/bench/api/hono";
system("cd '$hono' && npm ci --no-audit --no-fund >/dev/null 2>&1") == 0 or die "npm ci in $hono failed\n";
# the statements of the two reads, as the binaries hold them (one string
# each: the compiler joins the literals), for Hono to run the same
sub statement {
	my ($bin, $re) = @_;
	my @s = grep { /$re/ } map { s/\n\z//r } `strings -n 100 '$ENV{OCH_BUILDDIR}/cgi-bin/$bin.fcgi'`;
	die "not one statement matching $re in $bin.fcgi\n" unless @s == 1;
	return $s[0];
}
my $me_sql = statement('auth', qr/^SELECT s\.user_id, .* LEFT JOIN instances i ON i\.user_id = s\.user_id/);
my $get_sql = statement('instances', qr/^WITH l \(user_id, role, csrf_hash, stale, viewer\)/);
my $nport = OCH::Stack::free_port();
$s->spawn(name => 'hono', cmd => [ 'node', "$hono/server.mjs" ], ready_port => $nport,
    env => { PORT => $nport, WORKERS => $workers, JWT_SECRET => $s->config->{JWT_SECRET}, SESSION_COOKIE => OCH::Login::cookie_name('session'),
	ME_SQL => $me_sql, GET_SQL => $get_sql,
	PGHOST => $s->{pgdir}, PGUSER => 'och', PGDATABASE => 'och' });

# baseline 1: nginx alone answering from memory
my $port = OCH::Stack::free_port();
my $d = $s->dir;
open my $fh, '>', "$d/plain.conf" or die $!;
print $fh <<"EOC";
worker_processes 2; pid $d/plain.pid; error_log $d/plain-error.log;
events { worker_connections 1024; }
http { access_log off; upstream hono { server 127.0.0.1:$nport; keepalive 64; }
  server { listen 127.0.0.1:$port;
  location / { default_type application/json; return 200 '{"status":"ok"}'; }
  location /api/ { proxy_pass http://hono; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
EOC
close $fh;
$s->spawn(name => 'nginx-plain', cmd => [ 'nginx', '-p', $d, '-c', "$d/plain.conf", '-g', 'daemon off;' ],
    ready_port => $port);

sub loadavg {
	open my $fh, '<', '/proc/loadavg' or return '?';
	my @l = split ' ', scalar <$fh>;
	return "@l[0..2]";
}

# CPU clock ticks used so far by each named process of the stack and all
# its descendants (utime + stime + the reaped children's cutime + cstime
# of every process in the tree, from /proc): what a target cost the
# machine, whoever else was using it
my $hz = `getconf CLK_TCK` + 0 || 100;
my @roots = qw(postgres nginx nginx-plain health.fcgi auth.fcgi instances.fcgi hono);
sub cpu {
	my (%parent, %ticks);
	for my $f (glob '/proc/[0-9]*/stat') {
		open my $fh, '<', $f or next;
		my $l = <$fh> // next;
		my ($pid, $rest) = $l =~ /^(\d+) \(.*\) (.*)$/s or next;
		my @v = split ' ', $rest;	# state ppid ... (fields 3..)
		$parent{$pid} = $v[1];
		$ticks{$pid} = $v[11] + $v[12] + $v[13] + $v[14];
	}
	my %root = map { $s->proc($_) ? ($s->proc($_)->{pid} => $_) : () } @roots;
	my %sum = map { $_ => 0 } @roots;
	for my $pid (keys %ticks) {
		my $p = $pid;
		$p = $parent{$p} while defined $p && !$root{$p} && $p > 1;
		$sum{ $root{$p} } += $ticks{$pid} if defined $p && $root{$p};
	}
	return \%sum;
}

sub wrk {
	my ($url, $hdr, $d) = @_;
	my $h = $hdr ? "-H '$hdr'" : '';
	$d //= $secs;
	my $c0 = cpu();
	my $out = `wrk -t2 -c$conns -d${d}s --latency $h '$url' 2>&1`;
	my $c1 = cpu();
	my ($n) = $out =~ /(\d+) requests in/;
	my %cpu = map { $_ => ($c1->{$_} - $c0->{$_}) / $hz } @roots;
	my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
	my %lat;
	while ($out =~ /^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)/mg) {
		$lat{$1} = $2 * ($3 eq 'us' ? 0.001 : $3 eq 's' ? 1000 : 1);
	}
	my ($non2xx) = $out =~ /Non-2xx or 3xx responses:\s+(\d+)/;
	return { rps => $rps // 0, lat => \%lat, errors => $non2xx // 0, n => $n // 0, cpu => \%cpu };
}

sub median {
	my @v = sort { $a <=> $b } @_;
	return 0 unless @v;
	return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

my $honobase = "http://127.0.0.1:$port";
my @targets = (
	[ health => 'GET /api/health (nginx+fcgi+pg)', "$base/api/health", undef, 'health.fcgi', 'nginx' ],
	[ me => 'GET /api/v1/me (nginx+fcgi+pg)', "$base/api/v1/me", "Cookie: $cookie", 'auth.fcgi', 'nginx' ],
	[ get => 'GET /instances/{id} (nginx+fcgi+pg)', "$base/api/v1/instances/$inst", "Cookie: $cookie", 'instances.fcgi', 'nginx' ],
	[ honome => 'GET /api/v1/me (nginx+Hono+pg)', "$honobase/api/v1/me", "Cookie: $cookie", 'hono', 'nginx-plain' ],
	[ honoget => 'GET /instances/{id} (nginx+Hono+pg)', "$honobase/api/v1/instances/$inst", "Cookie: $cookie", 'hono', 'nginx-plain' ],
);
# the answers first: a bench of refusals would measure nothing
for my $t (@targets) {
	my $out = `curl -s -o /dev/null -w '%{http_code}' ${\ ($t->[3] ? "-H '$t->[3]'" : '') } '$t->[2]'`;
	die "$t->[1] answers $out, not 200\n" unless $out eq '200';
}
# warm up (prepared statements, node's JIT), then the rounds
wrk($_->[2], $_->[3], 2) for @targets;
my (%res, @ratios);
for my $round (1 .. $rounds) {
	my %r;
	$r{$_->[0]} = wrk($_->[2], $_->[3]) for @targets;
	push @{ $res{$_} }, $r{$_} for keys %r;
	push @ratios, { map { my ($n, $d) = @$_; ("$n/$d" => $r{$d}{rps} ? $r{$n}{rps} / $r{$d}{rps} : 0) }
	    [qw(me health)], [qw(get health)], [qw(me honome)], [qw(get honoget)] };
	printf STDERR "round %d: %s\n", $round, join(', ', map { sprintf '%s %.0f', $_->[0], $r{$_->[0]}{rps} } @targets);
}
my $plain = wrk("http://127.0.0.1:$port/");
my $pgb = $s->{pg_bindir} . '/pgbench';
system("$pgb -q -i -s 1 -h '$s->{pgdir}' -U och och >/dev/null 2>&1") == 0 or die "pgbench -i failed";
my $pgout = `$pgb -S -n -c $conns -j 2 -T $secs -h '$s->{pgdir}' -U och och 2>&1`;
my ($tps) = $pgout =~ /tps = ([\d.]+)/;
# the workers' RSS (with -n 1 the binary serves in its own process)
my @rss = map { /(\d+)/ ? $1 : () } map { `ps -o rss= --ppid $_` || `ps -o rss= -p $_` }
    map { $s->proc($_)->{pid} } qw(health.fcgi auth.fcgi instances.fcgi);
my ($rss) = sort { $b <=> $a } @rss;

printf "machine: %s, %d cores; %s\n", `uname -m` =~ s/\s+//r, `nproc` + 0, scalar(localtime);
printf "load average before %s, after %s\n", $load0, loadavg();
printf "load: wrk -t2 -c%d, %d rounds of %d s per target, interleaved; FastCGI -n %d; node cluster of %d\n\n",
    $conns, $rounds, $secs, $workers, $workers;
printf "%-36s %12s %9s %9s %9s\n", 'target (median of the rounds)', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx';
for my $t (@targets) {
	my $l = $res{$t->[0]};
	printf "%-36s %12.0f %9.2f %9.2f %9d\n", $t->[1], median(map { $_->{rps} } @$l),
	    median(map { $_->{lat}{50} // 0 } @$l), median(map { $_->{lat}{99} // 0 } @$l),
	    eval { my $n = 0; $n += $_->{errors} for @$l; $n };
}
printf "%-36s %12.0f %9.2f %9.2f %9d\n", 'nginx return 200', $plain->{rps}, $plain->{lat}{50} // 0, $plain->{lat}{99} // 0, $plain->{errors};
printf "%-36s %12.0f\n", 'pgbench -S (tps)', $tps // 0;
# CPU per request, which the other users of the machine change far less
# than the throughput: the worker (or node), PostgreSQL, nginx, all three
print "\nCPU per request, microseconds (all the rounds together):\n";
printf "%-36s %9s %9s %9s %9s\n", 'target', 'worker', 'postgres', 'nginx', 'total';
my %cpureq;
for my $t (@targets) {
	my ($n, %c) = (0);
	for my $r (@{ $res{$t->[0]} }) {
		$n += $r->{n};
		$c{app} += $r->{cpu}{ $t->[4] };
		$c{pg} += $r->{cpu}{postgres};
		$c{ngx} += $r->{cpu}{ $t->[5] };
	}
	my @us = map { $n ? $_ * 1e6 / $n : 0 } @c{qw(app pg ngx)};
	$cpureq{ $t->[0] } = $us[0] + $us[1] + $us[2];
	printf "%-36s %9.0f %9.0f %9.0f %9.0f\n", $t->[1], @us, $cpureq{ $t->[0] };
}
printf "CPU per request, health / the read: /me %.2f, instance read %.2f; Hono / FastCGI: /me %.2f, instance read %.2f\n",
    map { $cpureq{ $_->[1] } ? $cpureq{ $_->[0] } / $cpureq{ $_->[1] } : 0 } [qw(health me)], [qw(health get)], [qw(honome me)], [qw(honoget get)];
print "\nratios (median of the per-round ratios; each round's in brackets):\n";
for my $k ('me/health', 'get/health', 'me/honome', 'get/honoget') {
	printf "  %-12s %.2f  [%s]\n", $k, median(map { $_->{$k} } @ratios), join(' ', map { sprintf '%.2f', $_->{$k} } @ratios);
}
my $health = median(map { $_->{rps} } @{ $res{health} });
printf "health / nginx-return-200: %.2f\n", $plain->{rps} ? $health / $plain->{rps} : 0;
printf "health / pgbench -S:       %.2f\n", $tps ? $health / $tps : 0;
printf "largest FastCGI worker RSS: %d KiB\n", $rss // 0;
$s->stop_all;
