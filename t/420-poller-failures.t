# What goes wrong, and what the poller leaves behind: a VPS that never
# boots (timeout -> failed, server and records deleted, the admins told;
# `ochctl instances retry` resumes it), an error Hetzner will repeat
# (fails fast with the upstream message, nothing created), upstream
# garbage and 200 answers with missing fields (retried, then failed and
# cleaned up), a failed instance terminated, and the lease of a poller
# that died released at once.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use Sys::Hostname qw(hostname);

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.2',
    '--action-delay', '0.2', '--resend-rate', '50');
my $api = $t->start_api(binaries => [qw(health instances agent)],
    config => { BOOT_TIMEOUT => 3, POLLER_BACKOFF_MS => 100, POLLER_BACKOFF_MAX_MS => 400,
	POLLER_MAX_ATTEMPTS => 3 });

sub simget { $t->http(GET => "$sim$_[0]")->{json} }
sub col { $t->psql_one("SELECT $_[1] FROM instances WHERE id = :'id'", id => $_[0]) }
my $n = 0;
sub order {
	my (%o) = @_;
	$n++;
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 300 + $n,
	    whmcs_client_id => 30, email => 'victim@example.test', plan => 'starter',
	    region => 'eu-helsinki', %o });
	is($r->{status}, 201, "order $n accepted") or diag $r->{content};
	return $r->{json}{id};
}
my $pn = 0;
sub poller {
	my (%env) = @_;
	$t->stop($_) for grep { /^poller/ } map { $_->{name} } grep { !$_->{dead} } @{ $t->{procs} };
	$pn++;
	return $t->spawn(name => "poller$pn", cmd => [ $t->bin('poller/och-poller'), 'provision' ],
	    env => { $t->env, POLLER_RUN_SECONDS => 60, %env });
}
sub labelled {
	my ($id) = @_;
	return scalar grep { ($_->{labels}{'och-instance'} // '') eq $id } @{ simget('/_sim/servers')->{servers} };
}
sub records {
	my ($id) = @_;
	my $host = col($id, 'slug') . '.och.test';
	return scalar grep { $_->{name} eq $host } @{ simget('/_sim/dns')->{records} // [] };
}
sub admin_mails {
	my ($id) = @_;
	return scalar grep { my %t = map { $_->{name} => $_->{value} } @{ $_->{tags} // [] };
	    ($t{template} // '') eq 'provisioning_failed' && ($t{instance} // '') eq $id
	    && $_->{to}[0] eq 'ops@och.test' } @{ simget('/_sim/emails')->{emails} };
}
sub failed_clean {
	my ($id, $what) = @_;
	ok($t->wait_for(sub { col($id, 'state') eq 'failed' && col($id, 'cleanup') eq 'f' }, timeout => 30),
	    "$what: failed and cleaned up")
	    or diag explain [ $t->psql(q{SELECT kind, to_state, message FROM instance_events
		WHERE instance_id = :'id' ORDER BY id}, id => $id) ];
}

# ---- a VPS that never boots: its callback URL leads nowhere
poller(API_URL => 'http://127.0.0.1:9');
my $dead = order();
failed_clean($dead, 'never booted');
is(col($dead, 'last_error'), 'server did not boot within 3 s', 'last_error says why');
is(col($dead, 'failed_state'), 'creating', 'it resumes at creating');
is(labelled($dead), 0, 'its server was deleted');
is(records($dead), 0, 'its DNS records were deleted');
is(col($dead, 'hetzner_server_id'), undef, 'no server recorded');
ok($t->wait_for(sub { admin_mails($dead) == 1 }, timeout => 10), 'the admins were told (once)');
my $mail = (grep { $_->{to}[0] eq 'ops@och.test' } @{ simget('/_sim/emails')->{emails} })[0];
like($mail->{text}, qr/did not boot within 3 s/, 'the email says why');
like($mail->{text}, qr/ochctl instances retry \Q$dead\E/, 'and how to resume');

# the operator fixes the cause and retries
poller();
my ($rc, $out) = $t->ochctl('instances', 'retry', $dead);
is($rc, 0, 'ochctl instances retry');
like($out, qr/resumes at creating/, 'resumes at creating');
ok($t->wait_for(sub { col($dead, 'state') eq 'active' }, timeout => 30), 'then active');
is(labelled($dead), 1, 'with one server');
is(records($dead), 2, 'and its records');

# ---- an error Hetzner will repeat: fails fast with its message
$t->psql(q{INSERT INTO plans (name, display_name, server_type, vcpus, memory_mb, disk_gb,
	max_channels, max_skills, price_cents) VALUES ('broken', 'Broken', 'zz99', 1, 1024, 10, 1, 1, 100)});
my $bad = order(plan => 'broken');
failed_clean($bad, 'invalid server type');
like(col($bad, 'last_error'), qr/^create server: hetzner invalid_input \(400\)/, 'the upstream error is kept');
is($t->psql_one(q{SELECT count(*) FROM instance_events WHERE instance_id = :'id' AND kind = 'step.retry'},
    id => $bad), 0, 'not retried');
is(labelled($bad), 0, 'no server');
is(records($bad), 0, 'no DNS record');

# a failed instance can still be terminated
my $r = $t->signed(POST => "/api/v1/instances/$bad/terminate");
is($r->{status}, 202, 'terminate a failed instance');
ok($t->wait_for(sub { col($bad, 'state') eq 'terminated' }, timeout => 20), 'terminated');

# ---- garbage and incomplete answers from the providers
my $fake_port = $t->free_port;
my $fake = "$t->{dir}/fake-upstream.pl";
open my $fh, '>', $fake or die;
print $fh <<'EOF';
use strict; use warnings; use IO::Socket::INET;
my ($port, $mode) = @ARGV;
my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port, Listen => 32, ReuseAddr => 1) or die $!;
while (my $c = $s->accept) {
	my $line = <$c> // next;
	my ($m, $path) = split / /, $line;
	my $len = 0;
	while (my $h = <$c>) { last if $h =~ /^\r?\n$/; $len = $1 if $h =~ /^content-length:\s*(\d+)/i }
	read($c, my $body, $len) if $len;
	my ($st, $out) = (200, '<html>502 Bad Gateway</html> not json');
	if ($mode eq 'missing') {
		($st, $out) = $m eq 'GET' && $path =~ m{^/servers}
		    ? (200, '{"servers":[],"meta":{"pagination":{"page":1,"per_page":25,"previous_page":null,"next_page":null,"last_page":1,"total_entries":0}}}')
		    : (201, '{"server":{"id":5},"action":null}');
	} elsif ($mode eq 'cf') {
		($st, $out) = (200, '{"success":true,"errors":[],"messages":[]}');
	}
	print $c "HTTP/1.1 $st X\r\nContent-Type: application/json\r\nContent-Length: " . length($out) . "\r\nConnection: close\r\n\r\n$out";
	close $c;
}
EOF
close $fh;
for my $case ([ 'garbage', 'HETZNER_API_URL', qr/look up server: hetzner bad_response/ ],
    [ 'missing', 'HETZNER_API_URL', qr/create server: hetzner bad_response/ ],
    [ 'cf', 'CLOUDFLARE_API_URL', qr/DNS A record: cloudflare bad_response/ ]) {
	my ($mode, $key, $re) = @$case;
	$t->stop('fake') if $t->proc('fake');
	$t->spawn(name => 'fake', cmd => [ $^X, $fake, $fake_port, $mode ], ready_port => $fake_port);
	poller($key => "http://127.0.0.1:$fake_port");
	my $id = order();
	ok($t->wait_for(sub { col($id, 'state') eq 'failed' }, timeout => 30), "$mode answers: failed");
	like(col($id, 'last_error'), $re, "$mode: the reason is recorded");
	is($t->psql_one(q{SELECT count(*) FROM instance_events WHERE instance_id = :'id' AND kind = 'step.retry'
	    AND id < (SELECT min(id) FROM instance_events WHERE instance_id = :'id' AND kind = 'state.failed')},
	    id => $id), 2, "$mode: retried before failing");
	# the cleanup needs the provider back
	poller();
	failed_clean($id, "$mode answers");
	like(col($id, 'last_error'), $re, "$mode: the reason is still recorded");
	is(labelled($id), 0, "$mode: no server left");
	is(records($id), 0, "$mode: no DNS record left");
}

# ---- a lease held by a poller that died on this host
$t->stop('fake');
$t->stop($_->{name}) for grep { $_->{name} =~ /^poller/ && !$_->{dead} } @{ $t->{procs} };
my $orphan = order();
my $ghost = hostname() =~ s/:/_/gr;
$t->psql(q{UPDATE instances SET locked_by = :'o', locked_until = now() + interval '1 hour' WHERE id = :'id'},
    o => "$ghost:999999", id => $orphan);
poller();
ok($t->wait_for(sub { col($orphan, 'state') eq 'active' }, timeout => 30),
    'the lease of a dead poller is released at once');

# ---- Hetzner's rate limit is paced across instances, not hit
$r = $t->http(POST => "$sim/_sim/ratelimit", body => { hetzner => { limit => 3600, remaining => 13 } });
is($r->{status}, 200, 'Hetzner budget down to 13 requests (refill 1/s)');
my @paced = map { order() } 1 .. 4;
ok($t->wait_for(sub { !grep { col($_, 'state') ne 'active' } @paced }, timeout => 40), 'four orders active');
is($t->psql_one(q{SELECT count(*) FROM instance_events WHERE kind = 'step.retry'
	AND message LIKE '%rate_limit%'}), 0, 'no request ran into the limit');
my $paused = grep { /hetzner rate limit low: pausing/ } map { open my $fh, '<', $_ or die; <$fh> }
    glob "$t->{dir}/poller*.log";
ok($paused, 'the poller paused when the budget ran low');
cmp_ok(simget('/_sim/ratelimit')->{hetzner}{remaining}, '>', 0, 'the budget never ran out');

$t->done_testing;
