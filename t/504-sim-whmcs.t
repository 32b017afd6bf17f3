# och-cloudsim, WHMCS API: authentication, the commands the project uses
# (UpdateClientProduct, GetClientsProducts, Module*), unknown commands,
# XML answers, --whmcs-strict, and /_sim/whmcs recording what it was told
# with secrets masked.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
require "$ENV{OCH_SRCDIR}/t/lib/sim/testlib.pl";

my $t = OCH::Test->new;
start_fast_sim($t);

my $r = wh($t, action => 'GetClientsProducts', secret => 'wrong');
is($r->{status}, 403, 'bad secret: 403');
is_deeply($r->{json}, { result => 'error', message => 'Authentication Failed' }, 'Authentication Failed');
$r = wh($t, action => 'GetClientsProducts', identifier => 'x');
is($r->{json}{message}, 'Authentication Failed', 'bad identifier');
$r = wh($t, action => 'NoSuchThing');
is($r->{json}{message}, 'Command Not Found', 'unknown command');
is($r->{json}{result}, 'error', 'result error');

$r = wh($t, action => 'UpdateClientProduct', serviceid => 7, status => 'Active',
    dedicatedip => '127.64.0.2', domain => 'alice.och.test', notes => "line 1\nline 2 & more",
    servicepassword => 'pw', diskusage => 1024);
is_deeply($r->{json}, { result => 'success', serviceid => '7' }, 'UpdateClientProduct');
$r = wh($t, action => 'GetClientsProducts', serviceid => 7);
is($r->{json}{totalresults}, 1, 'one product');
my $p = $r->{json}{products}{product}[0];
is($p->{status}, 'Active', 'status stored');
is($p->{dedicatedip}, '127.64.0.2', 'dedicated ip stored');
is($p->{domain}, 'alice.och.test', 'domain stored');
is($p->{notes}, "line 1\nline 2 & more", 'notes decoded');
is($p->{diskusage}, 1024, 'disk usage');
$r = wh($t, action => 'UpdateClientProduct', serviceid => 7, status => 'Sleeping');
is($r->{json}{result}, 'error', 'invalid status refused');
$r = wh($t, action => 'UpdateClientProduct');
is($r->{json}{message}, 'Service ID Not Found', 'serviceid required');

for my $c ([ ModuleSuspend => 'Suspended' ], [ ModuleUnsuspend => 'Active' ], [ ModuleTerminate => 'Terminated' ],
    [ ModuleCreate => 'Active' ]) {
	$r = wh($t, action => $c->[0], serviceid => 7, suspendreason => 'unpaid');
	is($r->{json}{result}, 'success', "$c->[0]: success");
	is(wh($t, action => 'GetClientsProducts', serviceid => 7)->{json}{products}{product}[0]{status},
	    $c->[1], "$c->[0]: $c->[1]");
}
is(wh($t, action => 'ModuleCustom', serviceid => 7)->{json}{result}, 'error', 'ModuleCustom needs func_name');
is(wh($t, action => 'ModuleCustom', serviceid => 7, func_name => 'reboot')->{json}{result}, 'success', 'ModuleCustom');
is(wh($t, action => 'GetModuleQueue')->{json}{count}, 0, 'GetModuleQueue');

simctl($t, 'POST', '/whmcs/services', [ { serviceid => 8, clientid => 3, pid => 2, domain => 'bob.och.test' },
    { serviceid => 9, clientid => 3, pid => 2 } ]);
$r = wh($t, action => 'GetClientsProducts', clientid => 3);
is($r->{json}{totalresults}, 2, 'seeded rows by client');
is($r->{json}{numreturned}, 2, 'numreturned');
$r = wh($t, action => 'GetClientsProducts', clientid => 3, limitstart => 1, limitnum => 1);
is_deeply([ $r->{json}{startnumber}, $r->{json}{numreturned}, $r->{json}{products}{product}[0]{id} ], [ 1, 1, 9 ], 'paging');
is(wh($t, action => 'GetClientsProducts', serviceid => 99)->{json}{totalresults}, 0, 'unknown service: no products');

# XML unless responsetype=json
$r = wh($t, action => 'GetClientsProducts', serviceid => 8, responsetype => 'xml');
like($r->{headers}{'content-type'}, qr{text/xml}, 'XML answer');
like($r->{content}, qr{<whmcsapi[^>]*>.*<result>success</result>.*<product>.*<domain>bob\.och\.test</domain>}s, 'XML body');
$r = $t->http('POST', "$t->{sim}/whmcs/includes/api.php", content_type => 'application/x-www-form-urlencoded',
    body => 'username=sim-whmcs-id&password=sim-whmcs-secret&action=GetModuleQueue');
like($r->{content}, qr{<result>success</result>}, 'username/password accepted, XML by default');
is($t->http('GET', "$t->{sim}/whmcs/includes/api.php")->{status}, 405, 'GET is refused');

my $w = simctl($t, 'GET', '/whmcs');
my ($call) = grep { $_->{action} eq 'UpdateClientProduct' } @{ $w->{calls} };
is($call->{params}{secret}, '********', 'secret masked in the call log');
is($call->{params}{identifier}, 'sim-whmcs-id', 'identifier kept');
is($call->{params}{dedicatedip}, '127.64.0.2', 'what it was told');
is($call->{result}, 'success', 'result recorded');
ok((grep { $_->{message} && $_->{message} eq 'Authentication Failed' } @{ $w->{calls} }), 'failures recorded too');
ok(!grep({ ($_->{params}{password} // '') eq 'sim-whmcs-secret' } @{ $w->{calls} }), 'password masked');
is(scalar(grep { $_->{id} == 7 } @{ $w->{services} }), 1, 'services listed');

# strict mode refuses unknown ids
my $t2 = OCH::Test->new;
start_fast_sim($t2, '--whmcs-strict');
is(wh($t2, action => 'UpdateClientProduct', serviceid => 5, status => 'Active')->{json}{message},
    'Service ID Not Found', 'strict: unknown service');
simctl($t2, 'POST', '/whmcs/services', { serviceid => 5 });
is(wh($t2, action => 'UpdateClientProduct', serviceid => 5, status => 'Active')->{json}{result}, 'success', 'strict: seeded service');
is($t2->http('POST', "$t2->{sim}/_sim/whmcs/services", body => { clientid => 1 })->{status}, 400,
    'seeding needs a serviceid');

$t->done_testing;
