# och-cloudsim, Hetzner Cloud API: auth, servers, pagination, label
# selectors, actions and their state machine, images, catalogue, metrics,
# rate limit and bad input answered as the real API answers.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $t = OCH::Test->new;
start_fast_sim($t, '--hetzner-readonly-token', 'ro-token');

# --- auth and common headers
my $r = $t->http('GET', "$t->{sim}/hetzner/v1/servers");
is($r->{status}, 401, 'no token: 401');
is($r->{json}{error}{code}, 'unauthorized', 'error code unauthorized');
ok(exists $r->{json}{error}{message}, 'error has a message');
like($r->{headers}{'x-correlation-id'} // '', qr/^[0-9a-f]{32}$/, 'X-Correlation-Id on errors');
$r = hz($t, 'GET', '/servers', undef, token => 'nope');
is($r->{status}, 401, 'wrong token: 401');
$r = hz($t, 'GET', '/servers', undef, token => 'ro-token');
is($r->{status}, 200, 'read-only token can read');
$r = create_server($t, name => 'ro');
$r = hz($t, 'POST', '/servers', { name => 'ro', server_type => 'cx23', image => 'ubuntu-24.04' },
    token => 'ro-token');
is($r->{status}, 403, 'read-only token cannot write');
is($r->{json}{error}{code}, 'token_readonly', 'token_readonly');
$r = hz($t, 'GET', '/servers');
is($r->{headers}{'ratelimit-limit'}, 3600, 'RateLimit-Limit 3600');
like($r->{headers}{'ratelimit-remaining'}, qr/^\d+$/, 'RateLimit-Remaining');
cmp_ok($r->{headers}{'ratelimit-reset'}, '>=', time, 'RateLimit-Reset is a UNIX time');
$r = hz($t, 'GET', '/nothing');
is($r->{status}, 404, 'unknown path: 404');
is($r->{json}{error}{code}, 'not_found', 'not_found');
$r = hz($t, 'PATCH', '/servers');
is($r->{status}, 405, 'wrong method: 405');

# --- create
$r = create_server($t, name => 'web-1', labels => { 'och-instance' => 'abc', tier => 'x' },
    user_data => user_data());
is($r->{status}, 201, 'create: 201');
my $s = $r->{json}{server};
ok($s->{id} > 0, 'server id');
is($s->{status}, 'initializing', 'starts initializing');
is($s->{name}, 'web-1', 'name');
is($s->{server_type}{name}, 'cx23', 'server type');
is($s->{location}{name}, 'fsn1', 'location');
is($s->{image}{name}, 'ubuntu-24.04', 'image');
like($s->{public_net}{ipv4}{ip}, qr/^127\.\d+\.\d+\.\d+$/, 'loopback IPv4');
like($s->{public_net}{ipv6}{ip}, qr{^2001:db8:[0-9a-f:]+/64$}, 'IPv6 net');
ok(!exists $s->{datacenter}, 'no datacenter (removed 2026-07-01)');
is($s->{labels}{'och-instance'}, 'abc', 'labels kept');
is($r->{json}{action}{command}, 'create_server', 'create_server action');
is($r->{json}{action}{status}, 'running', 'action running');
is($r->{json}{next_actions}[0]{command}, 'start_server', 'start_server next');
like($r->{json}{root_password} // '', qr/^\S{12,}$/, 'root password without ssh keys');
my $id = $s->{id};
my $aid = $r->{json}{action}{id};
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{json}{server}{status} eq 'running' }),
    'running after the create action');
$r = hz($t, 'GET', "/actions/$aid");
is($r->{json}{action}{status}, 'success', 'create action success');
is($r->{json}{action}{progress}, 100, 'progress 100');
ok($r->{json}{action}{finished}, 'finished set');
$r = hz($t, 'GET', "/servers/$id/actions/$aid");
is($r->{json}{action}{id}, $aid, 'action via the server');
is(hz($t, 'GET', "/servers/$id/actions/99")->{status}, 404, 'unknown action of server: 404');
$r = hz($t, 'GET', '/actions');
is($r->{status}, 410, 'listing all actions: 410');
is($r->{json}{error}{code}, 'deprecated_api_endpoint', 'deprecated_api_endpoint');
$r = hz($t, 'GET', "/actions?id=$aid&id=1");
is(scalar @{ $r->{json}{actions} }, 1, 'actions by id');
ok($r->{json}{meta}{pagination}, 'actions list has meta');

$r = create_server($t, name => 'keys', start => 0);
is($r->{json}{next_actions} && scalar @{ $r->{json}{next_actions} }, 0, 'no start without start_after_create');
my $off = $r->{json}{server}{id};
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$off")->{json}{server}{status} eq 'off' }), 'off when not started');
$r = hz($t, 'POST', '/servers', { name => 'k2', server_type => 'cx23', image => 'ubuntu-24.04', ssh_keys => ['me'] });
is($r->{json}{root_password}, undef, 'root_password null with ssh keys');

# --- bad input
$r = hz($t, 'POST', '/servers', '{"name": ');
is($r->{status}, 400, 'malformed JSON: 400');
is($r->{json}{error}{code}, 'json_error', 'json_error');
$r = hz($t, 'POST', '/servers', { server_type => 'cx23', image => 'ubuntu-24.04' });
is($r->{json}{error}{code}, 'invalid_input', 'missing name: invalid_input');
is($r->{json}{error}{details}{fields}[0]{name}, 'name', 'field named');
$r = hz($t, 'POST', '/servers', { name => 5, server_type => 'cx23', image => 'ubuntu-24.04' });
is($r->{status}, 400, 'name of the wrong type: 400');
is($r->{json}{error}{details}{fields}[0]{name}, 'name', 'wrong type field named');
$r = hz($t, 'POST', '/servers', { name => 'x', server_type => 'cx999', image => 'ubuntu-24.04' });
is($r->{json}{error}{code}, 'invalid_input', 'unknown server type: invalid_input');
$r = hz($t, 'POST', '/servers', { name => 'x', server_type => 'cx23', image => 'ubuntu-24.04', location => 'mars1' });
like($r->{json}{error}{message}, qr/location 'mars1' not found/, 'unknown location');
$r = hz($t, 'POST', '/servers', { name => 'x', server_type => 'cx23', image => 'ubuntu-24.04', location => 'ash' });
is($r->{json}{error}{message}, 'unsupported location for server type', 'cx23 is not in ash');
$r = hz($t, 'POST', '/servers', { name => 'x', server_type => 'cpx22', image => 'ubuntu-24.04', location => 'ash' });
is($r->{status}, 201, 'cpx22 in ash');
$r = hz($t, 'POST', '/servers', { name => 'y', server_type => 'cx23', image => 'windows-11' });
like($r->{json}{error}{message}, qr/image 'windows-11' not found/, 'unknown image');
$r = hz($t, 'POST', '/servers', { name => 'bad_name!', server_type => 'cx23', image => 'ubuntu-24.04' });
is($r->{status}, 400, 'invalid hostname: 400');
$r = hz($t, 'POST', '/servers', { name => 'web-1', server_type => 'cx23', image => 'ubuntu-24.04' });
is($r->{status}, 409, 'duplicate name: 409');
is($r->{json}{error}{code}, 'uniqueness_error', 'uniqueness_error');
is($r->{json}{error}{details}{fields}[0]{name}, 'name', 'uniqueness on name');
$r = hz($t, 'POST', '/servers', { name => 'big', server_type => 'cx23', image => 'ubuntu-24.04',
    user_data => "#cloud-config\n" . ('#' x 32768) });
is($r->{status}, 400, 'user_data over 32 KiB: 400');
is($r->{json}{error}{details}{fields}[0]{name}, 'user_data', 'user_data named');
$r = hz($t, 'POST', '/servers', { name => 'edge', server_type => 'cx23', image => 'ubuntu-24.04',
    user_data => '#' x 32768 });
is($r->{status}, 201, 'user_data of exactly 32 KiB accepted');
$r = hz($t, 'POST', '/servers', { name => 'lbl', server_type => 'cx23', image => 'ubuntu-24.04',
    labels => { 'hetzner.cloud/x' => 'y' } });
is($r->{json}{error}{details}{fields}[0]{name}, 'labels', 'reserved label prefix refused');
$r = hz($t, 'POST', '/servers', { name => 'dc', server_type => 'cx23', image => 'ubuntu-24.04', datacenter => 'fsn1-dc14' });
is($r->{status}, 400, 'datacenter is not accepted any more');
is(hz($t, 'GET', '/servers/abc')->{status}, 400, 'non-numeric id: 400');
is(hz($t, 'GET', '/servers/123')->{status}, 404, 'unknown server: 404');

# --- list, filters, pagination
for my $i (1 .. 30) {
	create_server($t, name => sprintf('bulk-%02d', $i), labels => { batch => 'b', n => $i % 2 ? 'odd' : 'even' });
}
$r = hz($t, 'GET', '/servers?label_selector=batch%3D%3Db&per_page=25');
is(scalar @{ $r->{json}{servers} }, 25, 'first page of 25');
my $p = $r->{json}{meta}{pagination};
is_deeply([ @$p{qw(page per_page previous_page next_page last_page total_entries)} ],
    [ 1, 25, undef, 2, 2, 30 ], 'pagination meta');
like($r->{headers}{link}, qr/<[^>]*page=2[^>]*>; rel="next"/, 'Link next');
like($r->{headers}{link}, qr/rel="last"/, 'Link last');
$r = hz($t, 'GET', '/servers?label_selector=batch%3D%3Db&page=2&per_page=25');
is(scalar @{ $r->{json}{servers} }, 5, 'second page');
is($r->{json}{meta}{pagination}{next_page}, undef, 'no next on the last page');
$r = hz($t, 'GET', '/servers?per_page=200');
is($r->{json}{meta}{pagination}{per_page}, 50, 'per_page capped at 50');
$r = hz($t, 'GET', '/servers?label_selector=n%3Dodd%2Cbatch&per_page=50');
is(scalar @{ $r->{json}{servers} }, 15, 'selector with AND and =');
$r = hz($t, 'GET', '/servers?label_selector=n%20in%20(odd%2Ceven)&per_page=50');
is(scalar @{ $r->{json}{servers} }, 30, 'selector in (...)');
$r = hz($t, 'GET', '/servers?label_selector=batch%2Cn!%3Dodd&per_page=50');
is(scalar @{ $r->{json}{servers} }, 15, 'selector !=');
$r = hz($t, 'GET', '/servers?label_selector=!batch&per_page=50');
ok(!grep({ ($_->{labels}{batch} // '') eq 'b' } @{ $r->{json}{servers} }), 'selector !key');
$r = hz($t, 'GET', '/servers?label_selector=och-instance%3D%3Dabc');
is(scalar @{ $r->{json}{servers} }, 1, 'find by instance label');
$r = hz($t, 'GET', '/servers?label_selector=a%20in%20(');
is($r->{status}, 400, 'bad selector: 400');
$r = hz($t, 'GET', '/servers?name=bulk-07');
is($r->{json}{servers}[0]{name}, 'bulk-07', 'filter by name');
$r = hz($t, 'GET', '/servers?sort=name:desc&label_selector=batch&per_page=2');
is($r->{json}{servers}[0]{name}, 'bulk-30', 'sort name:desc');
is(hz($t, 'GET', '/servers?sort=size')->{status}, 400, 'bad sort: 400');
is(hz($t, 'GET', '/servers?page=0')->{status}, 400, 'page 0: 400');
$r = hz($t, 'GET', '/servers?status=off');
ok(grep({ $_->{id} == $off } @{ $r->{json}{servers} }), 'status filter');

# --- PUT
$r = hz($t, 'PUT', "/servers/$id", { labels => { 'och-instance' => 'abc', x => 'y' } });
is($r->{json}{server}{labels}{x}, 'y', 'labels replaced');

# --- actions and state
simctl($t, 'POST', '/latency', { action => 1 });
$r = hz($t, 'POST', "/servers/$id/actions/poweroff");
is($r->{status}, 201, 'poweroff: 201');
is($r->{json}{action}{command}, 'stop_server', 'stop_server');
is(hz($t, 'GET', "/servers/$id")->{json}{server}{locked}, JSON::PP::true, 'locked while the action runs');
$r = hz($t, 'POST', "/servers/$id/actions/poweron");
is($r->{status}, 423, 'second action while locked: 423');
is($r->{json}{error}{code}, 'locked', 'locked');
simctl($t, 'POST', '/latency', { action => 0 });
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{json}{server}{status} eq 'off' }, timeout => 5),
    'off after poweroff');
$r = hz($t, 'POST', "/servers/$id/actions/change_type", { server_type => 'cx33' });
is($r->{json}{error}{details}{fields}[0]{name}, 'upgrade_disk', 'change_type needs upgrade_disk');
$r = hz($t, 'POST', "/servers/$id/actions/change_type", { server_type => 'cax11', upgrade_disk => JSON::PP::false });
is($r->{status}, 422, 'other architecture: 422');
is($r->{json}{error}{code}, 'invalid_server_type', 'invalid_server_type');
# by id, as hcloud-go sends it (114 is cx23's id, 115 cx33's)
$r = hz($t, 'POST', "/servers/$id/actions/change_type", { server_type => 115, upgrade_disk => JSON::PP::false });
is($r->{json}{action}{command}, 'change_server_type', 'change_type while off, type by id');
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{json}{server}{server_type}{name} eq 'cx33' }), 'type changed');
is(hz($t, 'GET', "/servers/$id")->{json}{server}{primary_disk_size}, 40, 'disk kept without upgrade_disk');
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{json}{server}{status} eq 'running' }),
    'change_type starts the server again (Hetzner: "copies the content of its disk, and starts it again")');
hz($t, 'POST', "/servers/$id/actions/poweroff");
$t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{json}{server}{status} eq 'off' });
$r = hz($t, 'POST', "/servers/$id/actions/change_type", { server_type => 'cx23', upgrade_disk => JSON::PP::false });
is($r->{status}, 201, 'downgrade possible: the disk was not upgraded');
is(hz($t, 'POST', "/servers/$id/actions/change_type", { server_type => 1.5, upgrade_disk => JSON::PP::false })->{status},
    400, 'a server type that is neither an id nor a name: 400');
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{json}{server}{status} eq 'running' }), 'running again');
$r = hz($t, 'POST', "/servers/$id/actions/change_type", { server_type => 'cx33', upgrade_disk => JSON::PP::true });
is($r->{status}, 412, 'change_type while running: 412');
is($r->{json}{error}{code}, 'server_not_stopped', 'server_not_stopped');
for my $a (qw(reboot reset enable_backup disable_backup)) {
	$r = hz($t, 'POST', "/servers/$id/actions/$a");
	is($r->{status}, 201, "$a: 201");
	$t->wait_for(sub { !hz($t, 'GET', "/servers/$id")->{json}{server}{locked} });
}
$r = hz($t, 'POST', "/servers/$id/actions/create_image", { type => 'snapshot', description => 'snap-1', labels => { k => 'v' } });
is($r->{status}, 201, 'create_image: 201');
is($r->{json}{image}{status}, 'creating', 'image creating');
my $img = $r->{json}{image}{id};
ok($t->wait_for(sub { hz($t, 'GET', "/images/$img")->{json}{image}{status} eq 'available' }), 'image available');
$r = hz($t, 'GET', '/images?type=snapshot');
is(scalar @{ $r->{json}{images} }, 1, 'snapshot listed');
$r = hz($t, 'GET', '/images?type=system&architecture=arm');
ok((grep { $_->{name} eq 'ubuntu-24.04' } @{ $r->{json}{images} }), 'arm system image listed');
$r = hz($t, 'POST', "/servers/$id/actions/rebuild", { image => "$img" });
is($r->{status}, 201, 'rebuild from the snapshot');
is($r->{json}{action}{command}, 'rebuild_server', 'rebuild_server');
ok(exists $r->{json}{root_password}, 'rebuild answers root_password');
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{json}{server}{status} eq 'running' }), 'running after rebuild');
is(hz($t, 'GET', "/servers/$id")->{json}{server}{image}{id}, $img, 'server image is the snapshot');
$r = hz($t, 'POST', "/servers/$id/actions/rebuild", {});
is($r->{status}, 400, 'rebuild without image: 400');
$r = hz($t, 'POST', "/servers/$id/actions/create_image", { type => 'backup' });
my $bk = $r->{json}{image}{id};
$t->wait_for(sub { !hz($t, 'GET', "/servers/$id")->{json}{server}{locked} });
is(hz($t, 'GET', "/images?type=backup&bound_to=$id")->{json}{images}[0]{id}, $bk, 'backup bound to the server');
$r = hz($t, 'DELETE', "/images/$img");
is($r->{status}, 204, 'delete snapshot: 204');
is($r->{content}, '', 'no body');
is(hz($t, 'DELETE', '/images/161547269')->{status}, 403, 'system images cannot be deleted');
is(hz($t, 'DELETE', "/images/$img")->{status}, 404, 'deleted image: 404');
is(hz($t, 'POST', "/servers/$id/actions/frobnicate")->{status} >= 404, 1, 'unknown action refused');

# --- ids for names (hcloud-go sends ids), architecture, shutdown, delete
$r = hz($t, 'POST', '/servers', { name => 'by-id', server_type => 114, location => 1, image => 161547269 });
is($r->{status}, 201, 'create with server type, location and image by id');
is($r->{json}{server}{server_type}{name}, 'cx23', 'type 114 is cx23');
is($r->{json}{server}{location}{name}, 'fsn1', 'location 1 is fsn1');
my $byid = $r->{json}{server}{id};
is(hz($t, 'POST', '/servers', { name => 'x', server_type => 999, image => 'ubuntu-24.04' })->{status}, 400,
    'unknown server type id: 400');
$r = hz($t, 'POST', '/servers', { name => 'arm-x86', server_type => 'cax11', location => 'fsn1', image => 161547269 });
is($r->{status}, 400, 'Arm server with the x86 image id: 400');
like($r->{json}{error}{message}, qr/architecture/, '... for its architecture');
$r = hz($t, 'POST', '/servers', { name => 'arm-ok', server_type => 'cax11', location => 'fsn1', image => 161547270 });
is($r->{status}, 201, 'Arm server with the Arm image id');
my $arm = $r->{json}{server}{id};
$t->wait_for(sub { hz($t, 'GET', "/servers/$arm")->{json}{server}{status} eq 'running' });
$r = hz($t, 'POST', "/servers/$arm/actions/rebuild", { image => 161547269 });
is($r->{status}, 400, 'rebuild across architectures by image id: 400');
simctl($t, 'POST', '/latency', { boot => 600 });
$r = create_server($t, name => 'slow-boot');
my $slow = $r->{json}{server}{id};
$t->wait_for(sub { hz($t, 'GET', "/servers/$slow")->{json}{server}{status} eq 'running' });
$r = hz($t, 'POST', "/servers/$slow/actions/shutdown");
my $sd = $r->{json}{action}{id};
ok($t->wait_for(sub { hz($t, 'GET', "/actions/$sd")->{json}{action}{status} eq 'success' }),
    'shutdown action succeeds: the request was delivered');
is(hz($t, 'GET', "/servers/$slow")->{json}{server}{status}, 'running',
    'an OS that is not up ignores ACPI: the server stays running');
simctl($t, 'POST', '/latency', { boot => 0 });
hz($t, 'POST', "/servers/$arm/actions/shutdown");
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$arm")->{json}{server}{status} eq 'off' }),
    'a booted OS powers off after the shutdown request');
$r = hz($t, 'DELETE', "/servers/$byid");
is($r->{json}{action}{command}, 'delete_server', 'delete_server action');
is(hz($t, 'GET', "/servers/$byid")->{status}, 404, 'deleted server: 404 at once');
is(hz($t, 'POST', '/servers', { name => 'by-id', server_type => 'cx23', image => 'ubuntu-24.04' })->{status}, 201,
    'its name is free at once');
hz($t, 'DELETE', "/servers/$_") for $arm, $slow;

# --- metrics
my $now = time;
my @tm = gmtime($now - 3600);
my $start = sprintf '%04d-%02d-%02dT%02d:%02d:%02dZ', $tm[5] + 1900, $tm[4] + 1, @tm[3, 2, 1, 0];
@tm = gmtime($now);
my $end = sprintf '%04d-%02d-%02dT%02d:%02d:%02dZ', $tm[5] + 1900, $tm[4] + 1, @tm[3, 2, 1, 0];
$r = hz($t, 'GET', "/servers/$id/metrics?type=cpu&type=network&start=$start&end=$end");
is($r->{status}, 200, 'metrics: 200');
my $ts = $r->{json}{metrics}{time_series};
ok($ts->{cpu} && $ts->{'network.0.bandwidth.in'}, 'cpu and network series');
cmp_ok(scalar @{ $ts->{cpu}{values} }, '<=', 201, 'about 200 samples');
like($ts->{cpu}{values}[0][1], qr/^[0-9.]+$/, 'values are strings');
$r = hz($t, 'GET', "/servers/$id/metrics?type=cpu,disk&start=$start&end=$end&step=60");
is($r->{json}{metrics}{step}, 60, 'step honoured');
ok($r->{json}{metrics}{time_series}{'disk.0.iops.read'}, 'comma list of types');
is(hz($t, 'GET', "/servers/$id/metrics?type=cpu&start=$start")->{status}, 400, 'end missing: 400');
is(hz($t, 'GET', "/servers/$id/metrics?type=gpu&start=$start&end=$end")->{status}, 400, 'bad type: 400');
is(hz($t, 'GET', "/servers/$id/metrics?type=cpu&start=$end&end=$start")->{status}, 400, 'end before start: 400');

# --- catalogue
$r = hz($t, 'GET', '/server_types');
my %types = map { $_->{name} => $_ } @{ $r->{json}{server_types} };
ok($types{$_}, "server type $_") for qw(cx23 cx33 cx43 cx53 cpx22 cpx32 cax11);
is_deeply([ sort map { $_->{name} } @{ $types{cpx22}{locations} } ], [qw(ash fsn1 hel1 hil nbg1 sin)], 'cpx22 everywhere');
is_deeply([ sort map { $_->{name} } @{ $types{cx23}{locations} } ], [qw(fsn1 hel1 nbg1)], 'cx23 in the EU');
like($types{cx23}{prices}[0]{price_monthly}{net}, qr/^\d+\.\d{10}$/, 'prices are decimal strings');
is($types{cax11}{architecture}, 'arm', 'cax11 is Arm');
$r = hz($t, 'GET', '/locations');
is_deeply([ sort map { $_->{name} } @{ $r->{json}{locations} } ], [qw(ash fsn1 hel1 hil nbg1 sin)], 'locations');
is(hz($t, 'GET', '/locations/1')->{json}{location}{name}, 'fsn1', 'location by id');
is(hz($t, 'GET', '/server_types?name=cx53')->{json}{server_types}[0]{cores}, 16, 'type by name');
is(hz($t, 'GET', '/datacenters')->{status}, 410, 'datacenters are gone');

# --- delete
$r = hz($t, 'DELETE', "/servers/$id");
is($r->{status}, 200, 'delete: 200');
is($r->{json}{action}{command}, 'delete_server', 'delete_server action');
ok($t->wait_for(sub { hz($t, 'GET', "/servers/$id")->{status} == 404 }), 'gone after the action');
is(hz($t, 'GET', "/images?type=backup&bound_to=$id")->{json}{images} && 0 + @{ hz($t, 'GET', "/images?type=backup&bound_to=$id")->{json}{images} }, 0,
    'backups go with the server');

# --- rate limit (a small bucket)
simctl($t, 'POST', '/ratelimit', { hetzner => { limit => 3600, remaining => 2 } });
is(hz($t, 'GET', '/locations')->{status}, 200, 'budget left');
$r = hz($t, 'GET', '/locations');
is($r->{headers}{'ratelimit-remaining'}, 0, 'remaining 0');
$r = hz($t, 'GET', '/locations');
is($r->{status}, 429, 'empty bucket: 429');
is($r->{json}{error}{code}, 'rate_limit_exceeded', 'rate_limit_exceeded');
cmp_ok($r->{headers}{'ratelimit-reset'}, '>', time, 'reset in the future');
$r = $t->http('GET', "$t->{sim}/hetzner/v1/locations");
is($r->{status}, 429, 'unauthenticated requests count too');
ok($t->wait_for(sub { hz($t, 'GET', '/locations')->{status} == 200 }, timeout => 5), 'refills at 1/s');
my $st = simctl($t, 'GET', '/stats');
cmp_ok($st->{hetzner}{'POST /servers'}, '>=', 40, 'stats count POST /servers');
ok($st->{hetzner}{'GET /servers/{id}'}, 'stats count GET /servers/{id}');

$t->done_testing;
