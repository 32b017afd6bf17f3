# The shared FastCGI loop (lib/srv.c) through nginx: routing, 404/405,
# body caps before reading (413), content type (415), JSON parsing,
# percent-encoding, overlong headers, and a worker that survives it all.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [ [ instances => 't/unit/echo.fcgi' ] ]);
my $pid = $t->proc('instances.fcgi')->{pid};

sub err_shape {
	my ($r, $status, $code, $name) = @_;
	is($r->{status}, $status, "$name: status $status");
	is($r->{json}{error}{code}, $code, "$name: error code $code");
	ok(defined $r->{json}{error}{message} && length $r->{json}{error}{message},
	    "$name: error message present");
	is($r->{headers}{'x-content-type-options'}, 'nosniff', "$name: security headers on errors");
}

my $r = $t->http(POST => '/api/v1/echo', body => { a => 1, b => [ 'x', 'ü' ] });
is($r->{status}, 200, 'JSON body accepted');
is_deeply($r->{json}{body}, { a => 1, b => [ 'x', 'ü' ] }, 'body parsed and echoed');

$r = $t->http(POST => '/api/v1/echo', body => '', content_type => 'application/json');
is($r->{status}, 200, 'empty body is fine');
ok(!exists $r->{json}{body}, 'no body parsed from an empty request');

err_shape($t->http(POST => '/api/v1/echo', body => '{"a":', content_type => 'application/json'),
    400, 'invalid_input', 'truncated JSON');
err_shape($t->http(POST => '/api/v1/echo', body => '[1,2]', content_type => 'application/json'),
    400, 'invalid_input', 'JSON array instead of object');
err_shape($t->http(POST => '/api/v1/echo', body => "{\"a\":1}\0junk", content_type => 'application/json'),
    400, 'invalid_input', 'JSON with trailing garbage');
err_shape($t->http(POST => '/api/v1/echo', body => ('[' x 5000) . (']' x 5000), content_type => 'application/json'),
    400, 'invalid_input', 'deeply nested JSON');
err_shape($t->http(POST => '/api/v1/echo', body => 'a=1', content_type => 'application/x-www-form-urlencoded'),
    415, 'unsupported_media_type', 'form body');
err_shape($t->http(POST => '/api/v1/echo', body => '{"a":1}', content_type => 'text/plain'),
    415, 'unsupported_media_type', 'text/plain');
err_shape($t->http(POST => '/api/v1/echo', body => '{"a":1}', content_type => 'application/jsonx'),
    415, 'unsupported_media_type', 'look-alike content type');
$r = $t->http(POST => '/api/v1/echo', body => '{"a":1}', content_type => 'application/json; charset=utf-8');
is($r->{status}, 200, 'charset parameter accepted');

my $big = '{"x":"' . ('a' x (70 * 1024)) . '"}';
err_shape($t->http(POST => '/api/v1/echo', body => $big, content_type => 'application/json'),
    413, 'payload_too_large', 'body over the 64 KiB default cap');
err_shape($t->http(POST => '/api/v1/echo-small', body => '{"x":"' . ('a' x 200) . '"}', content_type => 'application/json'),
    413, 'payload_too_large', 'body over a route cap');
err_shape($t->http(POST => '/api/v1/echo', body => '{"x":"' . ('a' x (2 * 1024 * 1024)) . '"}', content_type => 'application/json'),
    413, 'payload_too_large', 'body over nginx limit');

err_shape($t->http(GET => '/api/v1/no-such-route'), 404, 'not_found', 'unknown route');
$r = $t->http(GET => '/api/v1/echo');
err_shape($r, 405, 'method_not_allowed', 'wrong method');
is($r->{headers}{allow}, 'POST, PUT', 'Allow lists the methods of the path');
err_shape($t->http(DELETE => '/api/v1/echo'), 405, 'method_not_allowed', 'DELETE');

$r = $t->http(GET => '/api/v1/items/abc%20d/sub/x%2Fy?q=a%2Bb+c');
is($r->{status}, 400, 'an encoded slash inside a segment is refused');
$r = $t->http(GET => '/api/v1/items/abc%20d/sub/xy?q=a%2Bb+c');
is($r->{status}, 200, 'path parameters');
is($r->{json}{id}, 'abc d', 'first parameter decoded');
is($r->{json}{name}, 'xy', 'second parameter');
is($r->{json}{q}, 'a+b c', 'query decoded (+ is space, %2B is plus)');
err_shape($t->http(GET => '/api/v1/items/%zz/sub/x'), 400, 'invalid_input', 'bad percent-encoding in path');
err_shape($t->http(GET => '/api/v1/items/a%00b/sub/x'), 400, 'invalid_input', 'encoded NUL in path');
err_shape($t->http(GET => '/api/v1/items/a/sub/x?q=%4'), 400, 'invalid_input', 'bad percent-encoding in query');
err_shape($t->http(GET => '/api/v1/items//sub/x'), 404, 'not_found', 'empty parameter segment');
err_shape($t->http(GET => '/api/v1/items/a/sub/x/'), 404, 'not_found', 'trailing slash');

err_shape($t->http(GET => '/api/v1/db', headers => { 'X-Long' => 'x' x 20000 }),
    400, 'invalid_input', 'overlong header');
err_shape($t->http(GET => '/api/v1/silent'), 500, 'internal_error', 'a handler that forgets to answer');

$r = $t->http(GET => '/api/v1/db');
is($r->{status}, 200, 'database statement after all that');
is($r->{json}, 'db!', 'parameterised statement result');
is($t->proc('instances.fcgi')->{pid}, $pid, 'the same worker served everything');
ok(kill(0, $pid), 'worker alive');

$t->done_testing;
