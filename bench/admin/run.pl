#!/usr/bin/perl
# bench/admin: the admin panel's lists at fleet scale.  Seeds N instances
# (default 100,000; 10,000 customers, states, plans and regions mixed,
# created over a year) and N audit-log rows, then asks admin.fcgi through
# nginx with the shipped config, as the admin panel does, R times each:
#   - the instance list, first page (limit 50, newest first, offset 0) and
#     the last page, by offset (offset N-50) and by keyset (after= the
#     row before it, as the panel's "Next" asks); the same with a state
#     filter;
#   - the audit log, first page and the oldest page (keyset: before_id);
# and prints the medians and the ratios deep / first (1.0: the depth
# costs nothing).  The seeding is SQL (a benchmark's fixture, not a user
# flow); the reads are the HTTP requests the browser sends.
#   OCH_SRCDIR=$PWD OCH_BUILDDIR=$PWD/build perl -It/lib bench/admin/run.pl [N] [R]
use strict;
use warnings;
use Time::HiRes qw(time);
use OCH::Stack;
use OCH::Login qw(session_of magic_login);

my $n = shift // 100_000;
my $reps = shift // 30;
my $s = OCH::Stack->new;
$s->start_pg;
$s->start_sim;
$s->start_api(binaries => [qw(auth admin)]);
my ($rc, undef, $err) = $s->ochctl('user', 'create-admin', 'bench@example.com');
die "create-admin: $err" if $rc;
my $adm = session_of(magic_login($s, 'bench@example.com'));

my $t0 = time;
$s->psql(q{INSERT INTO users (email, whmcs_client_id)
    SELECT 'cust' || g || '@example.com', g FROM generate_series(1, 10000) g});
$s->psql(qq{INSERT INTO instances (slug, user_id, plan, region, whmcs_service_id, whmcs_client_id, state,
      desired_state, openclaw_version, created_at, updated_at)
    SELECT 'oc-' || lpad(to_hex(g), 8, '0'), u.id, CASE WHEN g % 3 = 0 THEN 'professional' ELSE 'starter' END,
      CASE WHEN g % 2 = 0 THEN 'eu-helsinki' ELSE 'eu-nuremberg' END, g, u.whmcs_client_id,
      (ARRAY['active','active','active','active','active','active','suspended','terminated','failed','pending'])[1 + g % 10],
      CASE WHEN g % 10 = 7 THEN 'terminated' WHEN g % 10 = 6 THEN 'suspended' ELSE 'active' END,
      '2026.9.6', now() - (($n - g) * interval '315 seconds'), now() - (($n - g) * interval '300 seconds')
    FROM generate_series(1, $n) g JOIN users u ON u.whmcs_client_id = 1 + g % 10000});
$s->psql(qq{INSERT INTO audit_log (at, actor_kind, actor_id, action, object_kind, object_id, status)
    SELECT now() - (($n - g) * interval '300 seconds'), 'admin', '1',
      (ARRAY['admin.instance.get','admin.instance.list','admin.stats','instance.get'])[1 + g % 4],
      'instance', md5(g::text), 200 FROM generate_series(1, $n) g});
$s->psql('ANALYZE');
printf "seeded %d instances and %d audit rows in %.1f s\n", $n, $n, time - $t0;

my $A = '/api/v1/admin';
sub get {
	my ($path) = @_;
	my $r = $s->http(GET => "$A$path", headers => $adm);
	die "GET $path: $r->{status} $r->{content}\n" unless $r->{status} == 200;
	return $r->{json};
}
my $min_id = $s->psql_one('SELECT min(id) FROM audit_log');
my $filtered = $s->psql_one(q{SELECT count(*) FROM instances WHERE state = 'active'});
my $cur = $s->psql_one('SELECT id FROM instances ORDER BY created_at DESC, id DESC OFFSET :o LIMIT 1', o => $n - 51);
my $cur_a = $s->psql_one(q{SELECT id FROM instances WHERE state = 'active' ORDER BY created_at DESC, id DESC
    OFFSET :o LIMIT 1}, o => $filtered - 51);
my %target = (
	'instances, first page' => '/instances?limit=50',
	'instances, last page by offset' => '/instances?limit=50&offset=' . ($n - 50),
	'instances, last page by keyset' => "/instances?limit=50&after=$cur",
	'instances, state=active, first page' => '/instances?state=active&limit=50',
	'instances, state=active, last by offset' => "/instances?state=active&limit=50&offset=" . ($filtered - 50),
	'instances, state=active, last by keyset' => "/instances?state=active&limit=50&after=$cur_a",
	'audit, first page' => '/audit?limit=50',
	'audit, oldest page' => '/audit?limit=50&before_id=' . ($min_id + 51),
);
# each answer is the page it claims to be
die "first page\n" unless @{ get($target{'instances, first page'})->{instances} } == 50;
for my $k ('instances, last page by offset', 'instances, last page by keyset',
    'instances, state=active, last by offset', 'instances, state=active, last by keyset') {
	my $j = get($target{$k});
	die "$k: not the last 50\n" unless @{ $j->{instances} } == 50 && !defined $j->{next_after};
}
die "keyset and offset disagree\n" unless get($target{'instances, last page by keyset'})->{instances}[0]{id}
    eq get($target{'instances, last page by offset'})->{instances}[0]{id};
die "oldest audit page\n" unless @{ get($target{'audit, oldest page'})->{entries} } == 50;
my %ms;
for (1 .. $reps) {
	for my $k (sort keys %target) {
		my $t = time;
		get($target{$k});
		push @{ $ms{$k} }, 1000 * (time - $t);
	}
}
sub med { my @v = sort { $a <=> $b } @_; $v[int($#v / 2)] }
my %m = map { $_ => med(@{ $ms{$_} }) } keys %ms;
printf "%-40s %8.2f ms (median of %d)\n", $_, $m{$_}, $reps for sort keys %m;
my $f = $m{'instances, first page'};
my $fa = $m{'instances, state=active, first page'};
printf "ratio instances last / first page, offset:    %.2f\n", $m{'instances, last page by offset'} / $f;
printf "ratio instances last / first page, keyset:    %.2f\n", $m{'instances, last page by keyset'} / $f;
printf "ratio state=active last / first, offset:      %.2f\n", $m{'instances, state=active, last by offset'} / $fa;
printf "ratio state=active last / first, keyset:      %.2f\n", $m{'instances, state=active, last by keyset'} / $fa;
printf "ratio audit oldest / first page:              %.2f\n", $m{'audit, oldest page'} / $m{'audit, first page'};
$s->stop_all;
