# docs/api-types.json is the one home of the API answers' shapes: the
# webapp's TypeScript types are generated from it (webapp/scripts/
# gen-api-types.mjs; `npm run build` fails when src/generated/api.ts is
# stale, t/800 and t/820 run it), and here the real binaries' answers are
# validated against it (python3-jsonschema, draft 2020-12, no member more
# and none less): GET /me (a customer's, an admin's read-only view of
# it), the view's opening and end, GET /admin/stats (without and with
# Hetzner's budget), the warm pool's view, the instance list (a page
# with a next one), the audit log.  So a member added, dropped or
# retyped on either side fails a test.  The checker itself is shown to refuse a drifted answer.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use JSON::PP;
use OCH::Test;
use OCH::Login qw(session_of magic_login sso_login);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
$t->start_api(binaries => [qw(instances auth admin)]);
my $schema = $t->src('docs/api-types.json');
my $checker = $t->src('t/bin/api-types-check');
my $json = JSON::PP->new->canonical;
my $n = 0;

# Valid against $defs/NAME: (ok, the checker's output).
sub check_doc {
	my ($name, $doc) = @_;
	my $file = $t->dir . '/answer-' . ++$n . '.json';
	open my $fh, '>', $file or die "$file: $!";
	print $fh $json->encode($doc);
	close $fh;
	my $out = $t->_capture([ $checker, $schema, $name, $file ], \my $err);
	return ($? == 0, "$out$err");
}
sub conforms {
	my ($name, $r, $what) = @_;
	my ($ok, $out) = check_doc($name, $r->{json});
	ok($ok, "$what: the answer is a $name") or diag $out, explain $r->{json};
}

my ($rc, undef, $err) = $t->ochctl('user', 'create-admin', 'types@example.com');
is($rc, 0, 'an admin') or diag $err;
my $adm = session_of(magic_login($t, 'types@example.com'));
my @ids;
for my $k (1, 2) {
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 3660 + $k, whmcs_client_id => 366,
	    email => 'types-cust@example.com', plan => 'starter', region => 'eu-helsinki' });
	is($r->{status}, 201, "order $k");
	push @ids, $r->{json}{id};
}
my $cust = session_of(sso_login($t, $ids[0]));

my $r = $t->http(GET => '/api/v1/me', headers => $cust);
is($r->{status}, 200, 'GET /me');
conforms(Me => $r, "a customer's /me");

$r = $t->http(GET => '/api/v1/admin/stats', headers => $adm);
conforms(Stats => $r, 'GET /admin/stats before any poller');
is($r->{json}{hetzner_budget}, undef, '(hetzner_budget null)');
$r = $t->http(PUT => '/api/v1/admin/pool', headers => $adm, body => { max_servers => 4,
    targets => [ { plan => 'starter', region => 'eu-helsinki', target => 1, monthly_cents => 499 } ] });
conforms(AdminPool => $r, 'PUT /admin/pool (a target)');
$t->psql(q{INSERT INTO poller_heartbeats (mode, host, pid, hetzner_limit, hetzner_remaining, hetzner_reset_at,
    hetzner_seen_at) VALUES ('provision', 'types', 1, 3600, 3000, now() + interval '10 minutes', now())});
$r = $t->http(GET => '/api/v1/admin/stats', headers => $adm);
conforms(Stats => $r, 'GET /admin/stats with a budget');
is($r->{json}{hetzner_budget}{remaining}, 3000, '(the budget is there)');

$r = $t->http(GET => '/api/v1/admin/instances?limit=1', headers => $adm);
conforms(InstancePage => $r, 'GET /admin/instances?limit=1');
ok(defined $r->{json}{next_after}, '(a page with a next one)');
my $page = $r->{json};
$r = $t->http(GET => "/api/v1/admin/instances?limit=1&after=$page->{next_after}", headers => $adm);
conforms(InstancePage => $r, 'the last page by keyset');

$r = $t->http(GET => '/api/v1/admin/audit?limit=5', headers => $adm);
conforms(AuditPage => $r, 'GET /admin/audit');

$r = $t->http(POST => "/api/v1/admin/instances/$ids[0]/view", headers => $adm);
is($r->{status}, 201, 'a read-only view opened');
conforms(ViewOpened => $r, 'POST /admin/instances/{id}/view');
my $view = session_of($r);
$r = $t->http(GET => '/api/v1/me', headers => $view);
conforms(Me => $r, "the view's /me");
ok(ref $r->{json}{view} eq 'HASH', '(with view)');
$r = $t->http(POST => '/api/v1/auth/view/end', headers => $view);
conforms(ViewEnded => $r, 'POST /auth/view/end');

# the checker refuses drift both ways
my %extra = (%$page, cursor => 'x');
my ($ok, $out) = check_doc(InstancePage => \%extra);
ok(!$ok, 'a member the schema does not name is refused') or diag $out;
my %inst = (%{ $page->{instances}[0] }, region_name => 'Helsinki');
($ok, $out) = check_doc(InstancePage => { %$page, instances => [ \%inst ] });
ok(!$ok, 'so is one added to an instance of the list') or diag $out;
my %less = %$page;
delete $less{next_after};
($ok, $out) = check_doc(InstancePage => \%less);
ok(!$ok, 'and a member missing') or diag $out;
($ok, $out) = check_doc(Stats => { %{ $t->http(GET => '/api/v1/admin/stats', headers => $adm)->{json} }, total => 'many' });
ok(!$ok, 'and one of the wrong type') or diag $out;

# the generated TypeScript is what the schema says now
my $gen = $t->_capture([ 'node', $t->src('webapp/scripts/gen-api-types.mjs'), '--check' ], \my $gerr);
is($?, 0, 'webapp/src/generated/api.ts is generated from docs/api-types.json as it is') or diag "$gen$gerr";
$t->done_testing;
