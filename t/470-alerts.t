# Alerts (lib/alert.h, alerts.fcgi): a VPS of och-cloudsim powered off
# through the Hetzner API goes quiet; och-poller metrics scrapes it,
# stores up=0 and, after ALERT_DOWN_SCRAPES failed scrapes in a row (not
# before), opens one "instance_down" alert: exactly one email to the
# customer and one to the operators, sent through the outbox to the
# simulator's Resend; more failed scrapes add nothing.  Powered on, the
# alert resolves only after ALERT_UP_SCRAPES good scrapes (hysteresis),
# with one email each.  A customer who muted the condition gets no email
# the next time, the operators still do.  The API shows the alerts to
# the owner (404 for another customer), the customer's preferences, and
# every alert to admins with history.  The operators' webhook gets each
# opening and resolving once, signed (X-OCH-Signature), and a failed
# delivery is retried; the receiver is a small HTTP server in this test
# (Slack's own endpoint cannot run here).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::Login qw(session_of magic_login);
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Digest::SHA qw(hmac_sha256_hex);

my $t = OCH::Test->new;

# ---- the operators' webhook receiver: answers 503 to the first request
my $hook_port = OCH::Stack::free_port();
my $hook_log = $t->dir . '/hook.jsonl';
my $hook_secret = 'alert-webhook-secret-0123456789';
my $hook_pid = fork // die;
if (!$hook_pid) {
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $hook_port,
	    Listen => 8, ReuseAddr => 1) or POSIX::_exit(1);
	alarm 300;
	my $n = 0;
	while (my $c = $s->accept) {
		my (%h, $l);
		my $first = <$c>;
		while (defined($l = <$c>) && $l ne "\r\n") {
			$l =~ s/\r\n$//;
			my ($k, $v) = split /:\s*/, $l, 2;
			$h{ lc $k } = $v;
		}
		my $body = '';
		read($c, $body, $h{'content-length'} // 0);
		my $status = ++$n == 1 ? 503 : 200;
		open my $fh, '>>', $hook_log or POSIX::_exit(1);
		print $fh JSON::PP->new->canonical->encode({ status => $status, line => $first,
		    ts => $h{'x-och-timestamp'}, sig => $h{'x-och-signature'}, body => $body }), "\n";
		close $fh;
		print $c "HTTP/1.1 $status X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
		close $c;
	}
	POSIX::_exit(0);
}
END { local $?; if ($hook_pid) { kill 'TERM', $hook_pid; waitpid($hook_pid, 0) } }

$t->start_pg;
my $sim = $t->start_sim('--boot-delay', '0.2', '--create-delay', '0.2',
    '--action-delay', '0.2');
$t->start_api(binaries => [qw(health instances agent auth alerts)],
    config => { BOOT_TIMEOUT => 20, POLLER_BACKOFF_MS => 200, METRICS_TIMEOUT_MS => 2000,
	ADMIN_EMAIL => 'ops@och.test', ALERT_DOWN_SCRAPES => 3, ALERT_UP_SCRAPES => 2,
	ALERT_WEBHOOK_URL => "http://127.0.0.1:$hook_port/hooks/och", ALERT_WEBHOOK_SECRET => $hook_secret });
my $H = { Authorization => "Bearer $OCH::Stack::SIM{hetzner_token}" };

sub simget { $t->http(GET => "$sim$_[0]")->{json} }
sub run_poller { $t->poller_once(@_) }
sub scrape { is(run_poller('metrics'), 0, "metrics cycle: $_[0]") }
sub send_mail { is(run_poller('maintain'), 0, 'maintain sends the outbox') }
# emails in the simulator's mailbox: [to, template, subject]
sub mails {
	return map { my %g = map { $_->{name} => $_->{value} } @{ $_->{tags} // [] };
	    [ $_->{to}[0], $g{template} // '', $_->{subject} // '' ] } @{ simget('/_sim/emails')->{emails} // [] };
}
sub count_mail { my ($to, $tmpl) = @_; scalar grep { $_->[0] eq $to && $_->[1] eq $tmpl } mails() }
sub power {
	my ($sid, $what, $want) = @_;
	my $r = $t->http(POST => "$sim/hetzner/v1/servers/$sid/actions/$what", headers => $H);
	is($r->{status}, 201, "$what accepted");
	ok($t->wait_for(sub { (simget("/_sim/servers/$sid")->{status} // '') eq $want }, timeout => 10),
	    "server $want");
}
sub alerts_sql { $t->psql_one(q{SELECT count(*) FROM alerts WHERE condition = 'instance_down' AND opened_at IS NOT NULL}) }

# ---- two customers, each with an active instance, provisioned the real way
my @ids;
for my $n (1, 2) {
	my $r = $t->signed(POST => '/api/v1/instances', { whmcs_service_id => 4700 + $n,
	    whmcs_client_id => 4700 + $n, email => "alert$n\@example.test",
	    plan => 'starter', region => 'eu-helsinki' });
	is($r->{status}, 201, "order $n accepted") or diag $r->{content};
	push @ids, $r->{json}{id};
}
my $prov = $t->spawn(name => 'provision', cmd => [ $t->bin('poller/och-poller'), 'provision' ],
    env => { $t->env, POLLER_RUN_SECONDS => 60 });
ok($t->wait_for(sub { $t->psql_one(q{SELECT count(*) FROM instances WHERE state = 'active'}) == 2 },
    timeout => 30), 'both instances active');
$t->stop($prov);
my %srv = map { $_->[0] => $_->[1] } $t->psql(q{SELECT id, hetzner_server_id FROM instances});
my $cust = 'alert1@example.test';

scrape('all up');
is($t->psql_one(q{SELECT count(*) FROM alerts}), 0, 'all up: no alert');

# ---- down: opens after three failed scrapes, not before
power($srv{ $ids[0] }, 'poweroff', 'off');
scrape('down 1');
scrape('down 2');
is(alerts_sql(), 0, 'two failed scrapes: no alert yet');
scrape('down 3');
is(alerts_sql(), 1, 'the third opens one instance_down alert');
is($t->psql_one(q{SELECT instance_id FROM alerts WHERE condition = 'instance_down'}), $ids[0],
    'for the powered-off instance');
scrape('down 4');
is(alerts_sql(), 1, 'a fourth failed scrape opens nothing more');
send_mail();
is(count_mail($cust, 'alert_opened'), 1, 'the customer got exactly one "down" email');
is(count_mail('ops@och.test', 'alert_opened'), 1, 'the operators exactly one');
is(count_mail('alert2@example.test', 'alert_opened'), 0, 'the other customer none');
my ($m) = grep { $_->[0] eq $cust && $_->[1] eq 'alert_opened' } mails();
like($m->[2] // '', qr/Instance down/, 'its subject says down');

# ---- the API while open
my $own = $t->sso_session($ids[0]);
my $other = $t->sso_session($ids[1]);
my $r = $t->http(GET => "/api/v1/instances/$ids[0]/alerts?state=open", headers => $own);
is($r->{status}, 200, 'owner reads the instance alerts') or diag $r->{content};
is(scalar @{ $r->{json}{alerts} // [] }, 1, 'one open alert');
is($r->{json}{alerts}[0]{condition}, 'instance_down', 'instance_down');
is($r->{json}{alerts}[0]{state}, 'open', 'open');
is($r->{json}{alerts}[0]{resolved_at}, undef, 'not resolved');
$r = $t->http(GET => "/api/v1/instances/$ids[0]/alerts", headers => $other);
is($r->{status}, 404, "another customer's instance is 404");
$r = $t->http(GET => "/api/v1/instances/$ids[0]/alerts");
is($r->{status}, 401, 'no session: 401');
$r = $t->http(GET => "/api/v1/alerts", headers => $other);
is(scalar @{ $r->{json}{alerts} // [] }, 0, 'the other customer has no alerts');
$r = $t->http(GET => "/api/v1/instances/$ids[0]/alerts?state=bogus", headers => $own);
is($r->{status}, 400, 'a bad state is 400');

# ---- up again: resolves after two good scrapes, not one
power($srv{ $ids[0] }, 'poweron', 'running');
ok($t->wait_for(sub { $t->http(GET => "http://" . $t->psql_one(q{SELECT host(ipv4) FROM instances WHERE id = :'i'},
    i => $ids[0]) . ":9100/metrics")->{status} == 400 }, timeout => 10), 'the exporter answers again (TLS only: plain HTTP is 400)');
scrape('up 1');
is($t->psql_one(q{SELECT count(*) FROM alerts WHERE resolved_at IS NOT NULL}), 0,
    'one good scrape does not resolve it (hysteresis)');
scrape('up 2');
is($t->psql_one(q{SELECT count(*) FROM alerts WHERE resolved_at IS NOT NULL}), 1, 'the second resolves it');
scrape('up 3');
send_mail();
send_mail();
is(count_mail($cust, 'alert_resolved'), 1, 'the customer got exactly one "resolved" email');
is(count_mail('ops@och.test', 'alert_resolved'), 1, 'the operators exactly one');
is(count_mail($cust, 'alert_opened'), 1, 'and still one "down" email');
$r = $t->http(GET => "/api/v1/alerts?state=all", headers => $own);
is($r->{json}{alerts}[0]{state}, 'resolved', 'history: the alert is resolved');
ok($r->{json}{alerts}[0]{resolved_at}, 'with its time');
$r = $t->http(GET => "/api/v1/alerts?state=open", headers => $own);
is(scalar @{ $r->{json}{alerts} // [] }, 0, 'nothing open');

# ---- preferences: the customer mutes instance_down
$r = $t->http(GET => '/api/v1/alerts/preferences', headers => $own);
is($r->{status}, 200, 'preferences read');
my %pref = map { $_->{condition} => $_->{email} } @{ $r->{json}{conditions} // [] };
ok($pref{instance_down}, 'instance_down emailed by default');
ok(!exists $pref{outbox_backlog}, "the operators' conditions are not offered");
$r = $t->http(PUT => '/api/v1/alerts/preferences', headers => $own, body => { instance_down => \0 });
is($r->{status}, 200, 'instance_down muted') or diag $r->{content};
$r = $t->http(PUT => '/api/v1/alerts/preferences', headers => $own, body => { outbox_backlog => \0 });
is($r->{status}, 400, "an operators' condition cannot be muted");
$r = $t->http(PUT => '/api/v1/alerts/preferences', headers => $own, body => { disk_full => 'no' });
is($r->{status}, 400, 'a non-boolean is 400');
$r = $t->http(PUT => '/api/v1/alerts/preferences', headers => { Cookie => $own->{Cookie} },
    body => { disk_full => \0 });
is($r->{status}, 403, 'without the CSRF token: 403');
power($srv{ $ids[0] }, 'poweroff', 'off');
scrape("down $_") for 1 .. 3;
send_mail();
is(alerts_sql(), 2, 'a second episode is a second alert');
is(count_mail($cust, 'alert_opened'), 1, 'the muted customer got no new email');
is(count_mail('ops@och.test', 'alert_opened'), 2, 'the operators did');

# ---- admins see every alert, filtered by condition
$t->ochctl('user', 'create-admin', 'boss@och.test');
# signed in by the link in the magic_link email (the simulator's mailbox)
my $login = magic_login($t, 'boss@och.test');
is($login && $login->{status}, 200, 'the admin signs in by the emailed link');
my $adm = session_of($login);
$r = $t->http(GET => '/api/v1/admin/alerts?condition=instance_down', headers => $adm);
is($r->{status}, 200, 'admin lists alerts') or diag $r->{content};
is(join(',', map { $_->{state} } @{ $r->{json}{alerts} // [] }), 'open,resolved',
    'newest first: the open episode, then the resolved one');
$r = $t->http(GET => '/api/v1/admin/alerts', headers => $own);
is($r->{status}, 403, 'a customer is refused the admin list');
$r = $t->http(GET => '/api/v1/admin/alerts?condition=nope', headers => $adm);
is($r->{status}, 400, 'an unknown condition is 400');

# ---- the operators' webhook: each event delivered once, signed
send_mail();
my @hooks = map { decode_json($_) } do { open my $fh, '<', $hook_log or die; <$fh> };
is($hooks[0]{status}, 503, 'the first delivery failed at the receiver');
like($hooks[0]{line}, qr{^POST /hooks/och HTTP}, 'POSTed to the configured URL');
my @ok = grep { $_->{status} == 200 } @hooks;
my @events = map { my $b = decode_json($_->{body}); "$b->{alert}{id}:$b->{alert}{event}" } @ok;
my ($a1, $a2) = map { $_->[0] } $t->psql(q{SELECT id FROM alerts WHERE condition = 'instance_down' ORDER BY id});
is(join(' ', sort @events), join(' ', sort "$a1:opened", "$a1:resolved", "$a2:opened"),
    'opened, resolved and the second opening, each delivered once (the failed one retried)');
is(scalar(grep { $_->{sig} eq 'v1=' . hmac_sha256_hex("v1:$_->{ts}:$_->{body}", $hook_secret) } @hooks),
    scalar @hooks, 'every request carries a valid signature');
like(decode_json($ok[0]{body})->{text}, qr/\[critical\] Instance down on /, 'Slack-compatible text');

$t->done_testing;
