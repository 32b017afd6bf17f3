package OCH::PoolOrder;
# An order that a waiting pool server takes (t/456 with the stand-in
# gateway, t/737 with the real one): the WHMCS module's signed create
# call for a starter in eu-helsinki, the VPS's certificate step stood in
# for (certbot cannot run here: the file `och-setup cert` leaves for the
# agent), then the instance active on that very server.
use strict;
use warnings;
use Exporter 'import';
use Test::More ();

our @EXPORT_OK = qw(pool_order);

# pool_order($t, AGENT_DIR, SERVER_ID, SERVICE_ID, CLIENT_ID, TIMEOUT):
# the instance's id; each step is a test assertion.
sub pool_order {
	my ($t, $adir, $sid, $service, $client, $timeout) = @_;
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => $service,
	    whmcs_client_id => $client, email => 'pool@example.test', plan => 'starter',
	    region => 'eu-helsinki' });
	Test::More::is($r->{status}, 201, 'an order (the WHMCS module\'s create call)')
	    or Test::More::diag($r->{content});
	my $id = $r->{json}{id};
	open my $tf, '>', "$adir/tls.json" or die "$adir/tls.json: $!";
	print $tf qq({"mode":"letsencrypt"}\n);
	close $tf;
	my $state = sub { $t->psql_one("SELECT $_[0] FROM instances WHERE id = :'i'", i => $id) // '' };
	Test::More::ok($t->wait_for(sub { $state->('state') eq 'active' }, timeout => $timeout),
	    'active on the pool server');
	Test::More::is($state->('hetzner_server_id'), $sid, 'the one that waited');
	return $id;
}

1;
