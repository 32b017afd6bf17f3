# admin.fcgi's fleet reads and the skills catalogue (admin_fleet.c,
# admin_skills.c): the instance list's filters (plan, region, version),
# sorts and pages with their validation, keyset pages (after, next_after)
# the same rows as the offsets in every order; the audit log's time window;
# /admin/stats; add, edit and retire a skill (retired ones leave the
# customer's catalogue, instances keep what they have).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use JSON::PP ();
use OCH::Test;
use OCH::Login qw(session_of magic_login sso_login);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_api(binaries => [qw(instances auth settings admin)]);

my ($rc, undef, $err) = $t->ochctl('user', 'create-admin', 'root@example.com');
is($rc, 0, 'an admin') or diag $err;
my $adm = session_of(magic_login($t, 'root@example.com'));
my $A = '/api/v1/admin';
sub get { my ($p) = @_; $t->http(GET => "$A$p", headers => $adm) }

my @ids;
for my $n (1 .. 12) {
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 3630 + $n, whmcs_client_id => 363,
	    email => 'fleet@example.com', plan => $n % 3 ? 'starter' : 'professional',
	    region => $n % 2 ? 'eu-helsinki' : 'us-ashburn' });
	push @ids, $r->{json}{id};
}
$t->psql("UPDATE instances SET state = 'active', openclaw_version = '2026.9.5' WHERE id = :'i'", i => $ids[0]);
$t->psql("UPDATE instances SET state = 'failed', failed_state = 'creating' WHERE id = :'i'", i => $ids[1]);
$t->psql("UPDATE instances SET state = 'terminated', desired_state = 'terminated' WHERE id = :'i'", i => $ids[2]);
$t->psql("INSERT INTO instance_events (instance_id, kind, from_state, to_state) VALUES (:'i', 'state', 'creating', 'failed')", i => $ids[1]);
# one stuck in a step for an hour
$t->psql("UPDATE instances SET state = 'creating', updated_at = now() - interval '1 hour' WHERE id = :'i'", i => $ids[3]);

# ---- filters, sorts, pages
my $r = get('/instances?plan=professional');
is($r->{json}{total}, 4, 'plan filter: the 4 professional ones');
ok(!grep({ $_->{plan} ne 'professional' } @{ $r->{json}{instances} }), 'and only those');
is(get('/instances?region=us-ashburn')->{json}{total}, 6, 'region filter');
is(get('/instances?region=us-ashburn&plan=professional')->{json}{total}, 2, 'filters combine');
$r = get('/instances?version=2026.9.5');
is_deeply([ map { $_->{id} } @{ $r->{json}{instances} } ], [ $ids[0] ], 'version filter');
$r = get('/instances?sort=slug&dir=asc&limit=50');
my @s = map { $_->{slug} } @{ $r->{json}{instances} };
is_deeply(\@s, [ sort @s ], 'sort=slug&dir=asc: ascending slugs');
$r = get('/instances?sort=slug&limit=50');
@s = map { $_->{slug} } @{ $r->{json}{instances} };
is_deeply(\@s, [ reverse sort @s ], 'sort=slug: descending by default');
$r = get('/instances?dir=asc&limit=5');
is($r->{json}{instances}[0]{id}, $ids[0], 'dir=asc alone: oldest first');
my @pages;
for my $off (0, 5, 10) {
	push @pages, map { $_->{id} } @{ get("/instances?sort=created&limit=5&offset=$off")->{json}{instances} };
}
is_deeply([ sort @pages ], [ sort @ids ], 'three pages of 5 hold each instance once');
# keyset: following next_after walks the same rows as the offsets, in every order
for my $o ('', 'sort=created&dir=asc&', 'sort=updated&', 'sort=slug&dir=asc&', 'sort=state&', 'sort=plan&dir=asc&',
    'sort=region&') {
	my @by_offset;
	for my $off (0, 5, 10) {
		push @by_offset, map { $_->{id} } @{ get("/instances?${o}limit=5&offset=$off")->{json}{instances} };
	}
	my (@by_key, $after, $pages);
	do {
		my $j = get("/instances?${o}limit=5" . ($after ? "&after=$after" : ''))->{json};
		push @by_key, map { $_->{id} } @{ $j->{instances} };
		$after = $j->{next_after};
	} while ($after && ++$pages < 10);
	is_deeply(\@by_key, \@by_offset, "${o}after=: the pages of the offsets, in order, then next_after null");
}
$r = get('/instances?limit=50');
is($r->{json}{next_after}, undef, 'one page holds them all: next_after null');
$r = get('/instances?limit=5&after=not-a-uuid');
is($r->{status}, 400, 'after: not an instance id: 400');
$r = get('/instances?sort=state&limit=50');
@s = map { $_->{state} } @{ $r->{json}{instances} };
is_deeply(\@s, [ reverse sort @s ], 'sort=state');
for my $bad ('sort=price', 'dir=up', 'state=broken', 'plan=' . ('x' x 40)) {
	$r = get("/instances?$bad");
	is($r->{status}, 400, "$bad: 400");
	is($r->{json}{error}{code}, 'invalid_input', 'in the error shape');
}

# ---- stats
$r = get('/stats');
is($r->{status}, 200, 'GET /admin/stats');
my $st = $r->{json};
is($st->{total}, 12, 'total counts every instance');
is($st->{by_state}{terminated}, 1, 'by state, terminated included');
is($st->{by_state}{failed}, 1, 'failed');
is($st->{by_region}{'us-ashburn'} + $st->{by_region}{'eu-helsinki'}, 11, 'by region: not terminated');
is($st->{by_version}{'2026.9.5'}, 1, 'by version');
my $nv = 0;
$nv += $_ for values %{ $st->{by_version} };
is($nv, 11, 'by version: every instance not terminated once');
is($st->{stuck}, 1, 'the one stuck in a step for an hour');
is(scalar @{ $st->{daily} }, 30, '30 days');
is($st->{daily}[-1]{orders}, 12, "today's orders");
is($st->{daily}[-1]{failures}, 1, "today's failure");
like($st->{daily}[-1]{day}, qr/^\d{4}-\d\d-\d\d$/, 'days as dates');

# ---- audit time window: nothing has listed skills yet
my $mid = $t->psql_one(q{SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')});
is(get('/skills')->{status}, 200, 'a read after the mark');
my @after = @{ get("/audit?action=admin.&since=$mid")->{json}{entries} };
ok((grep { $_->{action} eq 'admin.skill.list' } @after) == 1, 'since: the read after the mark');
ok(!grep({ $_->{action} eq 'admin.instance.list' } @after), 'and none of the lists before it');
my @before = @{ get("/audit?action=admin.&until=$mid")->{json}{entries} };
ok((grep { $_->{action} eq 'admin.instance.list' } @before) > 0, 'until: the lists before the mark');
ok(!grep({ $_->{action} eq 'admin.skill.list' } @before), 'and not the read after it');
is(get('/audit?since=2026-13-45T99:00:00Z')->{status}, 400, 'a time that is no time: 400');
is(get('/audit?since=yesterday')->{status}, 400, 'a word: 400');

# ---- skills
$r = get('/skills');
is($r->{status}, 200, 'GET /admin/skills');
my $n0 = scalar @{ $r->{json}{skills} };
ok($n0 >= 1, "the seeded catalogue ($n0)");
sub put { my ($name, $b) = @_; $t->http(PUT => "$A/skills/$name", headers => $adm, body => $b) }
$r = put('notes', { slug => '@openclaw/notes', display_name => 'Notes', version => '1.2.0', description => 'Take notes' });
is($r->{status}, 201, 'a new skill: 201');
is_deeply([ @{ $r->{json} }{qw(name slug version active instances)} ], [ 'notes', '@openclaw/notes', '1.2.0', JSON::PP::true, 0 ],
    'as stored');
$r = put('notes', { description => 'Take and find notes' });
is($r->{status}, 200, 'a change: 200');
is($r->{json}{display_name}, 'Notes', 'fields not given are kept');
is(put('other', { slug => '@openclaw/notes', display_name => 'X' })->{status}, 409, 'a package another skill has: 409');
is(put('new-one', { display_name => 'X' })->{status}, 400, 'a new skill needs its package');
for my $bad ([ 'BAD', { active => JSON::PP::true } ], [ 'x', { slug => 'openclaw/x' } ], [ 'x', { version => 'v 1' } ],
    [ 'x', { display_name => '' } ], [ 'x', { active => 'no' } ], [ 'x', { color => 'red' } ]) {
	my $b = JSON::PP->new->canonical->encode($bad->[1]);
	is(put(@$bad)->{status}, 400, "$bad->[0] $b: 400");
}
# a customer enables it, then it is retired
my $cust = session_of(sso_login($t, $ids[0]));
like($t->http(PUT => "/api/v1/instances/$ids[0]/skills/notes", headers => $cust, body => { enabled => JSON::PP::true })->{status},
    qr/^20[04]$/, 'the customer enables it');
is((grep { $_->{name} eq 'notes' } @{ get('/skills')->{json}{skills} })[0]{instances}, 1, 'the catalogue counts it');
is(put('notes', { active => JSON::PP::false })->{status}, 200, 'retired');
$r = $t->http(GET => "/api/v1/instances/$ids[0]/skills", headers => $cust);
ok(!grep({ $_->{name} eq 'notes' } @{ $r->{json}{skills} }), 'a retired skill leaves the customer\'s catalogue');
is($t->psql_one("SELECT enabled::text FROM instance_skills WHERE skill = 'notes'"), 'true', 'the instance keeps it');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'admin.skill.put' AND status = 201"), 1, 'the creation is audited');

$t->done_testing;
