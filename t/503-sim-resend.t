# och-cloudsim, Resend: sending, validation errors, auth, Idempotency-Key
# rules, the per-key rate limit with its headers, batch, GET, and the
# sent emails in /_sim/emails.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $t = OCH::Test->new;
start_fast_sim($t, '--resend-rate', '1000');
my %mail = (from => 'OpenClaw Host <hello@och.test>', to => 'alice@example.com',
    subject => 'Your gateway is ready', html => '<p>Ready</p>', text => 'Ready',
    tags => [{ name => 'kind', value => 'provisioned' }]);

my $r = rs($t, \%mail);
is($r->{status}, 200, 'send: 200');
like($r->{json}{id}, qr/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUID v4 id');
is($r->{headers}{'content-type'}, 'application/json; charset=utf-8', 'content type');
ok(defined $r->{headers}{'ratelimit-limit'} && defined $r->{headers}{'ratelimit-remaining'}
    && defined $r->{headers}{'ratelimit-reset'}, 'ratelimit-* headers');
my $first = $r->{json}{id};
$r = rs($t, undef, method => 'GET', path => "/emails/$first");
is($r->{json}{subject}, 'Your gateway is ready', 'GET /emails/{id}');
is_deeply($r->{json}{to}, ['alice@example.com'], 'to as an array');
is(rs($t, undef, method => 'GET', path => '/emails/nope')->{status}, 404, 'unknown email: 404');

# errors: flat body {statusCode, message, name}
sub err_is {
	my ($r, $status, $name, $what) = @_;
	is($r->{status}, $status, "$what: $status");
	is($r->{json}{name}, $name, "$what: $name");
	is($r->{json}{statusCode}, $status, "$what: statusCode");
	ok(length($r->{json}{message} // ''), "$what: message");
}
err_is($t->http('POST', "$t->{sim}/resend/emails", body => \%mail), 401, 'missing_api_key', 'no key');
err_is(rs($t, \%mail, key => 're_wrong'), 403, 'invalid_api_key', 'wrong key');
my %m = %mail; delete $m{from};
err_is(rs($t, \%m), 422, 'missing_required_field', 'no from');
%m = %mail; delete $m{to};
err_is(rs($t, \%m), 422, 'missing_required_field', 'no to');
%m = %mail; delete $m{subject};
err_is(rs($t, \%m), 422, 'missing_required_field', 'no subject');
err_is(rs($t, { %mail, from => 'not an address' }), 422, 'invalid_from_address', 'bad from');
err_is(rs($t, { %mail, to => ['ok@example.com', 'nope'] }), 422, 'validation_error', 'bad to');
err_is(rs($t, { %mail, to => [ map { "u$_\@example.com" } 1 .. 51 ] }), 422, 'invalid_parameter', '51 recipients');
err_is(rs($t, { %mail, subject => 42 }), 422, 'invalid_parameter', 'subject of the wrong type');
err_is(rs($t, { %mail, tags => [{ name => 'bad tag!', value => 'x' }] }), 422, 'validation_error', 'bad tag');
err_is(rs($t, { %mail, attachments => [{ filename => 'a.txt' }] }), 422, 'invalid_attachment', 'attachment without content');
err_is(rs($t, '{"from":'), 400, 'validation_error', 'malformed JSON');
err_is(rs($t, undef, path => '/domains'), 404, 'not_found', 'unknown route');

# idempotency
my $k = 'welcome/inst-1';
$r = rs($t, \%mail, idem => $k);
is($r->{status}, 200, 'first send with a key');
my $id = $r->{json}{id};
$r = rs($t, \%mail, idem => $k);
is($r->{json}{id}, $id, 'same key, same body: the same id');
err_is(rs($t, { %mail, subject => 'other' }, idem => $k), 409, 'invalid_idempotent_request', 'same key, other body');
err_is(rs($t, \%mail, idem => 'x' x 257), 400, 'invalid_idempotency_key', 'key of 257 characters');
is(rs($t, \%mail, idem => 'y' x 256)->{status}, 200, 'key of 256 characters');
my $emails = simctl($t, 'GET', '/emails')->{emails};
is(scalar(grep { ($_->{idempotency_key} // '') eq $k } @$emails), 1, 'the replay sent nothing');
my ($e) = grep { $_->{id} eq $first } @$emails;
is($e->{html}, '<p>Ready</p>', '/_sim/emails has the body');
is($e->{tags}[0]{value}, 'provisioned', '/_sim/emails has the tags');
is($e->{request}{from}, $mail{from}, '/_sim/emails has the request');

# batch
$r = rs($t, [ \%mail, { %mail, to => 'bob@example.com' } ], path => '/emails/batch');
is(scalar @{ $r->{json}{data} }, 2, 'batch: two ids');
err_is(rs($t, [ \%mail, { %mail, from => 'x' } ], path => '/emails/batch'), 422, 'invalid_from_address', 'batch refused whole');
err_is(rs($t, {}, path => '/emails/batch'), 422, 'validation_error', 'batch not an array');

# 2 requests per second per key
simctl($t, 'POST', '/ratelimit', { resend => { rate => 2 } });
my @st = map { rs($t, \%mail) } 1 .. 3;
is_deeply([ map { $_->{status} } @st[0, 1] ], [ 200, 200 ], 'two per second');
err_is($st[2], 429, 'rate_limit_exceeded', 'the third');
is($st[2]{headers}{'retry-after'}, 1, 'retry-after');
is($st[2]{headers}{'ratelimit-remaining'}, 0, 'ratelimit-remaining 0');
is($st[2]{headers}{'ratelimit-limit'}, 2, 'ratelimit-limit 2');
cmp_ok($st[2]{headers}{'ratelimit-reset'}, '>=', 1, 'ratelimit-reset in seconds');
ok($t->wait_for(sub { rs($t, \%mail)->{status} == 200 }, timeout => 3), 'allowed again a moment later');
is(rs($t, \%mail, key => 'other')->{status}, 403, 'a wrong key is refused, not counted');

$t->done_testing;
