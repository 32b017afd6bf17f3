# What one customer can make their instance's queue hold.  Before, a
# customer queued pairing and device approvals (commands for their agent)
# and "take a backup now" (an archive of up to BACKUP_MAX_MB in the
# operator's bucket) without any limit.  Now, per instance:
#   - at most ENT_COMMAND_PENDING_MAX (10) commands queued or running: the
#     next is 429 with Retry-After and nothing is stored; another
#     instance is not affected; the agent running one frees a place;
#   - one backup on demand at a time (429 while one is being made, no
#     Retry-After: only its end helps) and BAK_MANUAL_PER_HOUR (6) within
#     an hour (429 with Retry-After up to an hour).
# Everything goes the customer's way (a session from WHMCS's SSO, through
# nginx) and the agent's (its token: it takes its commands, answers them
# and uploads the archives); the database is only read, to assert.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of sso_login);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_s3;
$t->start_api(binaries => [qw(instances agent settings auth backups)]);

my $a = $t->ready_agent(1);
my $b = $t->ready_agent(2);
my %ag = (Authorization => "Bearer $a->{token}");
my $ca = session_of(sso_login($t, $a->{id}));
my $cb = session_of(sso_login($t, $b->{id}));
sub pending { $t->psql_one("SELECT count(*) FROM instance_commands WHERE instance_id = :'i'
	AND status IN ('queued', 'running')", i => $_[0]) }
sub approve {
	my ($inst, $s, $n) = @_;
	return $t->http(POST => "/api/v1/instances/$inst/pairing/approve", headers => $s,
	    body => { channel => 'telegram', code => sprintf('CODE%04d', $n) });
}

# ---- commands: ten wait, the eleventh is refused
for my $n (1 .. 10) {
	my $r = approve($a->{id}, $ca, $n);
	is($r->{status}, 202, "approval $n is queued") or diag $r->{content};
}
my $r = approve($a->{id}, $ca, 11);
is($r->{status}, 429, 'the eleventh: 429');
is($r->{json}{error}{code}, 'rate_limited', 'rate_limited');
like($r->{json}{error}{message}, qr/10 commands are already waiting/, 'saying why');
my $ra = $r->{headers}{'retry-after'} // '';
ok($ra =~ /^\d+$/ && $ra >= 1 && $ra <= 360, "Retry-After: when the oldest is over ($ra s)");
is(pending($a->{id}), 10, 'nothing more stored');
$r = $t->http(POST => "/api/v1/instances/$a->{id}/devices/approve", headers => $ca, body => { request_id => 'req-1' });
is($r->{status}, 429, 'a device approval shares the queue: 429');
is($t->psql_one("SELECT count(*) FROM instance_commands WHERE instance_id = :'i' AND args->>'code' = 'CODE0011'",
    i => $a->{id}), 0, 'the refused approval is not queued');

# another instance's customer is not affected
is(approve($b->{id}, $cb, 1)->{status}, 202, "another instance's approval is queued");

# the agent takes its commands and answers one: a place is free again
$r = $t->http(GET => '/api/v1/agent/commands?wait=0', headers => \%ag);
my @cmds = @{ $r->{json}{commands} // [] };
is(scalar @cmds, 10, 'the agent takes the ten');
is($t->http(POST => "/api/v1/agent/commands/$cmds[0]{id}", headers => \%ag,
    body => { status => 'ok', output => {} })->{status}, 204, 'and answers one');
is(approve($a->{id}, $ca, 12)->{status}, 202, 'then one more is queued');
is(approve($a->{id}, $ca, 13)->{status}, 429, 'and the next is refused again');
# the agent runs the rest
$r = $t->http(GET => '/api/v1/agent/commands?wait=0', headers => \%ag);
for my $c (@{ $r->{json}{commands} // [] }) {
	$t->http(POST => "/api/v1/agent/commands/$c->{id}", headers => \%ag, body => { status => 'ok', output => {} });
}
is(pending($a->{id}), 0, 'the agent ran them all');

# ---- backups on demand: one at a time, a few an hour
sub backups { $t->psql_one("SELECT count(*) FROM backups WHERE instance_id = :'i'", i => $_[0]) }
# the agent's work for a backup asked: take the command, upload, answer
sub agent_backup {
	my ($bid) = @_;
	my $r = $t->http(GET => '/api/v1/agent/commands?wait=0', headers => \%ag);
	my ($c) = grep { $_->{type} eq 'backup_create' } @{ $r->{json}{commands} // [] };
	$r = $t->http(PUT => "/api/v1/agent/backups/$bid", headers => { %ag, 'X-OCH-OpenClaw-Version' => '2026.9.6' },
	    body => 'y' x 1024, content_type => 'application/octet-stream');
	my $done = $c ? $t->http(POST => "/api/v1/agent/commands/$c->{id}", headers => \%ag,
	    body => { status => 'ok', output => { backup_id => $bid } })->{status} : 0;
	return "$r->{status} $done";
}
for my $n (1 .. 6) {
	$r = $t->http(POST => "/api/v1/instances/$a->{id}/backups", headers => $ca);
	is($r->{status}, 202, "backup $n on demand is queued") or diag $r->{content};
	my $bid = $r->{json}{backup_id};
	if ($n == 1) {
		my $again = $t->http(POST => "/api/v1/instances/$a->{id}/backups", headers => $ca);
		is($again->{status}, 429, 'another while it is being made: 429');
		like($again->{json}{error}{message}, qr/being made/, 'saying why');
		ok(!exists $again->{headers}{'retry-after'}, 'without Retry-After (only its end helps)');
		is(backups($a->{id}), 1, 'nothing more stored');
		is($t->http(POST => "/api/v1/instances/$b->{id}/backups", headers => $cb)->{status}, 202,
		    "another instance's backup is queued meanwhile");
	}
	is(agent_backup($bid), '200 204', "the agent makes backup $n");
	is($t->psql_one("SELECT status FROM backups WHERE id = :'b'", b => $bid), 'available', "backup $n is stored");
}
$r = $t->http(POST => "/api/v1/instances/$a->{id}/backups", headers => $ca);
is($r->{status}, 429, 'a seventh within the hour: 429');
like($r->{json}{error}{message}, qr/at most 6 backups an hour/, 'saying the limit');
$ra = $r->{headers}{'retry-after'} // '';
ok($ra =~ /^\d+$/ && $ra >= 1 && $ra <= 3600, "Retry-After: when the hour's first is an hour old ($ra s)");
is(backups($a->{id}), 6, 'nothing more stored');
is($t->psql_one("SELECT count(*) FROM instance_commands WHERE instance_id = :'i' AND kind = 'backup_create'",
    i => $a->{id}), 6, 'and no command queued');

$t->done_testing;
