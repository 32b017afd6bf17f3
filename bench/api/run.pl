#!/usr/bin/perl
# bench/api: GET /api/health through nginx + health.fcgi + PostgreSQL,
# against two baselines measured in the same run on the same machine:
# nginx's own `return 200` and `pgbench -S` (one indexed read per
# transaction).  Prints requests/s, latency percentiles, the ratios, and
# the worker's RSS after the load.
#   OCH_BUILDDIR=build perl -It/lib bench/api/run.pl [seconds] [connections] [workers]
use strict;
use warnings;
use OCH::Stack;

my $secs = shift // 10;
my $conns = shift // 64;
my $workers = shift // 4;
my $s = OCH::Stack->new;
$s->start_pg;
my $base = $s->start_api(binaries => ['health'], workers => $workers);

# baseline 1: nginx alone answering from memory
my $port = OCH::Stack::free_port();
my $d = $s->dir;
open my $fh, '>', "$d/plain.conf" or die $!;
print $fh <<"EOC";
worker_processes 2; pid $d/plain.pid; error_log $d/plain-error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$port;
  location / { default_type application/json; return 200 '{"status":"ok"}'; } } }
EOC
close $fh;
$s->spawn(name => 'nginx-plain', cmd => [ 'nginx', '-p', $d, '-c', "$d/plain.conf", '-g', 'daemon off;' ],
    ready_port => $port);

sub wrk {
	my ($url) = @_;
	my $out = `wrk -t2 -c$conns -d${secs}s --latency '$url' 2>&1`;
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
my $plain = wrk("http://127.0.0.1:$port/");
my $pgb = $s->{pg_bindir} . '/pgbench';
system("$pgb -q -i -s 1 -h '$s->{pgdir}' -U och och >/dev/null 2>&1") == 0 or die "pgbench -i failed";
my $pgout = `$pgb -S -n -c $conns -j 2 -T $secs -h '$s->{pgdir}' -U och och 2>&1`;
my ($tps) = $pgout =~ /tps = ([\d.]+)/;
my $pid = $s->proc('health.fcgi')->{pid};
my @rss = map { /(\d+)/ ? $1 : () } `ps -o rss= --ppid $pid`;
my ($rss) = sort { $b <=> $a } @rss;

printf "machine: %s, %d cores; %s\n", `uname -m` =~ s/\s+//r, `nproc` + 0, scalar(localtime);
printf "load: wrk -t2 -c%d -d%ds; health.fcgi -n %d\n\n", $conns, $secs, $workers;
printf "%-34s %12s %9s %9s %9s\n", 'target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx';
printf "%-34s %12.0f %9.2f %9.2f %9d\n", 'GET /api/health (nginx+fcgi+pg)', $health->{rps}, $health->{lat}{50} // 0, $health->{lat}{99} // 0, $health->{errors};
printf "%-34s %12.0f %9.2f %9.2f %9d\n", 'nginx return 200', $plain->{rps}, $plain->{lat}{50} // 0, $plain->{lat}{99} // 0, $plain->{errors};
printf "%-34s %12.0f\n", 'pgbench -S (tps)', $tps // 0;
printf "\nratio health / nginx-return-200: %.2f\n", $plain->{rps} ? $health->{rps} / $plain->{rps} : 0;
printf "ratio health / pgbench -S:       %.2f\n", $tps ? $health->{rps} / $tps : 0;
printf "largest health.fcgi worker RSS:  %d KiB\n", $rss // 0;
$s->stop_all;
