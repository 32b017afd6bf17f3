package OCH::VpsNginx;
# The customer VPS's nginx site (cloud-init/user-data.yaml.tmpl, the file
# /etc/nginx/sites-available/openclaw) run for real in a test folder: the
# shipped text with only its addresses moved (listen on loopback ports,
# the certificate and ACME folder in the test folder, the gateway's port),
# a self-signed certificate for the instance's hostname, and an nginx.conf
# around it.  t/700 runs it in front of a fake gateway, t/735 in front of
# the real OpenClaw gateway.
#   my $site = OCH::VpsNginx::site_from_template($t);
#   my $n = OCH::VpsNginx::start($t, site => $site, upstream => $port, host => $fqdn);
#   $n->{https}, $n->{http} (ports), $n->{curl_args} (curl options reaching it as https://HOST/)
# The gateway sees nginx at 127.0.0.1, so every client here is on
# loopback, where a real VPS sees the customer's public address; OpenClaw
# refuses a forwarded loopback client ("proxy_attribution_required").  The
# test wrapper (nginx.conf, not the site) therefore takes the client's
# address from the request header X-Test-Client-IP (nginx's realip
# module): a test names the public address it stands for.  The site
# itself is byte for byte the shipped one but for the addresses above.
use strict;
use warnings;
use Carp qw(croak);

sub _slurp { my ($f) = @_; open my $fh, '<', $f or croak "$f: $!"; local $/; <$fh> }
sub _spew { my ($f, $s) = @_; open my $fh, '>', $f or croak "$f: $!"; print $fh $s; close $fh }

# The site as the template writes it (a YAML literal block: the lines
# under `content: |`, their indentation removed).  Croaks when the
# template has no such file.
sub site_from_template {
	my ($t) = @_;
	my @l = split /\n/, _slurp($t->src('cloud-init/user-data.yaml.tmpl')), -1;
	my ($i) = grep { $l[$_] =~ m{^\s*- path: /etc/nginx/sites-available/openclaw\s*$} } 0 .. $#l;
	croak 'no nginx site in the user-data template' unless defined $i;
	$i++ until $i > $#l || $l[$i] =~ /^\s*content: \|\s*$/;
	my ($ind) = ($l[$i + 1] // '') =~ /^(\s+)/ or croak 'the nginx site has no content';
	my @site;
	for my $j ($i + 1 .. $#l) {
		last unless $l[$j] =~ /^\Q$ind\E/ || $l[$j] =~ /^\s*$/;
		push @site, $l[$j] =~ s/^\Q$ind\E//r;
	}
	pop @site while @site && $site[-1] =~ /^\s*$/;
	return join("\n", @site) . "\n";
}

# Start nginx with SITE in front of 127.0.0.1:UPSTREAM.  Options: host
# (the certificate's name, default localhost), name (the process and file
# prefix, default nginx-vps).  Returns {http, https, dir, conf, curl_args}.
sub start {
	my ($t, %o) = @_;
	my $name = $o{name} // 'nginx-vps';
	my $host = $o{host} // 'localhost';
	my $d = $t->dir . "/$name";
	mkdir $d;
	mkdir "$d/$_" for qw(acme acme/.well-known acme/.well-known/acme-challenge);
	my ($p80, $p443) = map { $t->free_port } 1 .. 2;
	system("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
	    . " -subj '/CN=$host' -addext 'subjectAltName=DNS:$host' -keyout '$d/privkey.pem'"
	    . " -out '$d/fullchain.pem' >'$d/openssl.out' 2>&1") == 0 or croak 'openssl req failed: ' . _slurp("$d/openssl.out");
	my $site = $o{site} // croak 'start: site';
	$site =~ s/^\s*listen \[::\].*\n//mg;
	$site =~ s/listen 80 default_server/listen 127.0.0.1:$p80 default_server/ or croak 'site: no listen 80';
	$site =~ s/listen 443 ssl default_server/listen 127.0.0.1:$p443 ssl default_server/ or croak 'site: no listen 443';
	$site =~ s{/etc/och/tls/}{$d/}g;
	$site =~ s{/var/www/acme}{$d/acme}g;
	$site =~ s/127\.0\.0\.1:18789/127.0.0.1:$o{upstream}/ or croak 'site: no upstream 127.0.0.1:18789';
	_spew("$d/site.conf", $site);
	my $user = $> == 0 ? 'user root;' : '';
	_spew("$d/nginx.conf", <<"EOF");
$user
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 256; }
http {
	access_log off;
	# the test stands for a client on the Internet (see OCH::VpsNginx)
	set_real_ip_from 127.0.0.1;
	real_ip_header X-Test-Client-IP;
	client_body_temp_path $d/tmp-body;
	proxy_temp_path $d/tmp-proxy;
	fastcgi_temp_path $d/tmp-fcgi;
	uwsgi_temp_path $d/tmp-uwsgi;
	scgi_temp_path $d/tmp-scgi;
	include $d/site.conf;
}
EOF
	my $nginx = -x '/usr/sbin/nginx' ? '/usr/sbin/nginx' : 'nginx';
	my $test = `'$nginx' -t -p '$d' -c '$d/nginx.conf' -e '$d/error.log' 2>&1`;
	my $ok = $? == 0;
	$t->spawn(name => $name, ready_port => $p443, cmd => [$nginx, '-p', $d, '-c', "$d/nginx.conf",
	    '-e', "$d/error.log", '-g', 'daemon off;']) if $ok;
	return { ok => $ok, test => $test, http => $p80, https => $p443, dir => $d, host => $host,
	    curl_args => [ '--connect-to', "$host:443:127.0.0.1:$p443", '--cacert', "$d/fullchain.pem" ] };
}

1;
