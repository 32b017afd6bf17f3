# Sessions (docs/api.md, Authentication): WHMCS SSO and magic links end in
# an HttpOnly __Host- session JWT naming a sessions row; CSRF on unsafe
# methods; ownership; logout and revocation; one-time tokens.  A link alone
# signs nobody in (login CSRF): GET and HEAD of the link routes consume
# nothing and set no cookie, the sign-in page completes with a POST.  Magic
# links arrive in och-cloudsim's mailbox (sent by the real poller) and are
# read from there; their tokens never rest in clear in the outbox.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(cookie_name cookies_of session_of link_token sso_link magic_link mailbox);
use JSON::PP;
use MIME::Base64 qw(encode_base64url);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
my $base = $t->start_api(binaries => [qw(instances auth)]);
my ($S, $X) = (cookie_name('session'), cookie_name('csrf'));
like($S, qr/^__Host-/, 'the session cookie is __Host- prefixed');
like($X, qr/^__Host-/, 'so is the CSRF cookie');

sub order {
	my ($sid, $cid, $email) = @_;
	$t->signed(POST => '/api/v1/instances', { whmcs_service_id => $sid, whmcs_client_id => $cid,
	    email => $email, plan => 'starter', region => 'eu-nuremberg' })->{json}{id};
}
my $mine = order(1, 1, 'bob@example.com');
my $theirs = order(2, 2, 'eve@example.com');

# ---- SSO: the link opens the sign-in page; only the POST signs in
my $sso = sso_link($t, $mine);
my ($kind, $stok) = link_token($sso);
like($sso // '', qr{^\Q$base\E/signin#sso=[0-9a-f]{64}$}, 'the SSO link opens the sign-in page, token in the fragment');
for my $m (qw(HEAD GET)) {
	my $r = $t->http($m => "/api/v1/auth/sso?token=$stok");
	is($r->{status}, 303, "$m of the old SSO route: 303");
	is($r->{headers}{location}, "$base/signin#sso=$stok", "$m: to the sign-in page");
	ok(!$r->{headers}{'set-cookie'}, "$m sets no cookie");
}
is($t->psql_one('SELECT count(*) FROM sessions'), 0, 'GET and HEAD opened no session');
my $r = $t->http(POST => '/api/v1/auth/preview', body => { kind => 'sso', token => $stok });
is($r->{status}, 200, 'the page previews the link');
is($r->{json}{email}, 'bob@example.com', 'whose account it is');
is($r->{json}{account}, 'customer', 'a customer account');
is($r->{json}{instance}{id}, $mine, 'and which instance');
$r = $t->http(POST => '/api/v1/auth/preview', body => { kind => 'magic', token => $stok });
is($r->{status}, 401, 'an SSO token is no magic link');
$r = $t->http(POST => '/api/v1/auth/sso', body => { token => $stok });
is($r->{status}, 200, 'the POST signs in');
is($r->{json}{instance_id}, $mine, 'naming the instance to open');
my %c = cookies_of($r);
ok($c{$S}{value}, 'session cookie set');
like($c{$S}{attrs}, qr/HttpOnly/, 'HttpOnly');
like($c{$S}{attrs}, qr/Secure/, 'Secure');
like($c{$S}{attrs}, qr/Path=\//, 'Path=/');
unlike($c{$S}{attrs}, qr/Domain=/i, 'no Domain');
like($c{$S}{attrs}, qr/SameSite=Lax/, 'SameSite=Lax');
unlike($c{$X}{attrs}, qr/HttpOnly/, 'the CSRF cookie is readable by the dashboard');
my $jwt = $c{$S}{value};
my $csrf = $c{$X}{value};
is($t->http(POST => '/api/v1/auth/sso', body => { token => $stok })->{status}, 401, 'the SSO token works once');
is($t->http(POST => '/api/v1/auth/preview', body => { kind => 'sso', token => $stok })->{status}, 401,
    'and previews no more');
is($t->http(POST => '/api/v1/auth/sso', content_type => 'text/plain', body => '{"token":"' . ('a' x 64) . '"}')->{status},
    415, 'a cross-site form (text/plain) cannot post a login');

my %ck = (Cookie => "$S=$jwt; $X=$csrf");
$r = $t->http(GET => '/api/v1/me', headers => \%ck);
is($r->{status}, 200, '/me with the session');
is($r->{json}{email}, 'bob@example.com', 'the right user');
is_deeply([ map { $_->{id} } @{ $r->{json}{instances} } ], [ $mine ], 'only their instance');
is($t->http(GET => '/api/v1/me', headers => { Cookie => "och_session=$jwt" })->{status}, 401,
    'the unprefixed cookie name is not accepted');
is($t->http(GET => "/api/v1/instances/$mine", headers => \%ck)->{status}, 200, 'own instance readable');
is($t->http(GET => "/api/v1/instances/$theirs", headers => \%ck)->{status}, 404, "another customer's instance: 404");
is($t->http(POST => "/api/v1/instances/$mine/reboot", headers => \%ck)->{status}, 403, 'unsafe method without CSRF: 403');
is($t->http(POST => "/api/v1/instances/$mine/reboot", headers => { %ck, 'X-CSRF-Token' => 'f' x 64 })->{status}, 403,
    'wrong CSRF token: 403');
$r = $t->http(POST => "/api/v1/instances/$mine/reboot", headers => { %ck, 'X-CSRF-Token' => $csrf });
is($r->{status}, 409, 'with CSRF the request reaches the handler (pending: 409)');
is($t->http(POST => "/api/v1/instances/$theirs/reboot", headers => { %ck, 'X-CSRF-Token' => $csrf })->{status}, 404,
    "acting on another customer's instance: 404");
is($t->http(POST => '/api/v1/instances/' . $mine . '/suspend', headers => { %ck, 'X-CSRF-Token' => $csrf })->{status}, 401,
    'billing actions are for the billing system only');

# forged and broken tokens
my ($h, $p, $s) = split /\./, $jwt;
my $claims = decode_json(MIME::Base64::decode_base64url($p));
my $none = encode_base64url('{"alg":"none","typ":"JWT"}') . '.' . $p . '.';
is($t->http(GET => '/api/v1/me', headers => { Cookie => "$S=$none" })->{status}, 401, 'alg none: 401');
$claims->{sub} = '999';
my $forged = "$h." . encode_base64url(encode_json($claims)) . ".$s";
is($t->http(GET => '/api/v1/me', headers => { Cookie => "$S=$forged" })->{status}, 401, 'edited claims: 401');
is($t->http(GET => '/api/v1/me', headers => { Cookie => "$S=garbage" })->{status}, 401, 'garbage: 401');
is($t->http(GET => '/api/v1/me')->{status}, 401, 'no cookie: 401');
is($t->http(POST => '/api/v1/instances', headers => \%ck, body => {})->{status}, 401, 'a session cannot order');

# ---- magic links: from the mailbox
is($t->http(POST => '/api/v1/auth/magic-link', body => { email => 'BOB@example.com' })->{status}, 202,
    'a magic link requested');
my $pending = $t->psql_one(q{SELECT vars::text FROM email_outbox WHERE template = 'magic_link' AND status = 'pending'}) // '';
like($pending, qr/"sealed": \{"link": "[0-9a-f]+"\}/, 'the queued email holds its link sealed');
unlike($pending, qr/signin|magic=/, 'not in clear');
# the sealed link copied to a row for another address does not open
$t->psql(q{INSERT INTO email_outbox (template, to_email, vars) SELECT template, 'mallory@example.com', vars
    FROM email_outbox WHERE template = 'magic_link'});
my ($link, $mail) = magic_link($t, 'BOB@example.com');
is($t->psql_one(q{SELECT status FROM email_outbox WHERE to_email = 'mallory@example.com'}), 'failed',
    'moved to another recipient, a sealed link does not open: the email fails');
ok(!grep({ $_->{to}[0] eq 'mallory@example.com' } mailbox($t)), 'and is not sent');
like($link // '', qr{^\Q$base\E/signin#magic=[0-9a-f]{64}$}, 'the magic_link email arrived with a sign-in link');
is($mail->{subject}, 'Your sign-in link for openclawhost', 'its subject');
like($mail->{html} // '', qr{<a href="\Q$link\E">}, 'its HTML part links the same page');
like($mail->{text} // '', qr/as the customer bob\@example\.com/, 'it names the account');
my (undef, $ltok) = link_token($link);
is($t->psql_one(q{SELECT count(*) FROM email_outbox WHERE vars::text LIKE '%' || :'k' || '%'}, k => $ltok), 0,
    'the sent email dropped its variables: the token is not in the outbox');
is($t->psql_one(q{SELECT status FROM email_outbox WHERE template = 'magic_link'}), 'sent', 'the outbox row is sent');
for my $m (qw(HEAD GET)) {
	$r = $t->http($m => "/api/v1/auth/verify?token=$ltok");
	is($r->{status}, 303, "$m of the old verify route: 303 to the page");
	ok(!$r->{headers}{'set-cookie'}, "$m sets no cookie");
}
is($t->psql_one('SELECT count(*) FROM magic_links WHERE used_at IS NOT NULL'), 0, 'GET and HEAD consumed nothing');
$r = $t->http(POST => '/api/v1/auth/preview', body => { kind => 'magic', token => $ltok });
is($r->{json}{email}, 'bob@example.com', 'the magic link previews its account');

# a new link ends the older one; a second request within the minute
# reuses the live link (no new email)
$t->psql(q{UPDATE magic_links SET created_at = created_at - interval '2 minutes'});
my $link2 = magic_link($t, 'bob@example.com');
my (undef, $ltok2) = link_token($link2);
ok($ltok2 && $ltok2 ne $ltok, 'a second link, later, is a new one');
is($t->http(POST => '/api/v1/auth/verify', body => { token => $ltok })->{status}, 401, 'the older link no longer works');
my $n = () = mailbox($t);
is(magic_link($t, 'bob@example.com'), undef, 'asked again within the minute: no new email (the live link is reused)');
is($n, scalar(() = mailbox($t)), 'the mailbox did not grow');

$r = $t->http(POST => '/api/v1/auth/magic-link', body => { email => 'nobody@example.com' });
is($r->{status}, 202, 'an unknown address gets the same answer');
is($t->psql_one("SELECT count(*) FROM email_outbox WHERE to_email = 'nobody\@example.com'"), 0, 'and no email');
is($t->http(POST => '/api/v1/auth/magic-link', body => { email => 'x' })->{status}, 400, 'bad address: 400');
my $before = session_of(OCH::Login::sso_login($t, $theirs));
is($t->http(GET => '/api/v1/me', headers => $before)->{status}, 200, 'the browser has another session (eve)');
$r = $t->http(POST => '/api/v1/auth/verify', headers => { Cookie => $before->{Cookie} }, body => { token => $ltok2 });
is($r->{status}, 200, 'the magic link signs in with the POST');
is($t->http(GET => '/api/v1/me', headers => $before)->{status}, 401, 'switching accounts ended the session it replaced');
like($r->{json}{csrf_token} // '', qr/^[0-9a-f]{64}$/, 'CSRF token in the answer');
my $sess2 = session_of($r);
is($t->http(POST => '/api/v1/auth/verify', body => { token => $ltok2 })->{status}, 401, 'the magic link works once');

# limits in the database: per account (5 an hour) and per address
$t->psql(q{UPDATE magic_links SET created_at = created_at - interval '2 minutes'});
for (1 .. 6) {
	$t->http(POST => '/api/v1/auth/magic-link', body => { email => 'bob@example.com' });
	$t->psql(q{UPDATE magic_links SET created_at = created_at - interval '2 minutes'});
}
is($t->psql_one(q{SELECT count(*) FROM magic_links WHERE created_at > now() - interval '1 hour'}), 5,
    'at most 5 links an hour for one account, however often asked');
is($t->psql_one(q{SELECT count(*) FROM magic_links WHERE used_at IS NULL AND expires_at > now()}), 1,
    'and only the newest lives');

# a login email still unsent when its link expired loses its token
$t->psql(q{INSERT INTO email_outbox (template, to_email, vars, created_at, next_attempt_at)
    VALUES ('magic_link', 'late@example.com', '{"link":"x#magic=ab"}', now() - interval '20 minutes',
    now() + interval '1 hour')});
$t->psql(q{INSERT INTO email_outbox (template, to_email, vars, status, created_at)
    VALUES ('welcome', 'old@example.com', '{}', 'sent', now() - interval '40 days')});
$t->_capture([ $t->bin('poller/och-poller'), 'maintain' ], \my $err, $t->env);
is($t->psql_one(q{SELECT status || ' ' || vars::text FROM email_outbox WHERE to_email = 'late@example.com'}),
    'failed {}', 'maintain: an expired unsent login email fails and drops its link');
is($t->psql_one(q{SELECT count(*) FROM email_outbox WHERE to_email = 'old@example.com'}), 0,
    'maintain: emails older than 30 days are purged');

# ---- logout and revocation
$r = $t->http(POST => '/api/v1/auth/logout', headers => $sess2);
is($r->{status}, 204, 'logout');
%c = cookies_of($r);
like($c{$S}{attrs} // '', qr/Max-Age=0/, 'the cookie is cleared');
is($t->http(GET => '/api/v1/me', headers => $sess2)->{status}, 401,
    'the JWT is dead after logout although not expired');
$t->psql("UPDATE sessions SET expires_at = now() - interval '1 second'");
is($t->http(GET => '/api/v1/me', headers => \%ck)->{status}, 401, 'an expired session row: 401');
ok($t->psql_one("SELECT count(*) FROM audit_log WHERE action LIKE 'auth.%'") >= 5, 'logins audited');
is($t->psql_one(q{SELECT count(*) FROM audit_log WHERE detail::text ~ '[0-9a-f]{64}'}), 0, 'no token in the audit log');
my %logs = map { my $f = $_; $f => do { local (@ARGV, $/) = $f; <> } } glob($t->dir . '/*.log');
unlike(join('', @logs{ grep { !/nginx-access/ } keys %logs }), qr/\Q$ltok\E|\Q$ltok2\E|\Q$stok\E/,
    'no login token in any log of ours');
# (the access log has the tokens sent to the old GET routes above; a link
# as sent now puts its token in the fragment, which reaches no server)
unlike(join('', values %logs), qr/\Q$ltok2\E/, 'a link followed the way it is sent now is in no log at all');

$t->done_testing;
