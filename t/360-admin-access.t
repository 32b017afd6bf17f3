# admin.fcgi access rules: every route needs an admin session (401
# anonymous, 403 for a customer), unsafe methods need the CSRF token, and
# every call an admin makes is written to the audit log.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use JSON::PP ();
use OCH::Test;
use OCH::Login qw(session_of magic_login);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_api(binaries => [qw(instances auth admin)]);

# an admin logs in with the magic link from the simulator's mailbox
sub admin_login {
	my ($email) = @_;
	my ($rc, undef, $err) = $t->ochctl('user', 'create-admin', $email);
	is($rc, 0, "ochctl user create-admin $email") or diag $err;
	return session_of(magic_login($t, $email));
}
my $id = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 1, whmcs_client_id => 1,
    email => 'cust@example.com', plan => 'starter', region => 'eu-helsinki' })->{json}{id};
my $tok = $t->signed(POST => "/api/v1/instances/$id/sso")->{json}{token};
my $cust = session_of($t->http(POST => '/api/v1/auth/sso', body => { token => $tok }));
my $adm = admin_login('root@example.com');
my $admin_id = $t->psql_one("SELECT id FROM users WHERE email = 'root\@example.com'");
my $cust_id = $t->psql_one("SELECT id FROM users WHERE email = 'cust\@example.com'");

my $A = '/api/v1/admin';
# [method, path, body, action audited]
my @routes = (
	[ GET => "$A/instances", undef, 'admin.instance.list' ],
	[ GET => "$A/instances/$id", undef, 'admin.instance.get' ],
	[ POST => "$A/instances/$id/retry", undef, 'admin.instance.retry' ],
	[ POST => "$A/instances/$id/suspend", undef, 'admin.instance.suspend' ],
	[ POST => "$A/instances/$id/unsuspend", undef, 'admin.instance.unsuspend' ],
	[ POST => "$A/instances/$id/commands", { type => 'restart' }, 'admin.instance.command' ],
	[ GET => "$A/queue", undef, 'admin.queue' ],
	[ GET => "$A/audit", undef, 'admin.audit' ],
	[ GET => "$A/plans", undef, 'admin.plan.list' ],
	[ PUT => "$A/plans/starter", { price_cents => 1900 }, 'admin.plan.put' ],
	[ GET => "$A/users", undef, 'admin.user.list' ],
	[ POST => "$A/users/$cust_id/role", { role => 'customer' }, 'admin.user.role' ],
	[ GET => "$A/whmcs-sync", undef, 'admin.whmcs_sync' ],
	[ GET => "$A/stats", undef, 'admin.stats' ],
	[ GET => "$A/skills", undef, 'admin.skill.list' ],
	[ PUT => "$A/skills/web-search", { active => JSON::PP::true }, 'admin.skill.put' ],
	[ POST => "$A/instances/$id/terminate", undef, 'admin.instance.terminate' ],
);
sub call {
	my ($rt, $h) = @_;
	my ($m, $p, $b) = @$rt;
	$t->http($m => $p, headers => $h, defined $b ? (body => $b) : ());
}

for my $rt (@routes) {
	my $what = "$rt->[0] $rt->[1]" =~ s/\Q$id\E/{id}/r;
	is(call($rt, {})->{status}, 401, "$what anonymous: 401");
	my $r = call($rt, $cust);
	is($r->{status}, 403, "$what as a customer (with CSRF): 403");
	is($r->{json}{error}{code}, 'forbidden', 'in the error shape');
	if ($rt->[0] ne 'GET') {
		is(call($rt, { Cookie => $adm->{Cookie} })->{status}, 403, "$what as admin without CSRF: 403");
		is(call($rt, { %$adm, 'X-CSRF-Token' => 'a' x 64 })->{status}, 403, "$what with a wrong CSRF token: 403");
	}
	my $n0 = $t->psql_one("SELECT count(*) FROM audit_log WHERE action = :'a'", a => $rt->[3]);
	$r = call($rt, $adm);
	ok($r->{status} >= 200 && $r->{status} < 500 && $r->{status} != 401 && $r->{status} != 403,
	    "$what as admin reaches the handler ($r->{status})");
	ok($t->wait_for(sub { $t->psql_one("SELECT count(*) FROM audit_log WHERE action = :'a'"
	    . " AND actor_kind = 'admin' AND actor_id = :'u'", a => $rt->[3], u => $admin_id) > $n0 },
	    what => "audit of $what"), "$what is audited as $rt->[3]");
}
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action LIKE 'admin.%' AND action <> 'admin.denied'"
    . " AND actor_kind <> 'admin'"), 0, 'no admin action was recorded for anyone else');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'admin.denied' AND actor_kind = 'user'"
    . " AND actor_id = :'u' AND status = 403", u => $cust_id), scalar @routes,
    "every refusal of the customer's session is audited");
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'admin.denied' AND actor_id IS DISTINCT FROM :'u'",
    u => $cust_id), 0, 'anonymous and CSRF refusals are not (no session user to name)');
is($t->http(GET => "$A/nothing", headers => $adm)->{status}, 404, 'unknown admin route: 404');
is($t->http(DELETE => "$A/plans/starter", headers => $adm)->{status}, 405, 'wrong method: 405');

# the role is read on every request: a demoted admin loses access at once
my $second = admin_login('second@example.com');
my $second_id = $t->psql_one("SELECT id FROM users WHERE email = 'second\@example.com'");
is($t->http(GET => "$A/queue", headers => $second)->{status}, 200, 'a second admin');
is($t->http(POST => "$A/users/$second_id/role", headers => $adm, body => { role => 'customer' })->{status}, 200,
    'demoted by the first');
is($t->http(GET => "$A/queue", headers => $second)->{status}, 403, 'and refused on the next request');

$t->done_testing;
