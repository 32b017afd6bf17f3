#!/usr/bin/perl
# A stand-in for the control plane's POST /api/v1/agent/ready, for the
# simulator's tests: t-fakeapi.pl PORT LOGFILE [STATUS...]
# Answers the given statuses first (one per request), then 200 with an
# agent token and secrets (node_exporter_password "ne-secret-pass").
# Every request is appended to LOGFILE as one JSON line.
use strict;
use warnings;
use IO::Socket::INET;
use JSON::PP;

my ($port, $log, @plan) = @ARGV;
my $json = JSON::PP->new->canonical(1);
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
    Listen => 64, ReuseAddr => 1, Proto => 'tcp') or die "listen: $!";
$SIG{TERM} = sub { exit 0 };
while (my $c = $srv->accept) {
	local $/ = "\r\n";
	my $line = <$c> // next;
	my ($method, $path) = split / /, $line;
	my %h;
	while (my $l = <$c>) {
		last if $l eq "\r\n";
		$l =~ s/\r\n$//;
		my ($k, $v) = split /:\s*/, $l, 2;
		$h{lc $k} = $v;
	}
	my $body = '';
	read($c, $body, $h{'content-length'}) if $h{'content-length'};
	my $status = @plan ? shift @plan : 200;
	open my $fh, '>>', $log or die;
	print $fh $json->encode({ method => $method, path => $path,
	    content_type => $h{'content-type'}, authorization => $h{authorization},
	    body => $body, status => $status }), "\n";
	close $fh;
	my $out = $status == 200 ? $json->encode({ agent_token => 'a' x 32,
	    instance_id => 'inst-1', config_url => '/api/v1/agent/config',
	    secrets => { gateway_token => 'g' x 32,
	    node_exporter_password => 'ne-secret-pass' } })
	    : '{"error":{"code":"unavailable","message":"try later"}}';
	print $c "HTTP/1.1 $status X\r\nContent-Type: application/json\r\n"
	    . "Content-Length: " . length($out) . "\r\nConnection: close\r\n\r\n$out";
	close $c;
}
