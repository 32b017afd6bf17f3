# och-cloudsim, Cloudflare DNS: envelope, auth errors, create/list/get/
# patch/put/delete, duplicate errors 81057/81058/81053, 81044, field
# validation, list filters and pagination, the rate limit with lockout.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $t = OCH::Test->new;
start_fast_sim($t, '--cloudflare-limit', '400', '--cloudflare-window', '2');
my $z = '/zones/sim-zone-0001';

sub envelope_ok {
	my ($r, $what) = @_;
	my $j = $r->{json} // {};
	ok(exists $j->{success} && ref $j->{errors} eq 'ARRAY' && ref $j->{messages} eq 'ARRAY'
	    && exists $j->{result}, "$what: full envelope");
}

my $r = $t->http('GET', "$t->{sim}/cloudflare/client/v4$z/dns_records");
is($r->{status}, 400, 'no Authorization: 400');
is($r->{json}{errors}[0]{code}, 6003, 'code 6003');
is($r->{json}{errors}[0]{error_chain}[0]{code}, 6111, 'chained 6111');
envelope_ok($r, 'auth error');
is($r->{json}{result}, undef, 'result null on error');
$r = cf($t, 'GET', "$z/dns_records", undef, token => 'bad');
is($r->{status}, 403, 'wrong token: 403');
is($r->{json}{errors}[0]{code}, 10000, 'code 10000');
is(cf($t, 'GET', '/user/tokens/verify')->{json}{result}{status}, 'active', 'token verify');
$r = cf($t, 'GET', '/zones?name=och.test');
is($r->{json}{result}[0]{id}, 'sim-zone-0001', 'zone by name');
is(cf($t, 'GET', '/zones/0123456789abcdef0123456789abcdef/dns_records')->{status}, 403, 'other zone: 403');
$r = cf($t, 'GET', '/zones/not-a-zone/dns_records');
is($r->{status}, 400, 'malformed zone: 400');
is($r->{json}{errors}[0]{code}, 7003, 'code 7003');
is($r->{json}{errors}[1]{code}, 7000, 'code 7000');
like(cf($t, 'GET', '/bogus')->{status}, qr/^40[45]$/, 'unknown route');

# create
$r = cf($t, 'POST', "$z/dns_records", { type => 'A', name => 'alice', content => '127.64.0.2', ttl => 60, proxied => JSON::PP::false, comment => 'och-instance=1' });
is($r->{status}, 200, 'create: 200');
envelope_ok($r, 'create');
is($r->{json}{success}, JSON::PP::true, 'success');
my $a = $r->{json}{result};
like($a->{id}, qr/^[0-9a-f]{32}$/, '32-hex id');
is($a->{name}, 'alice.och.test', 'relative name stored as FQDN');
is($a->{ttl}, 60, 'ttl');
is($a->{proxiable}, JSON::PP::true, 'A is proxiable');
is($a->{comment}, 'och-instance=1', 'comment');
like($a->{created_on}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'created_on');
$r = cf($t, 'POST', "$z/dns_records", { type => 'AAAA', name => 'alice.och.test.', content => '2001:db8:1000:1::1', ttl => 1 });
is($r->{json}{result}{name}, 'alice.och.test', 'FQDN with a trailing dot');
my $aaaa = $r->{json}{result}{id};

$r = cf($t, 'POST', "$z/dns_records", { type => 'A', name => 'alice.och.test', content => '127.64.0.2', ttl => 60, proxied => JSON::PP::false });
is($r->{status}, 400, 'identical record: 400');
is($r->{json}{errors}[0]{code}, 81058, 'code 81058');
$r = cf($t, 'POST', "$z/dns_records", { type => 'A', name => 'alice', content => '127.64.0.2', ttl => 300 });
is($r->{json}{errors}[0]{code}, 81057, 'same content, other ttl: 81057');
$r = cf($t, 'POST', "$z/dns_records", { type => 'CNAME', name => 'alice', content => 'bob.och.test', ttl => 1 });
is($r->{json}{errors}[0]{code}, 81053, 'CNAME next to A: 81053');
$r = cf($t, 'POST', "$z/dns_records", { type => 'A', name => 'alice', content => '127.64.0.3', ttl => 1 });
is($r->{status}, 200, 'second A with other content is allowed');
my $a2 = $r->{json}{result}{id};

# validation
for my $c (
    [ { type => 'A', name => 'x', content => 'not-an-ip', ttl => 1 }, 9005, 'A content' ],
    [ { type => 'AAAA', name => 'x', content => '1.2.3.4', ttl => 1 }, 9006, 'AAAA content' ],
    [ { type => 'A', name => 'x', content => '1.2.3.4', ttl => 30 }, 9021, 'ttl 30' ],
    [ { type => 'A', name => 'x', content => '1.2.3.4', ttl => '60' }, 9021, 'ttl as a string' ],
    [ { type => 'BOGUS', name => 'x', content => '1', ttl => 1 }, 9009, 'unknown type' ],
    [ { name => 'x', content => '1.2.3.4' }, 9009, 'missing type' ],
    [ { type => 'A', content => '1.2.3.4' }, 9007, 'missing name' ],
    [ { type => 'A', name => 'bad name!', content => '1.2.3.4' }, 9007, 'bad name' ],
    [ { type => 'TXT', name => 'x', content => 'v', proxied => JSON::PP::true }, 9004, 'TXT cannot be proxied' ],
    ) {
	$r = cf($t, 'POST', "$z/dns_records", $c->[0]);
	is($r->{status}, 400, "$c->[2]: 400");
	is($r->{json}{errors}[0]{code}, $c->[1], "$c->[2]: $c->[1]");
}
$r = cf($t, 'POST', "$z/dns_records", '{"type":');
is($r->{json}{errors}[0]{code}, 9207, 'malformed JSON: 9207');
envelope_ok($r, 'malformed JSON');

# get, patch, put, delete
is(cf($t, 'GET', "$z/dns_records/$a->{id}")->{json}{result}{content}, '127.64.0.2', 'get');
$r = cf($t, 'GET', "$z/dns_records/" . ('0' x 32));
is($r->{status}, 404, 'unknown record: 404');
is($r->{json}{errors}[0]{code}, 81044, 'code 81044');
$r = cf($t, 'PATCH', "$z/dns_records/$a->{id}", { content => '127.64.0.9' });
is($r->{json}{result}{content}, '127.64.0.9', 'patch content');
is($r->{json}{result}{ttl}, 60, 'patch keeps the other fields');
$r = cf($t, 'PATCH', "$z/dns_records/$a->{id}", { content => '127.64.0.3', ttl => 1 });
is($r->{json}{errors}[0]{code}, 81058, 'patch into a duplicate: 81058');
$r = cf($t, 'PUT', "$z/dns_records/$a->{id}", { type => 'A', name => 'alice', content => '127.64.0.10' });
is($r->{json}{result}{ttl}, 1, 'PUT replaces (ttl back to automatic)');
is($r->{json}{result}{comment}, undef, 'PUT clears the comment');
$r = cf($t, 'PUT', "$z/dns_records/$a->{id}", { content => '127.64.0.10' });
is($r->{status}, 400, 'PUT needs the full record');

# list
for my $i (1 .. 120) {
	cf($t, 'POST', "$z/dns_records", { type => 'TXT', name => "bulk$i", content => "v$i", ttl => 1 });
}
$r = cf($t, 'GET', "$z/dns_records?type=TXT");
is(scalar @{ $r->{json}{result} }, 100, 'default per_page 100');
is_deeply($r->{json}{result_info}, { page => 1, per_page => 100, count => 100, total_count => 120, total_pages => 2 }, 'result_info');
$r = cf($t, 'GET', "$z/dns_records?type=TXT&page=2");
is($r->{json}{result_info}{count}, 20, 'page 2');
$r = cf($t, 'GET', "$z/dns_records?name.exact=alice.och.test&type=A");
is(scalar @{ $r->{json}{result} }, 2, 'name.exact + type');
$r = cf($t, 'GET', "$z/dns_records?name=alice.och.test");
is(scalar @{ $r->{json}{result} }, 3, 'plain name is exact');
$r = cf($t, 'GET', "$z/dns_records?name.startswith=bulk1&per_page=5&order=name&direction=desc");
is($r->{json}{result_info}{total_count}, 32, 'startswith');
is($r->{json}{result}[0]{name}, 'bulk19.och.test', 'order name desc');
$r = cf($t, 'GET', "$z/dns_records?content=v7&type=A&match=any");
is($r->{json}{result_info}{total_count}, 3, 'match=any: one TXT v7 or two A');
$r = cf($t, 'GET', "$z/dns_records?name.exact=nobody.och.test");
is_deeply([ $r->{json}{result_info}{total_count}, $r->{json}{result_info}{total_pages} ], [ 0, 0 ], 'empty list');
is(cf($t, 'GET', "$z/dns_records?per_page=0")->{status}, 400, 'per_page 0: 400');
is(cf($t, 'GET', "$z/dns_records?order=size")->{status}, 400, 'bad order: 400');

$r = cf($t, 'DELETE', "$z/dns_records/$a2");
is_deeply($r->{json}{result}, { id => $a2 }, 'delete answers the id');
is(cf($t, 'DELETE', "$z/dns_records/$a2")->{json}{errors}[0]{code}, 81044, 'delete again: 81044');
my $dns = simctl($t, 'GET', '/dns');
ok((grep { $_->{id} eq $aaaa } @{ $dns->{records} }), '/_sim/dns lists records');

# rate limit: a small window, then lockout
$r = cf($t, 'GET', '/user/tokens/verify');
like($r->{headers}{ratelimit}, qr/^"default";r=\d+;t=\d+$/, 'Ratelimit header');
like($r->{headers}{'ratelimit-policy'}, qr/^"burst";q=400;w=2$/, 'Ratelimit-Policy header');
simctl($t, 'POST', '/ratelimit', { cloudflare => { limit => 3, window => 2 } });
is(cf($t, 'GET', '/zones')->{status}, 200, "request $_ in the window") for 1 .. 3;
$r = cf($t, 'GET', '/zones');
is($r->{status}, 429, 'over the limit: 429');
is($r->{json}{errors}[0]{code}, 971, 'code 971');
ok($r->{headers}{'retry-after'} >= 1, 'Retry-After');
like($r->{headers}{ratelimit}, qr/r=0;/, 'nothing left');
ok($t->wait_for(sub { cf($t, 'GET', '/zones')->{status} == 200 }, timeout => 6), 'allowed again after the lockout');
my $st = simctl($t, 'GET', '/stats');
cmp_ok($st->{cloudflare}{'POST /zones/{zone_id}/dns_records'}, '>=', 120, 'stats per route');

$t->done_testing;
