# GET /api/health through nginx with the shipped config, and nginx's own
# answers for what no binary serves.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => ['health']);

my $r = $t->http(GET => '/api/health');
is($r->{status}, 200, 'health answers 200');
is($r->{json}{status}, 'ok', 'status ok');
is($r->{json}{db}, 'ok', 'db ok');
my ($latest) = sort { $b <=> $a } map { m{/(\d{3})_[^/]+\.sql$} ? $1 + 0 : () } glob($t->src('schema') . '/*.sql');
is($r->{json}{schema}, $latest, "schema version is the newest file ($latest)");
ok(exists $r->{json}{poller_age_s} && !defined $r->{json}{poller_age_s}, 'no poller has run yet: poller_age_s null');
like($r->{json}{version}, qr/^\d+\.\d+\.\d+/, 'version reported');
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'nosniff header');
is($r->{headers}{'cache-control'}, 'no-store', 'no-store header');
like($r->{headers}{'x-request-id'} // '', qr/^[0-9a-f]{32}$/, 'nginx request id passed through');

$t->psql("INSERT INTO poller_heartbeats (mode, host, pid, beat_at) VALUES ('provision', 'h1', 1, now() - interval '42 seconds')");
$r = $t->http(GET => '/api/health');
ok($r->{json}{poller_age_s} >= 42 && $r->{json}{poller_age_s} < 60, 'poller age from the newest heartbeat');

$r = $t->http(POST => '/api/health', body => {});
is($r->{status}, 405, 'POST /api/health is 405');
is($r->{headers}{allow}, 'GET', 'Allow: GET');
is($r->{json}{error}{code}, 'method_not_allowed', 'error shape with stable code');

$r = $t->http(GET => '/api/nothing-here');
is($r->{status}, 404, 'unknown /api path is 404');
is($r->{json}{error}{code}, 'not_found', '404 keeps the error shape');

$t->allow_log(qr/instances\.sock failed/);
$r = $t->http(GET => '/api/v1/instances');
is($r->{status}, 503, 'a binary that is not running answers 503');
is($r->{json}{error}{code}, 'unavailable', '503 keeps the error shape');

$r = $t->http(GET => '/');
is($r->{status}, 200, 'dashboard index served');
like($r->{content}, qr/<!doctype html>/i, 'dashboard is html');
$r = $t->http(GET => '/some/client/route');
is($r->{status}, 200, 'client-side routes fall back to index.html');
is($r->{headers}{'x-frame-options'}, 'DENY', 'dashboard security headers');

# the VPS fetches its setup script and agent from here at first boot
$r = $t->http(GET => '/vps/och-agent');
is($r->{status}, 200, 'och-agent served for the VPS');
like($r->{content}, qr/^#!/, 'a script');
is($t->http(GET => '/vps/och-setup')->{status}, 200, 'och-setup served');
is($t->http(GET => '/vps/other')->{status}, 404, 'nothing else under /vps');

$t->done_testing;
