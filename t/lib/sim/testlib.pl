# Helpers for the simulator's tests (t/50N-sim-*.t): requests to each
# service with its credentials, user-data, the fake ready endpoint and
# exporter scrapes.  Loaded with `require` after `use OCH::Test`.
use strict;
use warnings;
use IO::Socket::INET;
use JSON::PP;
use MIME::Base64 qw(encode_base64);

our $SIMJ = JSON::PP->new->canonical(1)->utf8(1);

# A request to a service with its default credentials.
sub hz {
	my ($t, $method, $path, $body, %o) = @_;
	return $t->http($method, "$t->{sim}/hetzner/v1$path",
	    headers => { authorization => 'Bearer ' . ($o{token} // 'sim-hetzner-token'),
		%{ $o{headers} // {} } },
	    defined $body ? (body => $body) : (), %o{grep { $_ eq 'timeout' } keys %o});
}

sub cf {
	my ($t, $method, $path, $body, %o) = @_;
	return $t->http($method, "$t->{sim}/cloudflare/client/v4$path",
	    headers => { authorization => 'Bearer ' . ($o{token} // 'sim-cloudflare-token') },
	    defined $body ? (body => $body) : ());
}

sub rs {
	my ($t, $body, %o) = @_;
	my %h = (authorization => 'Bearer ' . ($o{key} // 're_sim_key'));
	$h{'idempotency-key'} = $o{idem} if defined $o{idem};
	return $t->http($o{method} // 'POST', "$t->{sim}/resend" . ($o{path} // '/emails'),
	    headers => \%h, defined $body ? (body => $body) : ());
}

# Form-encoded WHMCS call; credentials unless given.
sub wh {
	my ($t, %f) = @_;
	%f = (identifier => 'sim-whmcs-id', secret => 'sim-whmcs-secret',
	    responsetype => 'json', %f);
	my $body = join '&', map { _enc($_) . '=' . _enc($f{$_}) } sort keys %f;
	return $t->http('POST', "$t->{sim}/whmcs/includes/api.php", body => $body,
	    content_type => 'application/x-www-form-urlencoded');
}

sub _enc { my $s = shift; $s =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge; $s }

# A fresh key pair made by ssh-keygen in the test folder: the public key
# line and its MD5 fingerprint as ssh-keygen prints it (what Hetzner shows).
sub ssh_pubkey {
	my ($t, $name) = @_;
	my $f = $t->dir . "/$name";
	system('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', $name, '-f', $f) == 0
	    or die "ssh-keygen failed\n";
	open my $fh, '<', "$f.pub" or die "$f.pub: $!\n";
	chomp(my $pub = <$fh>);
	my ($fp) = `ssh-keygen -E md5 -lf '$f.pub'` =~ /MD5:([0-9a-f:]+)/;
	return ($pub, $fp);
}

sub simctl {
	my ($t, $method, $path, $body) = @_;
	my $r = $t->http($method, "$t->{sim}/_sim$path", defined $body ? (body => $body) : ());
	return $r->{json} // $r;
}

# Start the simulator with fast defaults; remembers the URL in $t->{sim}.
sub start_fast_sim {
	my ($t, @args) = @_;
	$t->{sim} = $t->start_sim('--create-delay', '0', '--boot-delay', '0',
	    '--action-delay', '0', @args);
	return $t->{sim};
}

# #cloud-config with the bootstrap env file (and extra YAML appended).
sub user_data {
	my (%o) = @_;
	my $api = $o{api} // 'http://127.0.0.1:9';
	my $tok = $o{token} // 'boot-token-0123456789abcdef';
	my $ud = "#cloud-config\nhostname: \"vps\"\nwrite_files:\n"
	    . "  - path: /etc/och-agent/bootstrap.env\n    permissions: \"0600\"\n"
	    . "    content: \"OCH_API_URL=$api\\nOCH_BOOTSTRAP_TOKEN=$tok\\nOCH_INSTANCE_ID=i-1\\n\"\n";
	$ud .= $o{extra} if defined $o{extra};
	return $ud;
}

sub create_server {
	my ($t, %o) = @_;
	my $body = { name => $o{name} // 'srv-' . int(rand 1e9), server_type => $o{type} // 'cx23',
	    image => $o{image} // 'ubuntu-24.04', location => $o{location} // 'fsn1',
	    labels => $o{labels} // {}, exists $o{user_data} ? (user_data => $o{user_data}) : () };
	$body->{start_after_create} = $o{start} ? JSON::PP::true : JSON::PP::false if exists $o{start};
	return hz($t, 'POST', '/servers', $body);
}

sub sim_server {
	my ($t, $id) = @_;
	return simctl($t, 'GET', "/servers/$id");
}

# Start the fake ready endpoint; returns (base URL, log file).
sub fake_api {
	my ($t, $name, @plan) = @_;
	my $port = OCH::Stack::free_port();
	my $log = $t->dir . "/$name.requests";
	$t->spawn(name => $name, cmd => [ $^X, $t->src('t/lib/sim/fakeapi.pl'), $port, $log, @plan ],
	    ready_port => $port);
	return ("http://127.0.0.1:$port", $log);
}

sub read_requests {
	my ($log) = @_;
	open my $fh, '<', $log or return ();
	my @r = map { $SIMJ->decode($_) } <$fh>;
	close $fh;
	return @r;
}

# GET /metrics (or a path) from a simulated exporter: (status, body);
# tls => 1 over TLS (curl, any key).
sub scrape {
	my ($ip, %o) = @_;
	if ($o{tls}) {
		my @c = ('curl', '-s', '-k', '--max-time', '5', '-w', "\n%{http_code}");
		push @c, '-u', "$o{user}:$o{pass}" if defined $o{user};
		open my $p, '-|', @c, "https://$ip:" . ($o{port} // 9100) . ($o{path} // '/metrics')
		    or return (0, "curl: $!");
		local $/;
		my $out = <$p> // '';
		close $p;
		my ($body, $code) = $out =~ /\A(.*)\n(\d{3})\z/s or return (0, $out);
		return ($code + 0, $body);
	}
	my $s = IO::Socket::INET->new(PeerAddr => $ip, PeerPort => $o{port} // 9100,
	    Proto => 'tcp', Timeout => 5) or return (0, "connect: $!");
	my $auth = defined $o{user} ? 'Authorization: Basic '
	    . encode_base64("$o{user}:$o{pass}", '') . "\r\n" : '';
	print $s "GET " . ($o{path} // '/metrics') . " HTTP/1.1\r\nHost: $ip\r\n$auth"
	    . "Connection: close\r\n\r\n";
	local $/;
	my $resp = <$s> // '';
	close $s;
	my ($code) = $resp =~ m{^HTTP/1\.1 (\d+)};
	my ($body) = $resp =~ /\r\n\r\n(.*)\z/s;
	return ($code // 0, $body // '');
}

# The value of one sample in exposition text (first match), or undef.
sub metric {
	my ($text, $name, $labels) = @_;
	my $re = defined $labels ? qr/^\Q$name\E\{\Q$labels\E\} (\S+)$/m : qr/^\Q$name\E (\S+)$/m;
	return $text =~ $re ? $1 + 0 : undef;
}

1;
