#!/usr/bin/perl
# bench/api: GET /api/health (one PostgreSQL read, no auth),
# GET /api/v1/me (session cookie: JWT + session row + user + instances) and
# GET /api/v1/instances/{id} (the same check + the instance + its events,
# and its audit record)
# through nginx + the FastCGI workers + PostgreSQL, against baselines
# measured in the same run on the same machine: nginx's own `return 200`,
# `pgbench -S` (one indexed read per transaction), and the same two
# reads written in Hono + node-postgres behind the same nginx
# (bench/api/hono, as many node processes as FastCGI workers).  Prints
# requests/s, latency percentiles, the ratios, and the workers' RSS.
#   OCH_BUILDDIR=build perl -It/lib bench/api/run.pl [seconds] [connections] [workers]
use strict;
use warnings;
use OCH::Stack;
use OCH::Login qw(session_of sso_login);

my $secs = shift // 10;
my $conns = shift // 64;
my $workers = shift // 4;
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
my $nport = OCH::Stack::free_port();
$s->spawn(name => 'hono', cmd => [ 'node', "$hono/server.mjs" ], ready_port => $nport,
    env => { PORT => $nport, WORKERS => $workers, JWT_SECRET => $s->config->{JWT_SECRET}, SESSION_COOKIE => OCH::Login::cookie_name('session'),
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

sub wrk {
	my ($url, $hdr) = @_;
	my $h = $hdr ? "-H '$hdr'" : '';
	my $out = `wrk -t2 -c$conns -d${secs}s --latency $h '$url' 2>&1`;
	my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
	my %lat;
	while ($out =~ /^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)/mg) {
		$lat{$1} = $2 * ($3 eq 'us' ? 0.001 : $3 eq 's' ? 1000 : 1);
	}
	my ($non2xx) = $out =~ /Non-2xx or 3xx responses:\s+(\d+)/;
	return { rps => $rps // 0, lat => \%lat, errors => $non2xx // 0 };
}

# warm up, then measure
wrk("$base/api/health");
my $health = wrk("$base/api/health");
wrk("$base/api/v1/me", "Cookie: $cookie");
my $me = wrk("$base/api/v1/me", "Cookie: $cookie");
wrk("$base/api/v1/instances/$inst", "Cookie: $cookie");
my $get = wrk("$base/api/v1/instances/$inst", "Cookie: $cookie");
wrk("http://127.0.0.1:$port/api/v1/me", "Cookie: $cookie");
my $honome = wrk("http://127.0.0.1:$port/api/v1/me", "Cookie: $cookie");
my $honoget = wrk("http://127.0.0.1:$port/api/v1/instances/$inst", "Cookie: $cookie");
my $plain = wrk("http://127.0.0.1:$port/");
my $pgb = $s->{pg_bindir} . '/pgbench';
system("$pgb -q -i -s 1 -h '$s->{pgdir}' -U och och >/dev/null 2>&1") == 0 or die "pgbench -i failed";
my $pgout = `$pgb -S -n -c $conns -j 2 -T $secs -h '$s->{pgdir}' -U och och 2>&1`;
my ($tps) = $pgout =~ /tps = ([\d.]+)/;
my @rss = map { /(\d+)/ ? $1 : () } map { `ps -o rss= --ppid $_` } map { $s->proc($_)->{pid} } qw(health.fcgi auth.fcgi instances.fcgi);
my ($rss) = sort { $b <=> $a } @rss;

printf "machine: %s, %d cores; %s\n", `uname -m` =~ s/\s+//r, `nproc` + 0, scalar(localtime);
printf "load: wrk -t2 -c%d -d%ds; FastCGI -n %d; node cluster of %d\n\n", $conns, $secs, $workers, $workers;
printf "%-34s %12s %9s %9s %9s\n", 'target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx';
printf "%-34s %12.0f %9.2f %9.2f %9d\n", 'GET /api/health (nginx+fcgi+pg)', $health->{rps}, $health->{lat}{50} // 0, $health->{lat}{99} // 0, $health->{errors};
printf "%-34s %12.0f %9.2f %9.2f %9d\n", 'GET /api/v1/me (nginx+fcgi+pg)', $me->{rps}, $me->{lat}{50} // 0, $me->{lat}{99} // 0, $me->{errors};
printf "%-34s %12.0f %9.2f %9.2f %9d\n", 'GET /instances/{id} (nginx+fcgi+pg)', $get->{rps}, $get->{lat}{50} // 0, $get->{lat}{99} // 0, $get->{errors};
printf "%-34s %12.0f %9.2f %9.2f %9d\n", 'GET /api/v1/me (nginx+Hono+pg)', $honome->{rps}, $honome->{lat}{50} // 0, $honome->{lat}{99} // 0, $honome->{errors};
printf "%-34s %12.0f %9.2f %9.2f %9d\n", 'GET /instances/{id} (nginx+Hono+pg)', $honoget->{rps}, $honoget->{lat}{50} // 0, $honoget->{lat}{99} // 0, $honoget->{errors};
printf "%-34s %12.0f %9.2f %9.2f %9d\n", 'nginx return 200', $plain->{rps}, $plain->{lat}{50} // 0, $plain->{lat}{99} // 0, $plain->{errors};
printf "%-34s %12.0f\n", 'pgbench -S (tps)', $tps // 0;
printf "\nratio health / nginx-return-200: %.2f\n", $plain->{rps} ? $health->{rps} / $plain->{rps} : 0;
printf "ratio health / pgbench -S:       %.2f\n", $tps ? $health->{rps} / $tps : 0;
printf "ratio /me / health:              %.2f\n", $health->{rps} ? $me->{rps} / $health->{rps} : 0;
printf "ratio /instances/{id} / health:  %.2f\n", $health->{rps} ? $get->{rps} / $health->{rps} : 0;
printf "ratio /me fcgi / Hono:           %.2f\n", $honome->{rps} ? $me->{rps} / $honome->{rps} : 0;
printf "ratio /instances/{id} fcgi/Hono: %.2f\n", $honoget->{rps} ? $get->{rps} / $honoget->{rps} : 0;
printf "largest FastCGI worker RSS:      %d KiB\n", $rss // 0;
$s->stop_all;
