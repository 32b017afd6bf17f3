# Structured logs: with OCH_LOG_FORMAT=json every log line of a FastCGI
# binary and of the poller is one JSON object {"ts","level","prog","req",
# "msg"} (quotes and backslashes escaped in lib/log.c).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use JSON::PP;

my $t = OCH::Test->new;
$t->start_pg;
local $ENV{OCH_LOG_FORMAT} = 'json';	# inherited by what the harness starts
$t->start_api(binaries => [qw(health)]);
my $r = $t->http(GET => '/api/health');
is($r->{status}, 200, 'health answers');
my $out = $t->_capture([ $t->bin('poller/och-poller'), 'maintain' ], \my $err, $t->env, OCH_LOG_FORMAT => 'json');
is($? >> 8, 0, 'a maintain run');
$t->stop('health.fcgi');
my $flog = do { local (@ARGV, $/) = ($t->dir . '/health.fcgi.log'); <> } // '';
my @lines = grep { length } split /\n/, "$flog$err";
cmp_ok(scalar @lines, '>=', 3, 'log lines from both programs') or diag "$flog$err";
my $bad = 0;
my %progs;
for my $l (@lines) {
	my $j = eval { decode_json($l) };
	if (!$j || ref $j ne 'HASH' || grep { !defined $j->{$_} } qw(ts level prog req msg)) {
		$bad++;
		diag "not a JSON log line: $l";
		next;
	}
	$progs{ $j->{prog} }++;
}
is($bad, 0, 'every line is one JSON object with ts, level, prog, req, msg');
ok($progs{health} && $progs{'och-poller'}, 'from health.fcgi and och-poller') or diag explain \%progs;
$t->done_testing;
