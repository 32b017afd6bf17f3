# Hetzner snapshots as the second kind of backup (lib/snapshot.h), end to
# end: PostgreSQL, the FastCGI binaries behind nginx, och-poller and
# och-cloudsim's Hetzner API (create_image actions, snapshot images,
# rebuild from an image).
#   1. a plan with snapshots: och-poller maintain queues the scheduled
#      one, starts its create_image action and follows it until it is
#      stored; the image is labelled with the instance; the backups API
#      lists it; not due again;
#   2. on demand by the customer (one at a time); the plan's slots kept,
#      the older image deleted at Hetzner;
#   3. a plan without snapshots: the customer is refused, an admin may;
#   4. create_image failing at Hetzner: the snapshot fails with the
#      reason, the stored one stays;
#   5. restore = the server rebuilt from the snapshot's image: the
#      instance goes through rebuilding back to active, its history says
#      so;
#   6. termination deletes the snapshots with the server (nothing is
#      left to restore them to);
#   7. the attacker's way: a customer presses "Take snapshot" again and
#      again through nginx: one is queued, every other press is 429 and
#      changes nothing (no row, no event, no Hetzner call); at most
#      SNAPSHOT_MANUAL_PER_DAY (3) a day, then 429 with Retry-After; an
#      admin is held only to one at a time.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of magic_login);

my $t = OCH::Test->new;
my $dir = $t->dir;
$t->start_pg;
my $sim = $t->start_sim('--create-delay', '0.2', '--boot-delay', '0.3', '--action-delay', '0.5');
$t->start_api(binaries => [qw(health instances agent auth settings backups admin)],
    config => { BOOT_TIMEOUT => 30, POLLER_BACKOFF_MS => 200, POLLER_BACKOFF_MAX_MS => 2000 });
my $H = { Authorization => "Bearer $OCH::Stack::SIM{hetzner_token}" };
sub hz { my ($path) = @_; $t->http(GET => "$sim/hetzner/v1$path", headers => $H) }

sub maintain { $t->poller_once('maintain', @_) }
my $id;
sub inst { my ($col) = @_; $t->psql_one("SELECT $col FROM instances WHERE id = :'i'", i => $id) }
sub snap { my ($bid) = @_; ($t->psql(q{SELECT status, coalesce(error, ''), coalesce(hetzner_image_id::text, ''),
	reason FROM backups WHERE id = :'b'}, b => $bid))[0] // [] }
sub snaps { $t->psql_one(q{SELECT count(*) FROM backups WHERE instance_id = :'i' AND kind = 'snapshot'}, i => $id) }
# maintain until snapshot $bid is no longer being made
sub settle {
	my ($bid, $what) = @_;
	ok($t->wait_for(sub { is(maintain(), 0, "maintain ($what)"); snap($bid)->[0] ne 'creating' },
	    timeout => 30), "$what: the create_image action ended");
	return snap($bid);
}
sub events { $t->psql_one(q{SELECT string_agg(kind, ' ' ORDER BY id) FROM instance_events WHERE instance_id = :'i'},
	i => $id) // '' }

# an admin gives the plan snapshots: one a day, one kept
$t->ochctl('user', 'create-admin', 'boss@och.test');
my $login = magic_login($t, 'boss@och.test');
is($login && $login->{status}, 200, 'an admin signs in by the emailed link');
my $adm = session_of($login);
my $r = $t->http(PUT => '/api/v1/admin/plans/starter', headers => $adm,
    body => { snapshot_hours => 24, snapshot_slots => 1 });
is($r->{status}, 200, 'the admin gives the starter plan snapshots') or diag $r->{content};
is(join(' ', @{ $r->{json} }{qw(snapshot_hours snapshot_slots backup_hours)}), '24 1 24', 'as the plan shows');
is($t->http(PUT => '/api/v1/admin/plans/starter', headers => $adm, body => { snapshot_slots => 101 })->{status},
    400, 'more than 100 slots: 400');
$r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4811, whmcs_client_id => 4811,
    email => 'snap@example.test', plan => 'starter', region => 'eu-helsinki' });
is($r->{status}, 201, 'order accepted') or diag $r->{content};
$id = $r->{json}{id};
$t->spawn(name => 'provision', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 600 });
ok($t->wait_for(sub { (inst('state') // '') eq 'active' }, timeout => 30), 'active');
my $server = inst('hetzner_server_id');
my $own = $t->sso_session($id);
my $host = inst('slug') . '.och.test';
my $plan_image = hz("/servers/$server")->{json}{server}{image}{id};
ok($plan_image, "the server runs the plan's image $plan_image");

# ---- 1. the scheduled snapshot
is(maintain(), 0, 'maintain');
my ($s1) = map { $_->[0] } $t->psql(q{SELECT id FROM backups WHERE instance_id = :'i' AND kind = 'snapshot'}, i => $id);
ok($s1, 'maintain queued the scheduled snapshot');
is(snap($s1)->[3], 'scheduled', 'by the schedule');
is(settle($s1, 'scheduled snapshot')->[0], 'available', 'the snapshot is stored');
my $img1 = snap($s1)->[2];
$r = hz("/images/$img1");
is($r->{status}, 200, 'Hetzner has its image');
is($r->{json}{image}{type}, 'snapshot', 'a snapshot');
is($r->{json}{image}{created_from}{id}, $server, 'of the instance\'s server');
is($r->{json}{image}{labels}{'och-instance'}, $id, 'labelled with the instance');
$r = $t->http(GET => "/api/v1/instances/$id/backups", headers => $own);
is($r->{status}, 200, 'the customer lists the backups');
my ($listed) = grep { $_->{id} == $s1 } @{ $r->{json}{backups} // [] };
is($listed && "$listed->{kind} $listed->{status}", 'snapshot available', 'the snapshot among them');
is($r->{json}{snapshot_slots}, 1, "and the plan's snapshot slots (the dashboard's \"Take snapshot\")");
is(maintain(), 0, 'maintain again');
is(snaps(), 1, 'not due again within snapshot_hours');
like(events(), qr/snapshot\.queued.*snapshot\.stored/, 'the history says it was stored');

# ---- 2. on demand, one at a time; the plan keeps one
$r = $t->http(POST => "/api/v1/instances/$id/backups/snapshot", headers => $own);
is($r->{status}, 202, 'the customer asks for a snapshot') or diag $r->{content};
my $s2 = $r->{json}{backup_id};
$r = $t->http(POST => "/api/v1/instances/$id/backups/snapshot", headers => $own);
is($r->{status}, 429, 'a second one while it is being made: 429');
$r = $t->http(POST => "/api/v1/instances/$id/backups/snapshot", headers => { Cookie => $own->{Cookie} });
is($r->{status}, 403, 'without the CSRF token: 403');
$r = $t->http(POST => "/api/v1/instances/$id/backups/snapshot");
is($r->{status}, 401, 'without a session: 401');
is(settle($s2, 'on-demand snapshot')->[0], 'available', 'stored');
is(snap($s2)->[3], 'manual', 'on demand');
is(maintain(), 0, 'maintain: retention');
is(snap($s1)->[0], 'deleted', 'beyond the plan\'s one slot the older snapshot is deleted');
is(hz("/images/$img1")->{status}, 404, 'its image is gone at Hetzner');
my $img2 = snap($s2)->[2];
is(hz("/images/$img2")->{status}, 200, 'the newer one is kept');

# ---- 3. a plan without snapshots: the customer may not, an admin may
is($t->http(PUT => '/api/v1/admin/plans/starter', headers => $adm,
    body => { snapshot_hours => 0, snapshot_slots => 0 })->{status}, 200, 'the plan has snapshots no more');
$r = $t->http(POST => "/api/v1/instances/$id/backups/snapshot", headers => $own);
is($r->{status}, 403, 'the customer is refused: the plan has none');

# ---- 4. create_image fails at Hetzner
$r = $t->http(POST => "$sim/_sim/faults", body => { service => 'hetzner',
    route => 'POST /servers/{id}/actions/create_image', script => ['action_error'] });
is($r->{status}, 200, 'Hetzner will fail the next create_image');
$r = $t->http(POST => "/api/v1/instances/$id/backups/snapshot", headers => $adm);
is($r->{status}, 202, 'the admin asks for one') or diag $r->{content};
my $s3 = $r->{json}{backup_id};
my $res = settle($s3, 'failing snapshot');
is($res->[0], 'failed', 'the snapshot failed');
like($res->[1], qr/create_image failed: action_failed/, 'saying why');
is(snap($s2)->[0], 'available', 'the stored one is untouched');
is(hz("/images/$img2")->{status}, 200, 'and its image');
like(events(), qr/snapshot\.failed/, 'the history says it failed');

# ---- 5. restore: the server rebuilt from the snapshot
$r = $t->http(POST => "/api/v1/instances/$id/backups/$s3/restore", headers => $own, body => { confirm => $host });
is($r->{status}, 409, 'a failed snapshot cannot be restored');
$r = $t->http(POST => "/api/v1/instances/$id/backups/$s2/restore", headers => $own, body => { confirm => 'yes' });
is($r->{status}, 400, 'a restore needs the hostname as confirmation');
$r = $t->http(POST => "/api/v1/instances/$id/backups/$s2/restore", headers => $own, body => { confirm => $host });
is($r->{status}, 202, 'restore accepted') or diag $r->{content};
ok($r->{json}{rebuild}, 'as a rebuild');
$r = $t->http(POST => "/api/v1/instances/$id/backups/$s2/restore", headers => $own, body => { confirm => $host });
is($r->{status}, 409, 'a second restore meanwhile: 409');
ok($t->wait_for(sub { (hz("/servers/$server")->{json}{server}{image}{id} // 0) == $img2 }, timeout => 30),
    'Hetzner rebuilds the server from the snapshot image');
ok($t->wait_for(sub { (inst('state') // '') eq 'active' && !inst('pending_action') }, timeout => 60),
    'the instance is active again');
is(inst('hetzner_server_id'), $server, 'on the same server');
is(inst("coalesce(restore_image, 'none')"), 'none', 'the restore is done with');
like(events(), qr/snapshot_restore\.queued.*state\.rebuilding.*state\.active/, 'the history says so');

# ---- 6. termination
is($t->signed(POST => "/api/v1/instances/$id/terminate")->{status}, 202, 'terminated by WHMCS');
ok($t->wait_for(sub { (inst('state') // '') eq 'terminated' }, timeout => 30), 'terminated');
is(hz("/images/$img2")->{status}, 404, 'its snapshot image is deleted with the server');
is(maintain(), 0, 'maintain');
is(snap($s2)->[0], 'deleted', 'the snapshot is recorded deleted');

# ---- 7. many presses: a second customer, a plan with two slots, no schedule
is($t->http(PUT => '/api/v1/admin/plans/starter', headers => $adm,
    body => { snapshot_hours => 0, snapshot_slots => 2 })->{status}, 200, 'the plan has snapshots again (on demand)');
$r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4812, whmcs_client_id => 4812,
    email => 'press@example.test', plan => 'starter', region => 'eu-helsinki' });
is($r->{status}, 201, 'a second order') or diag $r->{content};
$id = $r->{json}{id};
ok($t->wait_for(sub { (inst('state') // '') eq 'active' }, timeout => 30), 'active');
$own = $t->sso_session($id);
my $press = sub { $t->http(POST => "/api/v1/instances/$id/backups/snapshot", headers => $own) };
my $queued = sub { $t->psql_one(q{SELECT count(*) FROM instance_events WHERE instance_id = :'i'
	AND kind = 'snapshot.queued'}, i => $id) };
sub create_images { $t->http(GET => "$sim/_sim/stats")->{json}{hetzner}{'POST /servers/{id}/actions/create_image'} // 0 }
# every refused press: 429 rate_limited saying why, and Retry-After
# within [lo, hi] seconds, or none
sub refused {
	my ($what, $presses, $re, $lo, $hi) = @_;
	my @st = map { $_->{status} } @$presses;
	is_deeply(\@st, [ (429) x @$presses ], "$what: every press 429") or diag "@st";
	is(scalar(grep { ($_->{json}{error}{code} // '') eq 'rate_limited' && ($_->{json}{error}{message} // '') =~ $re }
	    @$presses), scalar(@$presses), "$what: rate_limited, saying why");
	my @ra = map { $_->{headers}{'retry-after'} } @$presses;
	if (!defined $lo) {
		is(scalar(grep { defined } @ra), 0, "$what: no Retry-After (only the end of the one being made helps)");
	} else {
		is(scalar(grep { defined && /^\d+$/ && $_ >= $lo && $_ <= $hi } @ra), scalar(@ra),
		    "$what: Retry-After within $lo..$hi s") or diag "@{[ map { $_ // 'none' } @ra ]}";
	}
}

$t->http(DELETE => "$sim/_sim/stats");
my @p = map { $press->() } 1 .. 20;
is($p[0]{status}, 202, 'the first of 20 presses queues a snapshot') or diag $p[0]{content};
my $s4 = $p[0]{json}{backup_id};
refused('the 19 presses after it', [ @p[1 .. 19] ], qr/being made/, undef);
is(snaps(), 1, 'one snapshot row, not twenty');
is($queued->(), 1, 'one snapshot.queued in the history');
is(create_images(), 0, 'no Hetzner call from a press');
is(settle($s4, 'pressed snapshot')->[0], 'available', 'the one queued is made');
is(create_images(), 1, 'with one create_image action');

# the day's cap: two more are taken, the fourth and later are refused
$r = $press->();
is($r->{status}, 202, 'a second snapshot that day, once the first is made') or diag $r->{content};
my $s5 = $r->{json}{backup_id};
is(settle($s5, 'second of the day')->[0], 'available', 'made');
$r = $press->();
is($r->{status}, 202, 'and a third') or diag $r->{content};
is(settle($r->{json}{backup_id}, 'third of the day')->[0], 'available', 'made');
my ($rows, $evs, $calls) = (snaps(), $queued->(), create_images());
# until the first of the day is a day old: read before and after the presses
my $left = sub { $t->psql_one(q{SELECT ceil(extract(epoch FROM created_at + interval '1 day' - now()))::bigint
	FROM backups WHERE id = :'b'}, b => $s4) };
my $before = $left->();
@p = map { $press->() } 1 .. 10;
my $after = $left->();
refused("10 presses over the day's 3", \@p, qr/at most 3 snapshots a day/, $after - 1, $before + 1);
is(maintain(), 0, 'maintain');
is_deeply([ snaps(), $queued->(), create_images() ], [ $rows, $evs, $calls ],
    'nothing changed: no row, no event, no Hetzner call');
$r = $t->http(POST => "/api/v1/instances/$id/backups/snapshot", headers => $adm);
is($r->{status}, 202, 'an admin is not held to the day\'s count') or diag $r->{content};
refused('the customer meanwhile', [ $press->() ], qr/being made/, undef);
is(settle($r->{json}{backup_id}, "the admin's")->[0], 'available', 'made');

$t->done_testing;
