# A customer's read is one statement in one database round trip (issue
# 17): GET /api/v1/me and GET /api/v1/instances/{id} are read by the
# session check's own statement (the binaries' app->session_read, lib/req.h),
# and the instance read writes its audit record in that statement too
# (routes.def AUDIT_READ), so nothing is sent after the answer.
# OCH_DB_TRACE=1 makes each binary log, per request, the round trips it
# made, and the statements it sent without waiting for them (the front
# line's audit record, lib/srv.c); this test counts them there, and checks
# that what the routes answer is what it was: 401 for a dead session
# (revoked, expired, unknown), 404 for another customer's instance or a
# bad id, an admin's read-only view, the billing system's signed read, a
# customer without instances, and a PostgreSQL restart between two reads.
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
# HEAD answers as GET does, read the same way
($r, $tr) = one(auth => HEAD => '/api/v1/me', $cust);
is($r->{status}, 200, 'HEAD /me: 200');
is($r->{content}, '', 'without a body');
is($tr, 'HEAD /api/v1/me 200 1', 'one round trip too');

($r, $tr) = one(instances => GET => "/api/v1/instances/$mine", $cust);
is($r->{status}, 200, 'own instance');
is($r->{json}{id}, $mine, 'the instance asked for');
# the read is one round trip, its audit record written by the same
# statement: nothing sent after (lib/routes.def AUDIT_READ)
is($tr, "GET /api/v1/instances/{id} 200 1", 'own instance: one round trip, nothing sent after');
is(scalar @{ $r->{json}{events} }, 1, 'with its event (the order)') or diag explain $r->{json};
is($r->{json}{events}[0]{to}, 'pending', 'the order\'s event') or diag explain $r->{json}{events};
($r, $tr) = one(instances => GET => "/api/v1/instances/$theirs", $cust);
is($r->{status}, 404, "another customer's instance: 404");
is($tr, "GET /api/v1/instances/{id} 404 1", 'found out in the same one round trip (and audited in it)');
is($r->{json}{error}{message}, 'no such instance', 'the same refusal as an id that does not exist');
($r, $tr) = one(instances => GET => '/api/v1/instances/00000000-0000-4000-8000-000000000000', $cust);
is($r->{status}, 404, 'an id that does not exist: 404');
is($r->{json}{error}{message}, 'no such instance', 'no existence leak');
($r, $tr) = one(instances => GET => '/api/v1/instances/not-a-uuid', $cust);
is($r->{status}, 404, 'a bad id: 404');
is($tr, "GET /api/v1/instances/{id} 404 1 sent=1", "a bad id takes the old path: the check, then the record sent by the front line");
is($t->wait_for(sub { $t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'instance.get'
    AND object_id = 'not-a-uuid' AND status = 404}) }), 1, 'and is audited as before');
my $audited = sub { $t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'instance.get' AND object_id = :'i'
    AND status = :'s'}, i => $_[0], s => $_[1]) };
# the record is written while the answer goes out: wait for it (bounded)
is($t->wait_for(sub { $audited->($theirs, 404) }), 1, 'the refused read is audited as before');
is($t->wait_for(sub { $audited->($mine, 200) }), 1, 'the read is audited once');
is($t->psql_one(q{SELECT actor_kind || ' ' || actor_id FROM audit_log WHERE action = 'instance.get'
    AND object_id = :'i'}, i => $mine), 'user ' . $t->psql_one(q{SELECT user_id FROM instances WHERE id = :'i'}, i => $mine),
    'as the customer who read it');
is($t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'instance.get' AND detail IS NULL
    AND remote_addr = '127.0.0.1' AND request_id ~ '^[0-9a-f]{32}$' AND object_kind = 'instance'}), 4,
    'each record with its object kind, remote address and request id, no detail');

# an admin reads every instance
($r, $tr) = one(instances => GET => "/api/v1/instances/$theirs", $adm);
is($r->{status}, 200, "an admin reads any customer's instance");
is($tr, "GET /api/v1/instances/{id} 200 1", 'in one round trip too');
is($t->psql_one(q{SELECT actor_kind FROM audit_log WHERE action = 'instance.get' AND object_id = :'i'
    AND status = 200}, i => $theirs), 'admin', 'audited as the admin');

# the billing system's signed read takes the old path and still works
trips('instances');
$r = $t->signed(GET => "/api/v1/instances/$theirs");
is($r->{status}, 200, 'a signed read');
is($r->{json}{id}, $theirs, 'of that instance');
is(scalar @{ $r->{json}{events} }, 1, 'with its events') or diag explain $r->{json};
like(trips('instances')->[0] // '', qr{^GET /api/v1/instances/\{id\} 200 \d+ sent=1$},
    'the front line sends its record');
is($t->wait_for(sub { $t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'instance.get'
    AND object_id = :'i' AND actor_kind = 'api_client'}, i => $theirs) }), 1, 'audited as the billing system');

# an admin's read-only view of the customer's dashboard reads what they read
$r = $t->http(POST => "/api/v1/admin/instances/$mine/view", headers => $adm);
is($r->{status}, 201, 'the admin opens a read-only view') or diag $r->{content};
my $view = session_of($r);
($r, $tr) = one(auth => GET => '/api/v1/me', $view);
is($r->{status}, 200, '/me in the view');
is($r->{json}{email}, 'c1@example.com', "the customer's account");
is($r->{json}{view}{admin_email}, 'ops@example.com', 'saying whose view it is');
is($tr, 'GET /api/v1/me 200 1', "the view's /me: one round trip, the admin's email in it");
($r, $tr) = one(instances => GET => "/api/v1/instances/$theirs", $view);
is($r->{status}, 404, "the view cannot read another customer's instance");
is($tr, "GET /api/v1/instances/{id} 404 1", 'in one round trip');
($r, $tr) = one(instances => GET => "/api/v1/instances/$mine", $view);
is($r->{status}, 200, "the view reads the customer's instance");
is($t->psql_one(q{SELECT actor_kind || ' ' || actor_id || ' ' || (detail->>'view_of_user') FROM audit_log
    WHERE action = 'instance.get' AND object_id = :'i' AND detail ? 'view_of_user' AND status = 200}, i => $mine),
    'admin ' . $t->psql_one(q{SELECT id FROM users WHERE email = 'ops@example.com'}) . ' '
    . $t->psql_one(q{SELECT user_id FROM instances WHERE id = :'i'}, i => $mine),
    "the view's read audited as the admin, the customer seen");

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
is($r->{json}{role}, 'admin', 'an admin');
is_deeply($r->{json}{instances}, [], 'who has no instance of their own: an empty list');
is($tr, 'GET /api/v1/me 200 1', 'prepared again, still one round trip');
$t->pg_stop('INT');
$t->pg_start;
($r, $tr) = one(instances => GET => "/api/v1/instances/$mine", $cust);
is($r->{status}, 200, 'an unseen restart: the stale connection is replaced');
is($r->{json}{id}, $mine, 'and the instance read');

# an expired session: 401, nothing read, nothing audited
my $c2 = session_of(sso_login($t, $theirs));
($r, $tr) = one(auth => GET => '/api/v1/me', $c2);
is($r->{json}{email}, 'c2@example.com', 'the second customer signed in');
$t->psql(q{UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id =
    (SELECT user_id FROM instances WHERE id = :'i')}, i => $theirs);
($r, $tr) = one(auth => GET => '/api/v1/me', $c2);
is($r->{status}, 401, '/me with an expired session: 401');
is($tr, 'GET /api/v1/me 401 1', 'refused in the one round trip');
my $before = $t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'instance.get'});
($r, $tr) = one(instances => GET => "/api/v1/instances/$theirs", $c2);
is($r->{status}, 401, 'its instance with the expired session: 401');
is($tr, 'GET /api/v1/instances/{id} 401 1', 'one round trip, nothing sent');
is($t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'instance.get'}), $before,
    'no instance.get record for a dead session');

# a session the database does not know, under a good signature (as a
# token issued before the sessions were lost would be): 401, nothing read
{
	use Digest::SHA qw(hmac_sha256);
	use MIME::Base64 qw(encode_base64url);
	my $h = encode_base64url('{"alg":"HS256","typ":"JWT"}');
	my $uid = $t->psql_one(q{SELECT user_id FROM instances WHERE id = :'i'}, i => $mine);
	my $p = encode_base64url(qq({"sub":"$uid","sid":"00000000-0000-4000-8000-000000000315","iat":${\ time},"exp":${\ (time + 600)}}));
	my $jwt = "$h.$p." . encode_base64url(hmac_sha256("$h.$p", $t->config->{JWT_SECRET}));
	my $ghost = { Cookie => OCH::Login::cookie_name('session') . "=$jwt" };
	($r, $tr) = one(auth => GET => '/api/v1/me', $ghost);
	is($r->{status}, 401, '/me with a well-signed token of an unknown session: 401');
	is($tr, 'GET /api/v1/me 401 1', 'found out by the one statement');
	my $n = $t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'instance.get'});
	($r, $tr) = one(instances => GET => "/api/v1/instances/$mine", $ghost);
	is($r->{status}, 401, 'its instance read: 401');
	unlike($r->{content} // '', qr/\Q$mine\E/, 'nothing of the instance');
	is($t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'instance.get'}), $n, 'no record');
}

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
