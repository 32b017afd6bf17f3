# PostgreSQL stopped and restarted under a running health worker: an
# answer (503, not a hung request) while it is away, 200 again after, from
# the same process. How fast the 503 comes is noted, never asserted.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use Time::HiRes qw(time);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => ['health']);
my $pid = $t->proc('health.fcgi')->{pid};

is($t->http(GET => '/api/health')->{status}, 200, 'healthy first');

$t->pg_stop('INT');
my $t0 = time;
my $r = $t->http(GET => '/api/health');
my $took = time - $t0;
is($r->{status}, 503, 'database down: 503');
is($r->{json}{db}, 'down', 'db reported down');
is($r->{json}{status}, 'unavailable', 'status unavailable');
note(sprintf('the 503 took %.3f s', $took));
is($t->http(GET => '/api/health')->{status}, 503, 'still 503 on the next request');

$t->pg_start;
$r = $t->http(GET => '/api/health');
is($r->{status}, 200, 'first request after restart succeeds');
is($r->{json}{db}, 'ok', 'db ok again');
ok(kill(0, $pid), 'same worker process still running');
is($t->proc('health.fcgi')->{pid}, $pid, 'no restart of the worker');

# a restart without any request during the outage: the stale connection
# is noticed before the statement is sent
$t->pg_stop('INT');
$t->pg_start;
$r = $t->http(GET => '/api/health');
is($r->{status}, 200, 'stale connection after an unseen restart is replaced');

# an immediate (crash-like) stop
$t->pg_stop('QUIT');
is($t->http(GET => '/api/health')->{status}, 503, 'crashed database: 503');
$t->pg_start;
is($t->http(GET => '/api/health')->{status}, 200, 'recovered after crash restart');

$t->done_testing;
