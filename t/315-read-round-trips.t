# A customer's read is one database round trip (issue 17): GET /api/v1/me
# and GET /api/v1/instances/{id} send the session check and their own
# statements in one libpq pipeline (lib/db.c db_batch(), the binaries'
# app->prefetch).  OCH_DB_TRACE=1 makes each binary log, per request, the
# round trips it made, and the statements it sent without waiting for them
# (the route's audit record, lib/srv.c); this test counts them there, and checks
# that what the routes answer is what it was: 401 for a dead session, 404
# for another customer's instance or a bad id, an admin's read-only view,
# the billing system's signed read, and a PostgreSQL restart between
# two batches.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of magic_login sso_login);

$ENV{OCH_DB_TRACE} = 1;	# the binaries inherit it
my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_api(binaries => [qw(instances auth admin)]);

my ($rc, undef, $err) = $t->ochctl('user', 'create-admin', 'ops@example.com');
is($rc, 0, 'an admin') or diag $err;
my $adm = session_of(magic_login($t, 'ops@example.com'));
my @ids;
for my $n (1, 2) {
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 3150 + $n,
	    whmcs_client_id => 3150 + $n, email => "c$n\@example.com", plan => 'starter',
	    region => 'eu-helsinki' });
	is($r->{status}, 201, "customer ${n}'s order");
	push @ids, $r->{json}{id};
}
my ($mine, $theirs) = @ids;
my $cust = session_of(sso_login($t, $mine));

# The db_trace lines a binary logged since the last call for it.
my %seen;
sub trips {
	my ($bin) = @_;
	open my $fh, '<', $t->dir . "/$bin.fcgi.log" or die "$bin log: $!";
	my @l = grep { /db_trace / } <$fh>;
	close $fh;
	my @new = @l[($seen{$bin} // 0) .. $#l];
	$seen{$bin} = @l;
	return [ map { /method=(\S+) route=(\S+) status=(\d+) round_trips=(\d+) sent=(\d+)/
	    ? "$1 $2 $3 $4" . ($5 ? " sent=$5" : '') : $_ } @new ];
}
# One request and the round trips it took, as "METHOD route status trips"
# (and " sent=N" for statements sent without waiting for their answer).
sub one {
	my ($bin, $m, $path, $h) = @_;
	trips($bin);
	my $r = $t->http($m => $path, headers => $h);
	my $tr = trips($bin);
	is(scalar @$tr, 1, "$m $path: one trace line") or diag explain $tr;
	return ($r, $tr->[0] // '');
}

my ($r, $tr) = one(auth => GET => '/api/v1/me', $cust);
is($r->{status}, 200, '/me as the customer');
is($r->{json}{email}, 'c1@example.com', 'their account');
is_deeply([ map { $_->{id} } @{ $r->{json}{instances} } ], [ $mine ], 'their instance only');
is($tr, 'GET /api/v1/me 200 1', '/me: session check, account and instances in one round trip');
($r, $tr) = one(auth => GET => '/api/v1/me', $cust);
is($tr, 'GET /api/v1/me 200 1', 'again, with the statements prepared: one round trip');

($r, $tr) = one(instances => GET => "/api/v1/instances/$mine", $cust);
is($r->{status}, 200, 'own instance');
is($r->{json}{id}, $mine, 'the instance asked for');
# the read is one round trip; the audit record of the read is sent by the
# front line without waiting for its answer (lib/routes.def AUDIT)
is($tr, "GET /api/v1/instances/{id} 200 1 sent=1", 'own instance: one round trip, the audit record sent apart');
($r, $tr) = one(instances => GET => "/api/v1/instances/$theirs", $cust);
is($r->{status}, 404, "another customer's instance: 404");
is($tr, "GET /api/v1/instances/{id} 404 1 sent=1", 'found out in the same one round trip (and audited)');
($r, $tr) = one(instances => GET => '/api/v1/instances/not-a-uuid', $cust);
is($r->{status}, 404, 'a bad id: 404');
my $audited = sub { $t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'instance.get' AND object_id = :'i'
    AND status = :'s'}, i => $_[0], s => $_[1]) };
# the record is written while the answer goes out: wait for it (bounded)
is($t->wait_for(sub { $audited->($theirs, 404) }), 1, 'the refused read is audited as before');
is($t->wait_for(sub { $audited->($mine, 200) }), 1, 'the read is audited once');
is($t->psql_one(q{SELECT actor_kind || ' ' || actor_id FROM audit_log WHERE action = 'instance.get'
    AND object_id = :'i'}, i => $mine), 'user ' . $t->psql_one(q{SELECT user_id FROM instances WHERE id = :'i'}, i => $mine),
    'as the customer who read it');

# an admin reads every instance
($r, $tr) = one(instances => GET => "/api/v1/instances/$theirs", $adm);
is($r->{status}, 200, "an admin reads any customer's instance");
is($tr, "GET /api/v1/instances/{id} 200 1 sent=1", 'in one round trip too');

# the billing system's signed read takes the old path and still works
trips('instances');
$r = $t->signed(GET => "/api/v1/instances/$theirs");
is($r->{status}, 200, 'a signed read');
is($r->{json}{id}, $theirs, 'of that instance');

# an admin's read-only view of the customer's dashboard reads what they read
$r = $t->http(POST => "/api/v1/admin/instances/$mine/view", headers => $adm);
is($r->{status}, 201, 'the admin opens a read-only view') or diag $r->{content};
my $view = session_of($r);
($r, $tr) = one(auth => GET => '/api/v1/me', $view);
is($r->{status}, 200, '/me in the view');
is($r->{json}{email}, 'c1@example.com', "the customer's account");
is($r->{json}{view}{admin_email}, 'ops@example.com', 'saying whose view it is');
is($tr, 'GET /api/v1/me 200 2', "the view's /me: one round trip, and one for the admin's email");
($r, $tr) = one(instances => GET => "/api/v1/instances/$theirs", $view);
is($r->{status}, 404, "the view cannot read another customer's instance");
($r, $tr) = one(instances => GET => "/api/v1/instances/$mine", $view);
is($r->{status}, 200, "the view reads the customer's instance");

# the batch after PostgreSQL went away and came back: 503 while it is
# down, then a new connection whose statements are prepared inside the
# one pipeline
$t->pg_stop('INT');
($r, $tr) = one(auth => GET => '/api/v1/me', $adm);
is($r->{status}, 503, '/me while the database is down: 503');
$t->pg_start;
($r, $tr) = one(auth => GET => '/api/v1/me', $adm);
is($r->{status}, 200, '/me after the restart');
is($r->{json}{email}, 'ops@example.com', 'the right account');
is($tr, 'GET /api/v1/me 200 1', 'prepared again, still one round trip');
$t->pg_stop('INT');
$t->pg_start;
($r, $tr) = one(instances => GET => "/api/v1/instances/$mine", $cust);
is($r->{status}, 200, 'an unseen restart: the stale connection is replaced');
is($r->{json}{id}, $mine, 'and the instance read');

# a dead session: the batch's rows are thrown away, the answer is 401
is($t->http(POST => '/api/v1/auth/logout', headers => $cust)->{status}, 204, 'the customer signs out')
    or diag 'logout';
($r, $tr) = one(auth => GET => '/api/v1/me', $cust);
is($r->{status}, 401, '/me with the revoked session: 401');
ok(!exists $r->{json}{email}, 'nothing of the account in the answer');
is($tr, 'GET /api/v1/me 401 1', 'the refusal took the one round trip');
($r, $tr) = one(instances => GET => "/api/v1/instances/$mine", $cust);
is($r->{status}, 401, 'its instance with the revoked session: 401');
unlike($r->{content} // '', qr/\Q$mine\E/, 'and nothing of the instance');
is($tr, 'GET /api/v1/instances/{id} 401 1', 'one round trip, no audit of a refused session');
$t->psql(q{UPDATE sessions SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL
    AND viewer_session_id IS NOT NULL});
($r, $tr) = one(auth => GET => '/api/v1/me', $view);
is($r->{status}, 401, 'an expired view: 401');

$t->done_testing;
