# Who may see an instance: one predicate (auth_may_see) for every route.
# A terminated instance keeps its record (its owner, the billing system
# and the admins read it; an action on it is a 409 with the reason), but
# everything about its server — settings, secrets, status, metrics,
# backups, a new sign-in link — is a 404, the same answer another
# customer gets for it, and nothing is written.  Before, settings.fcgi
# had its own predicate that refused a terminated instance while
# metrics.fcgi and backups.fcgi (auth_may_see) still served it.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of sso_login);

my $t = OCH::Test->new;
$t->start_pg;
$t->start_api(binaries => [qw(instances auth settings metrics alerts backups)]);

sub order {
	my ($n) = @_;
	$t->signed(POST => '/api/v1/instances', { whmcs_service_id => $n, whmcs_client_id => $n,
	    email => "u$n\@example.com", plan => 'starter', region => 'eu-helsinki' })->{json}{id};
}
my $id = order(1);
my $mine = order(2);
my $owner = session_of(sso_login($t, $id));
my $attacker = session_of(sso_login($t, $mine));
my $base = "/api/v1/instances/$id";
sub as { my ($s, $m, $p, $b) = @_; $t->http($m => $p, headers => $s, defined $b ? (body => $b) : ()) }

# while it lives: the owner writes, the other customer gets 404
is(as($owner, PUT => "$base/channels/telegram", { secrets => { bot_token => '7777777:AAbbCCddEEff' } })->{status}, 204,
    'the owner connects a channel');
is(as($owner, GET => "$base/metrics?series=cpu_util&range=1h")->{status}, 200, 'and reads the metrics');
is(as($attacker, GET => "$base/channels")->{status}, 404, "another customer: the channels are 404");
is(as($attacker, GET => $base)->{status}, 404, 'and so is the record');

# terminated (the poller's part, deleting the server, is t/410's: here the
# states it leaves behind)
is($t->signed(POST => "$base/terminate", {})->{status}, 202, 'the billing system terminates it');
$t->psql("UPDATE instances SET state = 'terminating' WHERE id = :'i'", i => $id);
$t->psql("UPDATE instances SET state = 'terminated', terminated_at = now() WHERE id = :'i'", i => $id);
my $rev = $t->psql_one("SELECT config_revision FROM instances WHERE id = :'i'", i => $id);

# the record stays readable
my $r = as($owner, GET => $base);
is($r->{status}, 200, 'the owner still reads the record');
is($r->{json}{state}, 'terminated', 'which says it is terminated');
is(as($owner, GET => "$base/alerts")->{status}, 200, 'and its alerts');
$r = $t->signed(GET => $base);
is($r->{status}, 200, 'the billing system reads it too');
$r = $t->signed(POST => "$base/unsuspend", {});
is($r->{status}, 409, 'an action on it is a conflict');
like($r->{json}{error}{message}, qr/terminated/, 'saying why');

# its server's side is gone, for the owner and the attacker alike
my @live = ([ GET => "$base/channels" ], [ PUT => "$base/channels/discord", { secrets => { token => 'discord.token.value' } } ],
    [ DELETE => "$base/channels/telegram" ], [ PUT => "$base/ai-keys/openai", { key => 'sk-0123456789abcd' } ],
    [ GET => "$base/ai-keys" ], [ PUT => "$base/skills/weather", { enabled => \1 } ], [ GET => "$base/status" ],
    [ GET => "$base/metrics?series=cpu_util&range=1h" ], [ GET => "$base/backups" ], [ POST => "$base/backups" ],
    [ POST => "$base/backups/snapshot" ]);
for my $c (@live) {
	my ($m, $p, $b) = @$c;
	for my $who ([ owner => $owner ], [ attacker => $attacker ]) {
		my $a = as($who->[1], $m, $p, $b);
		is($a->{status}, 404, "$who->[0]: $m $p of a terminated instance: 404");
		is($a->{json}{error}{message}, 'no such instance', '  the same words as for any unknown id');
	}
}
is(as($attacker, GET => $base)->{status}, 404, "the attacker still cannot read the record");
is($t->signed(POST => "$base/sso", {})->{status}, 404, 'no sign-in link for a terminated instance');

# nothing was written
is($t->psql_one("SELECT count(*) FROM channels WHERE instance_id = :'i'", i => $id), 1, 'the channel rows are as they were');
is($t->psql_one("SELECT count(*) FROM ai_keys WHERE instance_id = :'i'", i => $id), 0, 'no AI key stored');
is($t->psql_one("SELECT config_revision FROM instances WHERE id = :'i'", i => $id), $rev, 'no new config revision');
is($t->psql_one("SELECT count(*) FROM instance_commands WHERE instance_id = :'i'", i => $id), 0, 'no command queued');

# the refusals are on record, each once, as the one who tried (the front
# line writes the manifest's audit action: lib/routes.def)
my %put = map { ($_->[0] => $_->[1]) } map { [ split /:/ ] } split /,/, $t->psql_one(
    "SELECT string_agg(status || ':' || count, ',' ORDER BY status) FROM (SELECT status, count(*) FROM audit_log"
    . " WHERE action = 'settings.channel_put' AND object_kind = 'instance' AND object_id = :'i' GROUP BY status) s", i => $id);
is_deeply(\%put, { 204 => 1, 404 => 2 }, 'settings.channel_put: the save once, the two refused tries once each');
is($t->psql_one("SELECT count(DISTINCT actor_id) FROM audit_log WHERE action = 'settings.channel_put' AND status = 404"
    . " AND object_id = :'i'", i => $id), 2, 'by the owner and by the attacker');
is($t->psql_one("SELECT count(*) FROM audit_log WHERE action = 'settings.ai_key_put' AND object_id = :'i'", i => $id), 2,
    'the refused key writes too');

$t->done_testing;
