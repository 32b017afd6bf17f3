# Pre-built images (tools/ctl_image.c) against och-cloudsim: `ochctl
# image build` boots a builder (och-setup image: installs, cleans, powers
# off), snapshots it with its labels, checks the snapshot by booting one
# server from it, makes it the plans' image and deletes its helpers; an
# order then boots from it with no install step (setup.prebuilt); the
# warm pool recycles onto it; --if-changed does nothing for the same
# recipe and builds for a new pinned version; a build whose snapshot fails
# or whose check fails leaves the previous image in use and nothing
# behind; retired images are pruned, the newest retired one kept.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.1', '--action-delay', '0.2');
# the latency profiles
my $r = $t->http(POST => "$sim/_sim/latency", body => { profile => 'hetzner' });
is_deeply([ @{ $r->{json} }{qw(profile create create_snapshot boot setup_bare setup_prebuilt claim)} ],
    [ 'hetzner', 10, 25, 12, 210, 13, 3 ], 'the hetzner profile, as /_sim/latency reports it');
is($t->http(POST => "$sim/_sim/latency", body => { profile => 'aws' })->{status}, 400, 'an unknown profile is refused');
is($t->http(GET => "$sim/_sim/latency")->{json}{profile}, 'hetzner', 'and changes nothing');
$r = $t->http(POST => "$sim/_sim/latency", body => { profile => 'default', boot => 0.2, create => 0.1, action => 0.2 });
is($r->{json}{create_snapshot}, 0.1, 'default: a snapshot creates as fast as an image');
# the installs take a while on a bare image, not on a pre-built one
$r = $t->http(POST => "$sim/_sim/latency", body => { setup_bare => 1.5, setup_prebuilt => 0.3 });
is($r->{json}{profile}, 'custom', 'latency set') or diag $r->{content};
$t->start_api(binaries => [qw(instances agent)], config => { BOOT_TIMEOUT => 30, OPENCLAW_VERSION => '2026.9.6' });
sub one { $t->psql_one(@_) }
sub servers { @{ $t->http(GET => "$sim/_sim/servers")->{json}{servers} } }
sub snapshots { grep { $_->{type} eq 'snapshot' } @{ $t->http(GET => "$sim/hetzner/v1/images?type=snapshot",
    headers => { Authorization => 'Bearer sim-hetzner-token' })->{json}{images} } }
sub build { my @a = @_; $t->ochctl('image', 'build', '--poll', '0.2', '--timeout', '20', @a) }

is(one("SELECT image FROM plans WHERE name = 'starter'"), 'ubuntu-24.04', 'plans start on the system image');
my ($rc, $out, $err) = build();
is($rc, 0, 'image build succeeds') or diag "$out\n$err";
my $img = one("SELECT hetzner_image_id FROM images WHERE state = 'current' AND arch = 'x86'");
ok($img, "current image $img");
is(one("SELECT count(*) FROM plans WHERE image = :'i'", i => $img), one("SELECT count(*) FROM plans WHERE server_type NOT LIKE 'cax%'"),
    'every x86 plan boots it');
my ($snap) = grep { $_->{id} == $img } snapshots();
ok($snap, 'the snapshot exists at the provider');
is($snap->{labels}{'och-openclaw'}, '2026.9.6', 'labelled with the OpenClaw version');
is($snap->{labels}{'och-arch'}, 'x86', 'the architecture');
like($snap->{labels}{'och-recipe'} // '', qr/^[0-9a-f]{32}$/, 'and the recipe hash');
is(scalar(servers()), 0, 'builder and check servers are deleted');
like($out, qr/plan starter now boots image $img/, 'ochctl says what changed');

# ---- an order boots from it: no installs
my $o = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4571, whmcs_client_id => 4571,
    email => 'img@example.com', plan => 'starter', region => 'eu-helsinki' });
$t->spawn(name => 'poller', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 120 });
my $id = $o->{json}{id};
ok($t->wait_for(sub { one("SELECT state FROM instances WHERE id = :'i'", i => $id) eq 'active' }, timeout => 40),
    'an order on the pre-built image is active');
my ($s) = servers();
is(ref $s->{image} ? $s->{image}{id} : $s->{image}, $img, 'its server boots the snapshot');
ok($s->{callback}{prebuilt}, 'and its setup says pre-built');

# ---- --if-changed
($rc, $out) = build('--if-changed');
is($rc, 0, 'if-changed, same recipe');
like($out, qr/nothing changed/, 'nothing to do');
is(one("SELECT count(*) FROM images"), 1, 'no new image row');

# ---- a failed snapshot leaves the previous image
$t->http(POST => "$sim/_sim/faults", body => { service => 'hetzner',
    route => 'POST /servers/{id}/actions/create_image', script => ['action_error'] });
my $nsnap = scalar snapshots();
($rc, $out, $err) = build();
is($rc, 1, 'a build whose snapshot fails fails');
is(one("SELECT image FROM plans WHERE name = 'starter'"), $img, 'the plans keep the previous image');
is(one("SELECT state FROM images ORDER BY id DESC LIMIT 1"), 'failed', 'the build is recorded as failed');
ok(!grep({ $_->{name} =~ /^och-image-/ } servers()), 'no builder left');
is(scalar snapshots(), $nsnap, 'no half-made snapshot left');

# ---- a failed check leaves the previous image
$t->http(POST => "$sim/_sim/latency", body => { setup_prebuilt => 60 });
($rc, $out, $err) = $t->ochctl('image', 'build', '--poll', '0.2', '--timeout', '4');
is($rc, 1, 'a build whose check does not pass fails');
like($err, qr/check/, 'saying so');
is(one("SELECT image FROM plans WHERE name = 'starter'"), $img, 'the plans keep the previous image');
is(scalar snapshots(), $nsnap, 'the unchecked snapshot is deleted');
ok(!grep({ $_->{name} =~ /^och-image-/ } servers()), 'no check server left');
$t->http(POST => "$sim/_sim/latency", body => { setup_prebuilt => 0.3 });

# ---- a new pinned version rebuilds (--if-changed); older images are pruned
my @built = ($img);
for my $v ('2026.9.7', '2026.9.8') {
	local $ENV{OPENCLAW_VERSION} = $v;
	($rc, $out, $err) = build('--if-changed');
	is($rc, 0, "openclaw $v: rebuilt") or diag "$out\n$err";
	push @built, one("SELECT hetzner_image_id FROM images WHERE state = 'current' AND arch = 'x86'");
}
isnt($built[2], $built[0], 'a new current image');
is(one("SELECT image FROM plans WHERE name = 'starter'"), $built[2], 'the plans follow');
is(one("SELECT state FROM images WHERE hetzner_image_id = :'i'", i => $built[0]), 'deleted', 'the oldest is pruned');
is(one("SELECT state FROM images WHERE hetzner_image_id = :'i'", i => $built[1]), 'retired', 'the previous one is kept');
my %live = map { $_->{id} => 1 } snapshots();
ok(!$live{$built[0]} && $live{$built[1]} && $live{$built[2]}, 'and so at the provider');
($rc, $out) = $t->ochctl('image', 'list');
like($out, qr/current/, 'image list shows them');
$t->done_testing;
