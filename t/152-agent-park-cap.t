# A per-instance cap on parked agent long polls (cgi-bin/agent_api.c):
# someone holding one instance's agent token opens many
# GET /api/v1/agent/commands?wait=25 at once; each instance keeps at most
# PARK_PER_INSTANCE parked per worker, the oldest are answered at once
# (empty), and another instance's poll is untouched by it.  A worker
# parks at most PARK_MAX polls (its memory budget): one more from a new
# instance is answered at once, while an instance at its own cap still
# replaces its oldest.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use IO::Select;
use IO::Socket::INET;

my $CAP = 2;		# PARK_PER_INSTANCE
my $EXTRA = 4;

my $t = OCH::Test->new;
$t->start_pg;
my $MAX = 4;		# PARK_MAX for this worker
$t->start_api(binaries => [qw(instances agent)], workers => 1, config => { PARK_MAX => $MAX });
my ($port) = $t->base_url =~ /:(\d+)$/;

my %agent = map { $_ => $t->ready_agent($_) } 1 .. 4;
ok($agent{$_}{token}, "agent $_ ready") for 1 .. 4;
# each agent's current config revision: a poll with it has nothing to answer
$_->{rev} = $t->http(GET => '/api/v1/agent/config',
    headers => { Authorization => "Bearer $_->{token}" })->{json}{revision} for values %agent;

# a long poll on its own connection, answer read later
sub poll {
	my ($a) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp') or die $!;
	print $s "GET /api/v1/agent/commands?wait=25&config_revision=$a->{rev} HTTP/1.1\r\nHost: localhost\r\n"
	    . "Authorization: Bearer $a->{token}\r\nConnection: close\r\n\r\n";
	return $s;
}
sub answered { my ($s) = @_; IO::Select->new($s)->can_read(0) }
sub status { my ($s) = @_; my $l = <$s> // ''; $l =~ m{^HTTP/1\.1 (\d+)} ? $1 : 0 }

# the other instance's poll, parked first
my $other = poll($agent{2});
my @polls;
for my $i (1 .. $CAP + $EXTRA) {
	push @polls, poll($agent{1});
	# one at a time: each is parked (or answers an older one) before the next
	$t->wait_for(sub { my @a = grep { answered($_) } @polls; @a >= $i - $CAP }, timeout => 10);
}
my @done = grep { answered($_) } @polls;
is(scalar @done, $EXTRA, "$EXTRA of " . ($CAP + $EXTRA) . " polls answered at once, $CAP still parked");
is(scalar(grep { status($_) == 200 } @done), $EXTRA, 'each with 200 (an empty answer the agent just repeats)');
ok(!answered($polls[-1]), 'the newest poll is still parked');
ok(!answered($other), "the other instance's poll is still parked");

# the worker's cap: three parked, room for one more; agents 3 and 4 poll,
# one is parked (whichever came first), the other finds the worker full
my ($third, $fourth) = (poll($agent{3}), poll($agent{4}));
ok($t->wait_for(sub { answered($third) || answered($fourth) }, timeout => 10),
    "one of them is answered at once: the worker holds $MAX");
my ($full) = grep { answered($_) } $third, $fourth;
is(status($full), 200, 'with 200 (the empty answer the agent repeats)');
is(scalar(grep { answered($_) } $third, $fourth, $other), 1, 'the other and the parked polls stay parked');
my $again = poll($agent{1});
ok($t->wait_for(sub { grep({ answered($_) } @polls) == $EXTRA + 1 }, timeout => 10),
    'agent 1 at its own cap still replaces its oldest poll, full or not');
ok(!answered($again), 'and its new poll is parked');
push @polls, $again;
close $_ for $third, $fourth;

# the parked ones still work: a command reaches them
$t->psql("INSERT INTO instance_commands (instance_id, kind) VALUES (:'i', 'restart')", i => $agent{1}{id});
ok($t->wait_for(sub { grep({ answered($_) } @polls) == @polls }, timeout => 20), 'a new command answers the parked polls');
close $_ for @polls, $other, $third, $fourth;

$t->done_testing;
