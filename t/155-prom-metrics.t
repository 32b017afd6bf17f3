# The control plane's Prometheus exposition (GET /internal/metrics through
# the shipped nginx config): per-route request counters and latency from
# every FastCGI binary's shared counters (summed over prefork workers),
# the poller's provider requests and rate-limit budgets (kept across
# runs), the fleet's state from the database; `promtool check metrics`
# accepts it; nginx refuses it to a non-loopback address; the shipped
# scrape config and alert rules pass `promtool check config|rules`.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use IO::Socket::INET;

my $t = OCH::Test->new;
$t->start_pg;
my $stats = $t->dir . '/stats';
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.2', '--action-delay', '0.2');
$t->start_api(binaries => [qw(health instances agent auth)], workers => 2,
    config => { OCH_STATS_DIR => $stats, BOOT_TIMEOUT => 20, POLLER_BACKOFF_MS => 200 });

sub scrape {
	my $r = $t->http(GET => '/internal/metrics');
	is($r->{status}, 200, 'GET /internal/metrics') or diag $r->{content};
	return $r;
}
sub value {
	my ($text, $series) = @_;
	return $text =~ /^\Q$series\E (\S+)$/m ? $1 : undef;
}

# traffic: 7 health reads, 3 refused /me, 2 unrouted
$t->http(GET => '/api/health') for 1 .. 7;
$t->http(GET => '/api/v1/me') for 1 .. 3;
my $r = scrape();
like($r->{headers}{'content-type'} // '', qr{^text/plain; version=0\.0\.4}, 'Prometheus text content type');
my $m = $r->{content};
is(value($m, 'och_http_requests_total{program="health",method="GET",route="/api/health",code="2xx"}'), 7,
    'seven health reads counted, summed over both workers');
is(value($m, 'och_http_requests_total{program="auth",method="GET",route="/api/v1/me",code="4xx"}'), 3,
    'three refused /me reads counted as 4xx');
is(value($m, 'och_http_request_duration_seconds_count{program="health",method="GET",route="/api/health"}'), 7,
    'the latency histogram counted them too');
is(value($m, 'och_http_request_duration_seconds_bucket{program="health",method="GET",route="/api/health",le="+Inf"}'), 7,
    'and its +Inf bucket holds them all');
is(value($m, 'och_db_up'), 1, 'och_db_up 1');
unlike($m, qr/token|secret|password/i, 'no secret-looking words in the exposition');

# an order, provisioned by a poller run: provider requests, budgets, fleet
my $o = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4242, whmcs_client_id => 77,
    email => 'metrics@example.test', plan => 'starter', region => 'eu-helsinki' });
is($o->{status}, 201, 'order accepted');
use POSIX qw(WNOHANG);
sub ended { my $p = shift; $p->{dead} ||= waitpid($p->{pid}, WNOHANG) == $p->{pid}; $p->{dead} }
my $poll = sub {
	$t->spawn(name => "poller-$_[0]", cmd => [ $t->bin('poller/och-poller'), 'provision' ],
	    env => { $t->env, POLLER_RUN_SECONDS => $_[1] });
};
my $pa = $poll->('a', 8);
ok($t->wait_for(sub { $t->psql_one("SELECT state FROM instances") eq 'active' }, timeout => 30),
    'the order went active');
ok($t->wait_for(sub { ended($pa) }, timeout => 40), 'the poller run ended');
$m = scrape()->{content};
my $hz = value($m, 'och_upstream_requests_total{program="och-poller-provision",provider="hetzner",code="2xx"}');
ok(defined $hz && $hz >= 1, 'the poller counted its Hetzner requests') or diag $m;
ok(defined value($m, 'och_provider_ratelimit_remaining{provider="hetzner"}'), "Hetzner's budget as last seen");
cmp_ok(value($m, 'och_provider_ratelimit_reset_timestamp_seconds{provider="hetzner"}') // 0, '>', time - 60,
    'and when it is full again (UNIX time)');
ok(defined value($m, 'och_poller_last_run_seconds{mode="provision"}'), "the run's length");
is(value($m, 'och_instances{state="active"}'), 1, 'one active instance');
is(value($m, 'och_provision_queue_depth'), 0, 'nothing queued');
like($m, qr/^och_poller_heartbeat_age_seconds\{mode="provision",host="[^"]+"\} \d/m, 'the poller heartbeat');
like($m, qr/^och_outbox_pending\{outbox="email"\} \d+$/m, 'the email outbox backlog');

# a second run keeps counting where the first stopped
$t->signed(POST => '/api/v1/instances/' . $o->{json}{id} . '/suspend', {});
my $pb = $poll->('b', 3);
ok($t->wait_for(sub { ended($pb) }, timeout => 30), 'a second run ended');
$m = scrape()->{content};
my $hz2 = value($m, 'och_upstream_requests_total{program="och-poller-provision",provider="hetzner",code="2xx"}');
cmp_ok($hz2 // 0, '>', $hz // 0, 'the counter went on growing across runs');

# promtool accepts it
my $file = $t->dir . '/scrape.txt';
open my $fh, '>', $file or die $!; print $fh $m; close $fh;
my $out = $t->_capture([ 'sh', '-c', "promtool check metrics < '$file'" ], \my $err);
is($?, 0, 'promtool check metrics accepts the exposition') or diag "$out$err";

# a dead binary's file goes; the others stay
$t->stop('health');
$t->start_fcgi('health');
$m = scrape()->{content};
my $n = () = $m =~ /^och_http_requests_total\{program="health",method="GET",route="\/api\/health",code="2xx"\}/mg;
is($n, 1, 'one series per route after a restart (the dead process is not summed twice)');

# nginx: only loopback and the allow list
my $port = ($t->base_url =~ /:(\d+)$/)[0];
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, LocalAddr => '127.0.0.2', Proto => 'tcp');
ok($s, 'a connection from 127.0.0.2');
if ($s) {
	print $s "GET /internal/metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
	my $line = <$s>;
	like($line // '', qr/^HTTP\/1\.1 403/, 'another address is refused the exposition');
}

# the shipped scrape config and rules
my $dir = $t->src('deploy/prometheus');
$out = $t->_capture([ 'promtool', 'check', 'config', "$dir/och-scrape.yml" ], \$err);
is($?, 0, 'promtool check config deploy/prometheus/och-scrape.yml') or diag "$out$err";
$out = $t->_capture([ 'promtool', 'check', 'rules', "$dir/och-rules.yml" ], \$err);
is($?, 0, 'promtool check rules deploy/prometheus/och-rules.yml') or diag "$out$err";
like($out, qr/SUCCESS: (\d+) rules/, 'rules found');
$t->done_testing;
