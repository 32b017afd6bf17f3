# "Open as customer": an admin's read-only view of a customer's dashboard
# (lib/view.h, schema/161).  The admin opens it from the admin API; the
# browser's cookies become the view's; it reads exactly what the customer
# reads (their instance, not another's; no admin route).  The attacker's
# requests: every write the customer could make, sent through the view
# with its valid CSRF token, is refused 403 and changes nothing; the
# refusals are audited with the admin as the actor.  Ending the view
# gives the admin session back (new CSRF token) and the view's cookie is
# dead; the view dies with its admin session; signing out in a view
# signs the admin out too; a customer cannot open a view.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of magic_login sso_login);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_api(binaries => [qw(instances auth settings admin)]);

my ($rc, undef, $err) = $t->ochctl('user', 'create-admin', 'ops@example.com');
is($rc, 0, 'an admin') or diag $err;
my $adm = session_of(magic_login($t, 'ops@example.com'));
my $admin_id = $t->psql_one(q{SELECT id FROM users WHERE email = 'ops@example.com'});

my @ids;
for my $n (1, 2) {
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 3650 + $n, whmcs_client_id => 3650 + $n,
	    email => "cust$n\@example.com", plan => 'starter', region => 'eu-helsinki' });
	is($r->{status}, 201, "customer ${n}'s order");
	push @ids, $r->{json}{id};
}
my ($id, $other) = @ids;
$t->psql(q{UPDATE instances SET state = 'active' WHERE id = :'i'}, i => $id);
my $cust = session_of(sso_login($t, $id));
my $cust_id = $t->psql_one(q{SELECT user_id FROM instances WHERE id = :'i'}, i => $id);
my $I = "/api/v1/instances/$id";
my $r = $t->http(PUT => "$I/channels/telegram", headers => $cust,
    body => { enabled => \1, dm_policy => 'pairing', secrets => { bot_token => '123456:' . ('A' x 35) } });
is($r->{status}, 204, 'the customer set up a channel') or diag $r->{content};
my $mine = $t->http(GET => "$I/channels", headers => $cust)->{json};

# ---- a customer cannot open a view
$r = $t->http(POST => "/api/v1/admin/instances/$id/view", headers => $cust);
is($r->{status}, 403, 'a customer cannot open a view');

# ---- open
$r = $t->http(POST => "/api/v1/admin/instances/00000000-0000-4000-8000-000000000000/view", headers => $adm);
is($r->{status}, 404, 'an unknown instance: 404');
my %nocsrf = (Cookie => $adm->{Cookie});
is($t->http(POST => "/api/v1/admin/instances/$id/view", headers => \%nocsrf)->{status}, 403,
    'opening needs the CSRF token');
$r = $t->http(POST => "/api/v1/admin/instances/$id/view", headers => $adm);
is($r->{status}, 201, 'the admin opens a read-only view') or diag $r->{content};
is($r->{json}{user}{email}, 'cust1@example.com', 'of the owner');
is($r->{json}{instance_id}, $id, 'from this instance');
like($r->{json}{expires_at} // '', qr/^\d{4}-/, 'with its end');
my $view = session_of($r);
isnt($view->{'X-CSRF-Token'}, $adm->{'X-CSRF-Token'}, 'its own CSRF token');
isnt($view->{Cookie}, $adm->{Cookie}, 'and its own session cookie');
is($t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'admin.view.open' AND actor_id = :'a'
    AND object_id = :'i' AND detail->>'user_id' = :'u' AND status = 201}, a => $admin_id, i => $id, u => $cust_id), 1,
    'audited: admin.view.open, the admin, the instance, the user');

# ---- reads: exactly the customer's
$r = $t->http(GET => '/api/v1/me', headers => $view);
is($r->{status}, 200, 'GET /me in the view');
is($r->{json}{email}, 'cust1@example.com', "the customer's account");
is($r->{json}{role}, 'customer', 'as a customer');
is_deeply([ map { $_->{id} } @{ $r->{json}{instances} } ], [ $id ], 'their instance only');
is($r->{json}{view}{admin_email}, 'ops@example.com', 'and whose view it is');
is($t->http(GET => '/api/v1/me', headers => $cust)->{json}{view}, undef, "the customer's own /me has view: null");
is_deeply($t->http(GET => "$I/channels", headers => $view)->{json}, $mine, 'the channels as the customer sees them');
is($t->http(GET => "/api/v1/instances/$other", headers => $view)->{status}, 404, "another customer's instance: 404");
is($t->http(GET => '/api/v1/admin/instances', headers => $view)->{status}, 403, 'no admin route in the view');

# ---- the attacker's requests: writes through the view, CSRF token and all
my $before = $t->psql_one(q{SELECT md5(string_agg(c::text, ',' ORDER BY kind)) FROM channels c WHERE instance_id = :'i'}, i => $id);
my @writes = (
	[ PUT => "$I/channels/telegram", { enabled => \0 } ],
	[ DELETE => "$I/channels/telegram" ],
	[ PUT => "$I/ai-keys/anthropic", { key => 'sk-ant-' . ('x' x 40) } ],
	[ PUT => "$I/skills/weather", {} ],
	[ POST => "$I/backups", undef ],
	[ POST => "$I/reboot", undef ],
	[ POST => "$I/gateway-token", undef ],
	[ POST => "$I/gateway-token/rotate", undef ],
	[ PUT => "$I/model", { model => 'anthropic/claude-sonnet-4-5' } ],
	[ POST => '/api/v1/auth/logout-all', undef ],
	[ POST => "/api/v1/admin/instances/$id/suspend", undef ],
	[ POST => "/api/v1/admin/instances/$other/view", undef ],
);
for my $w (@writes) {
	my ($m, $path, $body) = @$w;
	$r = $t->http($m => $path, headers => $view, defined $body ? (body => $body) : ());
	is($r->{status}, 403, "$m $path through the view: 403");
	like($r->{json}{error}{message} // '', qr/read-only view/, 'saying it is a read-only view') if $path !~ m{/admin/};
}
is($t->psql_one(q{SELECT md5(string_agg(c::text, ',' ORDER BY kind)) FROM channels c WHERE instance_id = :'i'}, i => $id),
    $before, 'the channels are as they were');
is($t->psql_one(q{SELECT count(*) FROM ai_keys WHERE instance_id = :'i'}, i => $id), 0, 'no AI key was stored');
is($t->psql_one(q{SELECT pending_action FROM instances WHERE id = :'i'}, i => $id), undef, 'no reboot was recorded');
is($t->psql_one(q{SELECT desired_state FROM instances WHERE id = :'i'}, i => $id), 'active', 'nor a suspend');
is($t->psql_one(q{SELECT count(*) FROM sessions WHERE user_id = :'u' AND revoked_at IS NULL
    AND viewer_session_id IS NULL}, u => $cust_id), 1, "the customer's own session lives");
is($t->psql_one(q{SELECT count(*) FROM audit_log WHERE action IN ('view.denied', 'admin.denied') AND actor_kind = 'admin'
    AND actor_id = :'a' AND status = 403 AND (detail->>'view_of_user') = :'u'}, a => $admin_id, u => $cust_id),
    scalar(@writes) + 1, 'every refusal audited with the admin as the actor and the viewed user');
is($t->psql_one(q{SELECT count(*) FROM audit_log WHERE actor_kind = 'user' AND actor_id = :'u'
    AND (detail->>'view_of_user') IS NOT NULL}, u => $cust_id), 0, 'none in the customer\'s name');

# ---- the customer is not limited by it
is($t->http(PUT => "$I/channels/telegram", headers => $cust, body => { dm_policy => 'pairing' })->{status}, 204,
    'the customer still writes');

# ---- end the view
%nocsrf = (Cookie => $view->{Cookie});
is($t->http(POST => '/api/v1/auth/view/end', headers => \%nocsrf)->{status}, 403, 'ending needs the CSRF token');
$r = $t->http(POST => '/api/v1/auth/view/end', headers => $view);
is($r->{status}, 200, 'the admin ends the view') or diag $r->{content};
my $back = session_of($r);
ok(length $back->{'X-CSRF-Token'} && $back->{'X-CSRF-Token'} ne $adm->{'X-CSRF-Token'}, 'the admin session with a new CSRF token');
is($t->http(GET => '/api/v1/admin/stats', headers => $back)->{status}, 200, 'the admin is an admin again');
is($t->http(GET => '/api/v1/me', headers => $view)->{status}, 401, "the view's cookie is dead");
is($t->http(POST => '/api/v1/auth/view/end', headers => $back)->{status}, 409, 'ending again (not a view): 409');
is($t->psql_one(q{SELECT count(*) FROM audit_log WHERE action = 'auth.view.end' AND actor_id = :'a' AND status = 200},
    a => $admin_id), 1, 'audited: auth.view.end');

# ---- the view dies with its admin session
$r = $t->http(POST => "/api/v1/admin/instances/$id/view", headers => $back);
is($r->{status}, 201, 'a second view');
my $view2 = session_of($r);
is($t->http(GET => '/api/v1/me', headers => $view2)->{status}, 200, 'which reads');
is($t->http(POST => '/api/v1/auth/logout', headers => $back)->{status}, 204, 'the admin session signs out elsewhere');
is($t->http(GET => '/api/v1/me', headers => $view2)->{status}, 401, 'the view is dead with it');

# ---- signing out in a view signs the admin out too
my $adm2 = session_of(magic_login($t, 'ops@example.com'));
my $view3 = session_of($t->http(POST => "/api/v1/admin/instances/$id/view", headers => $adm2));
is($t->http(POST => '/api/v1/auth/logout', headers => $view3)->{status}, 204, 'sign out in the view');
is($t->http(GET => '/api/v1/me', headers => $view3)->{status}, 401, 'the view is gone');
is($t->http(GET => '/api/v1/admin/stats', headers => $adm2)->{status}, 401, 'and the admin session with it');

# ---- an admin who is demoted loses the view at once
my $adm3 = session_of(magic_login($t, 'ops@example.com'));
($rc) = $t->ochctl('user', 'create-admin', 'ops2@example.com');
my $adm4 = session_of(magic_login($t, 'ops2@example.com'));
my $view4 = session_of($t->http(POST => "/api/v1/admin/instances/$id/view", headers => $adm3));
is($t->http(GET => '/api/v1/me', headers => $view4)->{status}, 200, 'a view open');
is($t->http(POST => "/api/v1/admin/users/$admin_id/role", headers => $adm4, body => { role => 'customer' })->{status}, 200,
    'another admin demotes its admin');
is($t->http(GET => '/api/v1/me', headers => $view4)->{status}, 401, 'the view ends with the role');
$t->done_testing;
