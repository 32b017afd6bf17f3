#!/usr/bin/perl
# bench/metrics: C cycles of one `och-poller metrics` process over N
# simulated node_exporters (och-cloudsim, basic auth with the password each
# server got on its ready call), its TLS connections kept between cycles.
# Prints, per cycle, the wall
# time, targets/s, the poller's CPU time (user+sys) and CPU ms per 1,000
# targets, and the rows stored; then the projection against the goal
# (10,000 targets within one 60 s cycle on one core).  Then Debian's
# prometheus scrapes the same exporters and its CPU per 1,000 targets is
# printed beside ours (the goal: ours no more than Prometheus's).
#   OCH_SRCDIR=$PWD OCH_BUILDDIR=$PWD/build perl -It/lib bench/metrics/run.pl [N] [cycles] [concurrency]
use strict;
use warnings;
use OCH::Stack;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $N = shift // 1000;
my $cycles = shift // 3;
my $conc = shift // 500;
my $s = OCH::Stack->new;
$s->start_pg;
start_fast_sim($s, '--rate-limit', '100000000', '--server-limit', '1000000');
my ($api) = fake_api($s, 'fakeapi');	# ready answer: password "ne-secret-pass"

# N servers, booted, exporters up
my $t0 = time;
my %ip;
for my $i (1 .. $N) {
	# the control plane's user-data (vps.env): och-setup's exporter key, TLS
	my $r = create_server($s, name => "bench-$i", user_data => user_data(api => $api,
	    token => sprintf('tok-%06d-0123456789', $i),
	    extra => "  - path: /etc/och/vps.env\n    content: \"OCH_FQDN=bench-$i.och.test\\n\"\n"));
	die "create failed: $r->{status}\n" unless $r->{status} == 201;
	$ip{$i} = $r->{json}{server}{public_net}{ipv4}{ip};
}
$s->wait_for(sub { simctl($s, 'GET', '/health')->{ready_ok} == $N }, timeout => 300)
    or die "not all servers booted\n";
printf "%d simulated servers up in %.1f s\n", $N, time - $t0;

# N active instances with their sealed passwords and exporter pins (the
# pins each server's ready call carried, read back from the simulator)
my %pin = map { $_->{name} =~ /^bench-(\d+)$/ ? ($1, $_->{exporter}{pin}) : () }
    @{ simctl($s, 'GET', '/servers')->{servers} };
my $uid = $s->psql_one(q{INSERT INTO users (email) VALUES ('bench@example.test') RETURNING id});
my $sql = "INSERT INTO instances (slug, user_id, plan, region, state, ipv4, exporter_pin) VALUES\n"
    . join(",\n", map { sprintf "('bench-%06d', %d, 'starter', 'eu-helsinki', 'active', '%s', '%s')",
	$_, $uid, $ip{$_}, $pin{$_} } 1 .. $N);
$s->psql($sql);
my @ids = map { $_->[0] } $s->psql(q{SELECT id FROM instances ORDER BY slug});
open my $fh, '>', $s->dir . '/secrets.sql' or die $!;
for my $id (@ids) {
	my $v = $s->seal("instance_secrets:$id:node_exporter_password", 'ne-secret-pass');
	print $fh "INSERT INTO instance_secrets (instance_id, name, value_enc) VALUES ('$id', 'node_exporter_password', '$v'::bytea);\n";
}
close $fh;
system("$s->{pg_bindir}/psql -X -q -h '$s->{pgdir}' -U och -d och -f '" . $s->dir . "/secrets.sql'") == 0
    or die "secrets insert failed\n";
$s->write_config(METRICS_CONCURRENCY => $conc);

my $log = $s->dir . '/poller-metrics.log';
my @res;
# one poller process runs every cycle (METRICS_INTERVAL_SECONDS apart, its
# connections kept between them, as deploy/och-poller.cron runs it); the
# CPU of a cycle is the process's utime+stime from the end of the previous
# cycle (its log line) to the end of this one, alerts included
my $interval = $ENV{OCH_BENCH_INTERVAL} // 5;
my $w0 = time;
my $pid = fork // die;
if (!$pid) {
	open STDOUT, '>>', $log; open STDERR, '>&', \*STDOUT;
	%ENV = (%ENV, $s->env, METRICS_INTERVAL_SECONDS => $interval,
	    POLLER_RUN_SECONDS => $interval * ($cycles - 1) + 2);
	# OCH_BENCH_WRAP: a profiler to run it under, e.g. "perf record -o F --"
	exec split(' ', $ENV{OCH_BENCH_WRAP} // ''), $s->bin('poller/och-poller'), 'metrics' or exit 127;
}
my $cpu_prev = 0;
my $seen = 0;
while ($seen < $cycles) {
	my @sums;
	if (open my $lf, '<', $log) {	# the child may not have made it yet
		@sums = grep { /metrics: \d+ targets/ } <$lf>;
		close $lf;
	}
	if (@sums > $seen) {
		my $cpu_now = proc_cpu($pid);
		my $sum = $sums[$seen++];
		my ($tg, $up, $rows, $ms) = $sum =~ /(\d+) targets, (\d+) up, \d+ down, (\d+) rows stored in (\d+) ms/;
		my $cpu = $cpu_now - $cpu_prev;
		$cpu_prev = $cpu_now;
		push @res, { cpu => $cpu, up => $up, rows => $rows, ms => $ms };
		printf "cycle %d: %d targets, %d up, %d rows, %d ms (poller's own clock), %.0f targets/s, CPU %.2f s = %.0f ms per 1,000 targets%s\n",
		    $seen, $tg, $up, $rows, $ms, $tg / ($ms / 1000 || 1), $cpu, 1e6 * $cpu / $N,
		    $seen == 1 ? ' (new connections; the process start)' : ' (kept connections)';
		next;
	}
	if (waitpid($pid, WNOHANG) == $pid) {	# a cycle longer than the interval
		print "the poller ended after $seen cycles\n";
		last;
	}
	sleep 0.05;
}
waitpid($pid, 0) if $seen == $cycles;
printf "poller exit %d after %d cycles in %.0f s\n", $? >> 8, $cycles, time - $w0;
shift @res if @res > 1;	# steady state: the cycles over kept connections
my ($best) = sort { $a->{ms} <=> $b->{ms} } @res;
my $cpu_per_1k = (sort { $a <=> $b } map { $_->{cpu} / $N * 1000 } @res)[int(@res / 2)];
printf "best cycle: %d ms for %d targets (%.0f targets/s); median CPU %.2f s per 1,000 targets (after the first cycle)\n",
    $best->{ms}, $N, $N / ($best->{ms} / 1000), $cpu_per_1k;
printf "projection: 10,000 targets need %.1f s of poller CPU per cycle (budget: 60 s on one core)\n",
    $cpu_per_1k * 10;
print "rows in metrics: ", $s->psql_one('SELECT count(*) FROM metrics'), "\n";

# ---- the reference: Debian's prometheus scraping the same N exporters
# (same basic auth over TLS -- without a pin, prometheus cannot pin a key
# -- gzip as both ask for it), once storing everything it
# scrapes (its default) and once keeping only the series our whitelist
# reads (metric_relabel_configs), as like for like.  CPU is the prometheus
# process's own (utime+stime from /proc) over a window of whole scrape
# intervals after a warm-up; scrapes are counted by prometheus itself
# (count_over_time(up[window])).  OCH_BENCH_PROM=0 skips this part.
my @ours = map { 1e6 * $_->{cpu} / $N } @res;
my $ours = (sort { $a <=> $b } @ours)[int(@ours / 2)];
my $prom = $ENV{OCH_BENCH_PROM} // 1;
my $pbin = `command -v prometheus 2>/dev/null` =~ s/\s+$//r;
if ($prom && !$pbin) {
	print "prometheus not installed (apt-get install --no-install-recommends prometheus): reference skipped\n";
	$prom = 0;
}
my %ref;
if ($prom) {
	# the series lib/met.c derives its whitelist from (see lib/met.h)
	my $keep = 'node_(cpu_seconds_total|load1|memory_(MemTotal|MemAvailable|MemFree|Buffers|Cached)_bytes'
	    . '|filesystem_(size|avail)_bytes|network_(receive|transmit)_bytes_total|boot_time_seconds)';
	for my $mode ('all series', 'whitelist only') {
		$ref{$mode} = prom_ref($mode eq 'whitelist only' ? $keep : undef);
		printf "prometheus (%s): %d scrapes in %.0f s, CPU %.2f s = %.0f ms per 1,000 targets scraped; RSS %.0f MiB\n",
		    $mode, $ref{$mode}{scrapes}, $ref{$mode}{window}, $ref{$mode}{cpu}, $ref{$mode}{per1k}, $ref{$mode}{rss} / 1024;
	}
	printf "CPU per 1,000 targets: och-poller %.0f ms (median cycle after the first), prometheus %.0f ms (all series), %.0f ms (whitelist only)\n",
	    $ours, $ref{'all series'}{per1k}, $ref{'whitelist only'}{per1k};
	printf "ratio och-poller / prometheus: %.2f (all series), %.2f (whitelist only)\n",
	    $ours / $ref{'all series'}{per1k}, $ours / $ref{'whitelist only'}{per1k};
}
$s->stop_all;

sub proc_cpu {		# utime + stime of pid, in seconds
	my ($pid) = @_;
	open my $fh, '<', "/proc/$pid/stat" or return 0;
	my @f = split ' ', (<$fh> =~ s/^.*\)\s//r);
	return ($f[11] + $f[12]) / 100;	# fields 14 and 15, in clock ticks (USER_HZ = 100)
}

sub proc_rss {		# VmRSS of pid in KiB
	my ($pid) = @_;
	open my $fh, '<', "/proc/$pid/status" or return 0;
	for (<$fh>) { return $1 if /^VmRSS:\s+(\d+)/ }
	return 0;
}

sub prom_ref {
	my ($keep) = @_;
	my $interval = $ENV{OCH_BENCH_PROM_INTERVAL} // 10;
	my $rounds = $ENV{OCH_BENCH_PROM_ROUNDS} // 3;
	my $dir = $s->dir . '/prometheus-' . ($keep ? 'keep' : 'all');
	mkdir $dir;
	open my $pw, '>', "$dir/pass" or die; print $pw 'ne-secret-pass'; close $pw;
	open my $cf, '>', "$dir/prometheus.yml" or die;
	print $cf "global:\n  scrape_interval: ${interval}s\n  scrape_timeout: 5s\n"
	    . "scrape_configs:\n  - job_name: node\n    scheme: https\n"
	    . "    tls_config:\n      insecure_skip_verify: true\n"
	    . "    basic_auth:\n      username: och\n      password_file: $dir/pass\n"
	    . ($keep ? "    metric_relabel_configs:\n      - source_labels: [__name__]\n"
		. "        regex: '$keep'\n        action: keep\n" : '')
	    . "    static_configs:\n      - targets:\n"
	    . join('', map { "          - '$ip{$_}:9100'\n" } sort { $a <=> $b } keys %ip);
	close $cf;
	my $port = OCH::Stack::free_port();
	my $p = $s->spawn(name => 'prometheus-' . ($keep ? 'keep' : 'all'), ready_port => $port, cmd => [ $pbin,
	    "--config.file=$dir/prometheus.yml", "--storage.tsdb.path=$dir/data",
	    "--web.listen-address=127.0.0.1:$port", '--log.level=warn' ]);
	sleep $interval + 2;	# warm-up: every target scraped once, series created
	my ($c0, $w0) = (proc_cpu($p->{pid}), time);
	sleep $interval * $rounds;
	my ($c1, $w1) = (proc_cpu($p->{pid}), time);
	my $rss = proc_rss($p->{pid});
	my $win = int($w1 - $w0);
	my $r = $s->http(GET => "http://127.0.0.1:$port/api/v1/query?query=sum(count_over_time(up[${win}s]))");
	my $scrapes = $r->{json}{data}{result}[0]{value}[1] // 0;
	my $up = $s->http(GET => "http://127.0.0.1:$port/api/v1/query?query=sum(up)")->{json}{data}{result}[0]{value}[1] // 0;
	$s->stop($p);
	print "prometheus: $up of $N targets up\n" if $up < $N;
	return { cpu => $c1 - $c0, window => $w1 - $w0, scrapes => $scrapes, rss => $rss,
	    per1k => $scrapes ? 1e6 * ($c1 - $c0) / $scrapes : 0 };
}
