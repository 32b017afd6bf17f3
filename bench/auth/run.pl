#!/usr/bin/perl
# bench/auth: does POST /api/v1/auth/magic-link take as long for an address
# without an account as for one with an account?  (docs/api.md, auth.fcgi:
# the answer and the work must not tell who is a customer.)  Orders N
# customers, then
# asks for a link N times for a fresh customer address and N times for an
# unknown one, interleaved, through nginx with the shipped config (its
# per-address limit of 10 requests/s paces the run), and prints the
# latency medians and 90th percentiles and their ratios known/unknown.
#   OCH_SRCDIR=$PWD OCH_BUILDDIR=$PWD/build perl -It/lib bench/auth/run.pl [N]
use strict;
use warnings;
use Time::HiRes qw(time sleep);
use OCH::Stack;

my $n = shift // 100;
my $s = OCH::Stack->new;
$s->start_pg;
$s->start_api(binaries => [qw(instances auth)]);
for my $i (1 .. $n) {
	my $r = $s->signed(POST => '/api/v1/instances', { whmcs_service_id => $i, whmcs_client_id => $i,
	    email => "known$i\@example.com", plan => 'starter', region => 'eu-helsinki' });
	die "order $i: $r->{status}\n" unless $r->{status} == 201;
}
my (%ms, $refused);
sub ask {
	my ($kind, $email) = @_;
	my $t0 = time;
	my $r = $s->http(POST => '/api/v1/auth/magic-link', body => { email => $email });
	push @{ $ms{$kind} }, 1000 * (time - $t0);
	$refused++ if $r->{status} != 202;
	sleep 0.12;	# under nginx's 10 r/s per address
}
for my $i (1 .. $n) {
	if ($i % 2) { ask(known => "known$i\@example.com"); ask(unknown => "nobody$i\@example.com") }
	else { ask(unknown => "nobody$i\@example.com"); ask(known => "known$i\@example.com") }
}
die "$refused requests were not answered 202\n" if $refused;
my $queued = $s->psql_one(q{SELECT count(*) FROM email_outbox WHERE template = 'magic_link'});
sub pct { my ($p, @v) = @_; @v = sort { $a <=> $b } @v; $v[int($p * $#v + 0.5)] }
my %st = map { $_ => [ pct(0.5, @{ $ms{$_} }), pct(0.9, @{ $ms{$_} }) ] } keys %ms;
printf "magic-link requests, %d each (%d emails queued for the known addresses)\n", $n, $queued;
printf "%-8s p50 %6.2f ms  p90 %6.2f ms\n", $_, @{ $st{$_} } for qw(known unknown);
printf "ratio known/unknown: p50 %.2f, p90 %.2f\n", $st{known}[0] / $st{unknown}[0], $st{known}[1] / $st{unknown}[1];
$s->stop_all;
