# The VPS is the customer's (root is theirs), so its agent token is too, and
# what POST /api/v1/agent/report says is an attacker's input.  Its usage
# (ai_usage: one row per instance, day, provider and model, never deleted)
# is kept only for the days the dashboard shows (GET …/ai-usage?days= up to
# 366, UTC) and tomorrow (an agent's clock ahead); at most 64 days a report
# and each day once, so neither the table nor one report's work grows with
# what the body holds.  Before, one report stored a row for every date from
# 0001 to 9999 it named (some 6,000 in a 256 KiB body, each its own
# statement) and another 200 per model of any day.  The report itself is
# still taken whole: health, the day in the window.  And a part of
# another JSON type than the protocol's (pairing_requests an object) is
# refused: stored, it broke the statement that reads it, and the admin's
# page of the instance lost the agent's report.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of magic_login);
use POSIX qw(strftime);

$ENV{OCH_DB_TRACE} = 1;	# the binaries inherit it: round trips per request
my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_api(binaries => [qw(instances agent auth admin settings)]);

my $a = $t->ready_agent(1);
ok($a->{token}, 'an instance whose agent called ready');
my %auth = (Authorization => "Bearer $a->{token}");
sub report { $t->http(POST => '/api/v1/agent/report', headers => \%auth, body => $_[0]) }
sub rows { my ($cond, %v) = @_; $t->psql_one("SELECT count(*) FROM ai_usage WHERE instance_id = :'i'" . ($cond // ''), i => $a->{id}, %v) }
my $seen = 0;
sub trips {	# the round trips of the agent binary's last request
	open my $fh, '<', $t->dir . '/agent.fcgi.log' or die "agent log: $!";
	my @l = grep { /db_trace .*route=\/api\/v1\/agent\/report / } <$fh>;
	close $fh;
	return $l[-1] =~ /round_trips=(\d+)/ ? $1 : -1;
}

my $today = strftime('%Y-%m-%d', gmtime);
my $day = 86400;
my @old = map { strftime('%Y-%m-%d', gmtime(time - (400 + $_) * $day)) } 0 .. 2999;
my @far = map { sprintf '%04d-01-01', $_ } 1 .. 9;

# the attacker's report: 3,000 days before the window, a few far in the
# past, one in the future, and today
my $r = report({ health => { live => \1, ready => \1, failing => [] },
    usage => { daily => [ (map { { date => $_, input => 1, output => 1, totalCost => 0.01 } } @old, @far,
	strftime('%Y-%m-%d', gmtime(time + 30 * $day))), { date => $today, input => 1234, output => 56, totalCost => 0.5 } ] } });
is($r->{status}, 204, 'the report is taken');
is(rows(), 1, 'one usage row stored: the day in the window');
is(rows(" AND day = :'d' AND input_tokens = 1234", d => $today), 1, "today's, as reported");
ok($t->psql_one("SELECT health->>'ready' FROM agent_reports WHERE instance_id = :'i'", i => $a->{id}) eq 'true',
    "and the rest of the report is kept");
cmp_ok(trips(), '<=', 20, 'the days outside the window cost no statement') or diag 'round trips: ' . trips();

# the same day named many times: stored once
$r = report({ usage => { daily => [ map { { date => $today, input => $_, output => 0, totalCost => 0 } } 1 .. 2000 ] } });
is($r->{status}, 204, 'a day named 2,000 times is taken');
cmp_ok(trips(), '<=', 20, 'and written once') or diag 'round trips: ' . trips();
is(rows(" AND day = :'d' AND input_tokens = 1", d => $today), 1, 'its first mention counts');

# a split by model for a day long gone: nothing stored
my @models = map { { date => $old[0], provider => "p$_", model => "m$_", input => 1, output => 1, totalCost => 0 } } 1 .. 200;
$r = report({ usage => { daily => [ { date => $old[0], input => 1, output => 1 } ], models => \@models } });
is($r->{status}, 204, 'a split by model of an old day is taken');
is(rows(" AND day < now() - interval '367 days'"), 0, 'and stores nothing');

# at most 64 days a report: the agent sends two
my @recent = map { strftime('%Y-%m-%d', gmtime(time - $_ * $day)) } 1 .. 100;
$r = report({ usage => { daily => [ map { { date => $_, input => 7, output => 7 } } @recent ] } });
is($r->{status}, 204, 'a report of 100 days in the window is taken');
is(rows(" AND input_tokens = 7"), 64, 'its first 64 days are stored');

# the split still works inside the window (cloud-init/AGENT-PROTOCOL.md)
$r = report({ usage => { daily => [ { date => $today, input => 10, output => 2 } ],
    models => [ { date => $today, provider => 'anthropic', model => 'claude-sonnet-4-5', input => 6, output => 1, totalCost => 0.2 },
	{ date => $today, provider => 'openai', model => 'gpt-5-mini', input => 4, output => 1, totalCost => 0.1 } ] } });
is($r->{status}, 204, 'a split by model of today');
is_deeply([ map { "@$_" } $t->psql("SELECT provider, input_tokens FROM ai_usage WHERE instance_id = :'i' AND day = :'d' ORDER BY provider",
    i => $a->{id}, d => $today) ], [ 'anthropic 6', 'openai 4' ], 'replaces the day by its models');

# the report's parts are read by statements of their own (the admin's
# instance page counts the pairing requests with jsonb_array_length): a
# part of another JSON type than the protocol's is refused, and the last
# good report stays
$t->ochctl('user', 'create-admin', 'ops@example.com');
my $adm = session_of(magic_login($t, 'ops@example.com'));
is(ref $t->http(GET => "/api/v1/admin/instances/$a->{id}", headers => $adm)->{json}{agent_report}, 'HASH',
    "the admin's page of the instance shows its agent's report");
for my $bad ([ pairing_requests => {} ], [ pairing_requests => 'x' ], [ channels => 'x' ], [ health => 7 ],
    [ devices => {} ], [ skills => 'x' ], [ tls => [] ]) {
	my ($k, $v) = @$bad;
	$r = report({ health => { live => \1, ready => \1, failing => [] }, $k => $v });
	is($r->{status}, 400, "$k as " . (ref $v || ($v =~ /^\d+$/ ? 'a number' : 'a string')) . ': 400');
	like($r->{json}{error}{message} // '', qr/\Q$k\E/, '  naming the part');
	my $page = $t->http(GET => "/api/v1/admin/instances/$a->{id}", headers => $adm);
	is(ref $page->{json}{agent_report}, 'HASH', "  and the admin's page still shows the last good report");
}
is(report({ health => { live => \1 }, channels => [ { id => 'telegram' } ] })->{status}, 204,
    'channels as an array (the protocol allows either): taken');
is($t->http(GET => "/api/v1/instances/$a->{id}/pairing", headers => $t->sso_session($a->{id}))->{status}, 200,
    'and the customer their pairing requests');

$t->done_testing;
