# admin.fcgi: the audit log with filters and keyset pagination, plan
# editing with validation, users and roles with last-admin protection.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of magic_login);
use POSIX ();

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_api(binaries => [qw(instances auth admin)]);

# an admin signs in with the magic link from the simulator's mailbox
sub admin_login {
	my ($email) = @_;
	$t->ochctl('user', 'create-admin', $email);
	return session_of(magic_login($t, $email));
}
my $adm = admin_login('chief@example.com');
my $chief = $t->psql_one("SELECT id FROM users WHERE email = 'chief\@example.com'");
my $A = '/api/v1/admin';
sub get { $t->http(GET => $_[0], headers => $adm) }
sub put { $t->http(PUT => $_[0], headers => $adm, body => $_[1]) }
sub post { $t->http(POST => $_[0], headers => $adm, body => $_[1]) }

# ---- audit log: filters and keyset pagination
get("$A/plans") for 1 .. 7;
# the front line writes each record while the answer goes out (lib/srv.c)
my $want = $t->wait_for(sub { my $n = $t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'admin.plan.list'");
    $n >= 7 ? $n : 0 });
is($want, 7, 'seven audited reads');
my (@seen, $before, $pages);
while (1) {
	my $r = get("$A/audit?action=admin.plan.list&limit=3" . ($before ? "&before_id=$before" : ''));
	is($r->{status}, 200, 'audit page ' . ++$pages);
	push @seen, map { $_->{id} } @{ $r->{json}{entries} };
	last unless defined($before = $r->{json}{next_before_id});
	last if $pages > 5;
}
is($pages, 3, 'seven entries in pages of three: three pages');
is(scalar @seen, 7, 'every entry once');
is_deeply(\@seen, [ sort { $b <=> $a } @seen ], 'newest first, no repeats');
my $r = get("$A/audit?action=admin.plan.list&limit=1");
is($r->{json}{entries}[0]{actor_kind}, 'admin', 'actor kind');
is($r->{json}{entries}[0]{actor_id}, $chief, 'actor id');
is($r->{json}{entries}[0]{status}, 200, 'status');
like($r->{json}{entries}[0]{request_id} // '', qr/\S/, 'request id');
ok(!grep({ $_->{action} ne 'admin.plan.list' } @{ get("$A/audit?action=admin.plan.list")->{json}{entries} }),
    'action filter');
ok(scalar(@{ get("$A/audit?action=admin.")->{json}{entries} }) > 7, 'a trailing dot filters by prefix');
is(scalar @{ get("$A/audit?actor=admin:$chief&action=admin.plan.list")->{json}{entries} }, 7, 'actor as kind:id');
is(scalar @{ get("$A/audit?actor=999999")->{json}{entries} }, 0, 'another actor: nothing');
put("$A/plans/starter", { price_cents => 1950 });
$r = get("$A/audit?object_id=starter");
is($r->{json}{entries}[0]{action}, 'admin.plan.put', 'object filter');
is($r->{json}{entries}[0]{detail}{created}, JSON::PP::false, 'detail as JSON');
is(get("$A/audit?limit=501")->{status}, 400, 'limit over 500: 400');
is(get("$A/audit?before_id=-1")->{status}, 400, 'negative before_id: 400');
is(get("$A/audit?before_id=x")->{status}, 400, 'malformed before_id: 400');
is(get("$A/audit?before_id=1")->{json}{next_before_id}, undef, 'before the first entry: empty, no next page');

# ---- plans
$r = get("$A/plans");
is_deeply([ map { $_->{name} } @{ $r->{json}{plans} } ], [qw(starter professional enterprise)], 'seeded plans');
is($r->{json}{plans}[0]{price_cents}, 1950, 'with the change');
my %new = (display_name => 'Team', server_type => 'cpx41', vcpus => 8, memory_mb => 16384, disk_gb => 240,
    max_channels => 20, max_skills => 100, price_cents => 9900, openclaw_version => '2026.9.6', active => \0);
$r = put("$A/plans/team", \%new);
is($r->{status}, 201, 'a new plan: 201');
is($r->{json}{server_type}, 'cpx41', 'server type');
is($r->{json}{backup_slots}, 7, 'defaults for what is not given');
is($r->{json}{active}, JSON::PP::false, 'inactive as asked');
my @sold = map { $_->{name} } @{ $t->signed(GET => '/api/v1/plans')->{json}{plans} };
ok(!grep({ $_ eq 'team' } @sold), 'an inactive plan is not sold');
$r = put("$A/plans/team", { active => \1, price_cents => 9500 });
is($r->{status}, 200, 'a change: 200');
is($r->{json}{price_cents}, 9500, 'price changed');
is($r->{json}{server_type}, 'cpx41', 'the rest kept');
@sold = map { $_->{name} } @{ $t->signed(GET => '/api/v1/plans')->{json}{plans} };
ok(scalar(grep { $_ eq 'team' } @sold), 'now on sale to WHMCS');
is(put("$A/plans/team", { openclaw_version => '' })->{json}{openclaw_version}, undef, 'an empty version clears the pin');
for my $bad ([ 'server_type with a space', { server_type => 'cx 23' } ],
    [ 'server_type with a semicolon', { server_type => 'cx23;' } ],
    [ 'server_type in capitals', { server_type => 'CX23' } ],
    [ 'negative max_channels', { max_channels => -1 } ],
    [ 'negative price', { price_cents => -100 } ],
    [ 'zero vcpus', { vcpus => 0 } ],
    [ 'fractional memory', { memory_mb => 1.5 } ],
    [ 'a string limit', { max_skills => 'many' } ],
    [ 'an unknown field', { max_channel => 3 } ],
    [ 'a bad version', { openclaw_version => 'latest' } ],
    [ 'active as a string', { active => 'yes' } ],
    [ 'a control character in the name', { display_name => "a\nb" } ],
    [ 'a bad image', { image => '../x' } ]) {
	my $r = put("$A/plans/team", $bad->[1]);
	is($r->{status}, 400, "$bad->[0]: 400");
}
like(put("$A/plans/team", { max_channels => -1 })->{json}{error}{message}, qr/^max_channels:/, 'the message names the field');
is((grep { $_->{name} eq 'team' } @{ get("$A/plans")->{json}{plans} })[0]{max_channels}, 20, 'nothing changed by the bad requests');
$r = put("$A/plans/solo", { display_name => 'Solo' });
is($r->{status}, 400, 'a new plan without the required fields: 400');
like($r->{json}{error}{message}, qr/required for a new plan/, 'saying so');
is(put("$A/plans/Bad_Name", \%new)->{status}, 400, 'a bad plan name: 400');
is($t->http(PUT => "$A/plans/team", headers => $adm, body => '[1]', content_type => 'application/json')->{status}, 400,
    'a body that is not an object: 400');

# ---- users and roles
$t->signed(POST => '/api/v1/instances', { whmcs_service_id => 5, whmcs_client_id => 5,
    email => 'client5@example.com', plan => 'starter', region => 'eu-helsinki' });
my $client = $t->psql_one("SELECT id FROM users WHERE email = 'client5\@example.com'");
$r = get("$A/users?q=client5");
is($r->{json}{total}, 1, 'user search');
is($r->{json}{users}[0]{instances}, 1, 'with the number of instances');
is($r->{json}{users}[0]{role}, 'customer', 'and the role');
is_deeply([ map { $_->{email} } @{ get("$A/users?role=admin")->{json}{users} } ], [ 'chief@example.com' ], 'role filter');
is(get("$A/users?role=root")->{status}, 400, 'unknown role filter: 400');

$r = post("$A/users/$chief/role", { role => 'customer' });
is($r->{status}, 409, 'the last admin cannot be demoted');
like($r->{json}{error}{message}, qr/last admin/, 'saying why');
is($t->psql_one("SELECT role FROM users WHERE id = :'i'", i => $chief), 'admin', 'still admin');
is(post("$A/users/$client/role", { role => 'superuser' })->{status}, 400, 'unknown role: 400');
is(post("$A/users/$client/role", {})->{status}, 400, 'no role: 400');
is(post("$A/users/999999/role", { role => 'admin' })->{status}, 404, 'unknown user: 404');
is(post("$A/users/abc/role", { role => 'admin' })->{status}, 404, 'malformed user id: 404');
$r = post("$A/users/$client/role", { role => 'admin' });
is($r->{status}, 400, "a WHMCS client's user is never promoted (principals never merge)");
like($r->{json}{error}{message}, qr/cannot be an admin/, 'saying why');
# an operator account (ochctl) without the admin role is promoted
$t->ochctl('user', 'create-admin', 'deputy@example.com');
my $deputy = $t->psql_one("SELECT id FROM users WHERE email = 'deputy\@example.com'");
is(post("$A/users/$deputy/role", { role => 'customer' })->{status}, 200, 'an operator admin demoted');
$r = post("$A/users/$deputy/role", { role => 'admin' });
is($r->{status}, 200, 'an operator account promoted');
is($r->{json}{previous_role}, 'customer', 'from customer');
is($t->psql_one("SELECT detail->>'to' FROM audit_log WHERE action = 'admin.user.role' AND status = 200"
    . " ORDER BY id DESC LIMIT 1"), 'admin', 'audited with the change');
is(post("$A/users/$deputy/role", { role => 'admin' })->{status}, 200, 'promoting an admin again: 200, no change');

# two admins, both demoted at the same moment: exactly one demotion wins
my @kids;
for my $u ($deputy, $chief) {
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		my $st = post("$A/users/$u/role", { role => 'customer' })->{status};
		# 403: the other demotion took the acting admin's role first
		POSIX::_exit($st == 200 ? 0 : $st == 409 || $st == 403 ? 1 : 2);
	}
	push @kids, $pid;
}
my @codes = sort map { waitpid($_, 0); $? >> 8 } @kids;
is_deeply(\@codes, [ 0, 1 ], 'two concurrent demotions: one 200, one refused (409, or 403 once the actor lost the role)');
is($t->psql_one("SELECT count(*) FROM users WHERE role = 'admin'"), 1, 'one admin left');
my $left = $t->psql_one("SELECT id FROM users WHERE role = 'admin'");
is(get("$A/users")->{status}, $left == $chief ? 200 : 403, 'the demoted one has no admin access any more');

$t->done_testing;
