# Asking for a login link tells nobody whether an address has an account
# (issue 9): a customer's address, an operator's, an unknown one and one
# over its limit get the same status, the same body and the same headers,
# and the server does the same database work for each — the same number
# of round trips, counted by OCH_DB_TRACE=1 (lib/srv.c logs them per
# request) — instead of a timing measurement (those live in bench/auth).
# Only the database then shows the difference: an email for the accounts.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

$ENV{OCH_DB_TRACE} = 1;	# the binaries inherit it
my $t = OCH::Test->new;
$t->start_pg;
$t->start_sim;
# one worker: the warm-up below prepares the statements of the one that answers
$t->start_api(binaries => [qw(instances auth)], workers => 1);

my ($rc, undef, $err) = $t->ochctl('user', 'create-admin', 'ops@example.com');
is($rc, 0, 'an operator account') or diag $err;
is($t->signed(POST => '/api/v1/instances', { whmcs_service_id => 3161, whmcs_client_id => 3161,
    email => 'cust@example.com', plan => 'starter', region => 'eu-helsinki' })->{status}, 201,
    'a customer (a WHMCS order)');

my $seen = 0;
sub trips {	# the auth binary's db_trace lines since the last call
	open my $fh, '<', $t->dir . '/auth.fcgi.log' or die "auth log: $!";
	my @l = grep { /db_trace / } <$fh>;
	close $fh;
	my @new = @l[$seen .. $#l];
	$seen = @l;
	return [ map { /method=(\S+) route=(\S+) status=(\d+) round_trips=(\d+)/ ? "$1 $2 $3 $4" : $_ } @new ];
}
# the answer as the asker sees it: status, body, header names (no values:
# the date and the request id differ by nature)
sub ask {
	my ($email) = @_;
	trips();
	my $r = $t->http(POST => '/api/v1/auth/magic-link', body => { email => $email });
	my $tr = trips();
	is(scalar @$tr, 1, "$email: one trace line") or diag explain $tr;
	my @h = sort grep { !/^(date|x-request-id|content-length)$/ } keys %{ $r->{headers} };
	return { status => $r->{status}, body => $r->{content}, headers => "@h", trips => $tr->[0] // '' };
}

ask('warm-up@example.net');	# the first request prepares the statements
my %a = map { $_ => ask($_) } qw(cust@example.com ops@example.com nobody@example.com);
is($a{'cust@example.com'}{status}, 202, 'a customer\'s address: 202');
like($a{'cust@example.com'}{trips}, qr{^POST /api/v1/auth/magic-link 202 \d+$}, 'its round trips are counted');
for my $e (qw(ops@example.com nobody@example.com)) {
	is_deeply($a{$e}, $a{'cust@example.com'}, "$e: the same status, body, headers and round trips");
}
# over the per-account limit (a live link is reused), still the same
my $again = ask('cust@example.com');
is_deeply($again, $a{'cust@example.com'}, 'a second ask within the minute: the same again');
unlike(join(' ', map { $_->{body} } values %a), qr/account|unknown|not found/i, 'no answer names an account');

# what only the database knows
is($t->psql_one(q{SELECT count(*) FROM email_outbox WHERE template = 'magic_link'
    AND to_email IN ('cust@example.com', 'ops@example.com')}), 2, 'one link email for each account');
is($t->psql_one(q{SELECT count(*) FROM email_outbox WHERE to_email = 'nobody@example.com'}), 0,
    'none for the unknown address');

$t->done_testing;
