package OCH::Stack;
# Starting and stopping the real system for tests and the demo: a private
# PostgreSQL, och-cloudsim, the FastCGI binaries and nginx with the shipped
# config, on free loopback ports, in one folder.  Core Perl only.
# OCH::Test (t/lib/OCH/Test.pm) adds the test-specific parts.
use strict;
use warnings;
use Carp qw(croak);
use Cwd qw(abs_path);
use Digest::SHA qw(hmac_sha256_hex sha256_hex);
use File::Path qw(make_path remove_tree);
use Fcntl qw(:flock);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use IO::Socket::UNIX;
use JSON::PP;
use POSIX qw(:sys_wait_h setsid);
use Time::HiRes qw(sleep time);

our $JSON = JSON::PP->new->canonical(1)->utf8(1)->allow_nonref(1);
my @ALL;	# every live stack: stopped at exit, whatever happened

sub srcdir { $ENV{OCH_SRCDIR} // abs_path(__FILE__ =~ s{/t/lib/OCH/Stack\.pm$}{}r) }
sub builddir { $ENV{OCH_BUILDDIR} // srcdir() . '/build' }

sub new {
	my ($class, %opt) = @_;
	my $base = $ENV{OCH_TEST_TMP} // '/tmp';
	(my $name = $0) =~ s{.*/}{};
	$name =~ s/\.t$//;
	my $dir = $opt{dir};
	if ($dir) {
		make_path($dir);
	} else {
		$dir = tempdir("och-$name-XXXXXX", DIR => $base, CLEANUP => 0);
	}
	chmod 0755, $dir;
	my $self = bless { dir => $dir, procs => [], config => {}, name => $name,
	    keep => $opt{keep} }, $class;
	push @ALL, $self;
	return $self;
}

sub dir { $_[0]{dir} }
sub bin { my ($s, $rel) = @_; builddir() . "/$rel" }
sub src { my ($s, $rel) = @_; srcdir() . (defined $rel ? "/$rel" : '') }
sub dburl { $_[0]{dburl} }
sub config { $_[0]{config} }
sub base_url { $_[0]{base_url} }

sub free_port {
	my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	    Proto => 'tcp', Listen => 1, ReuseAddr => 0) or croak "no free port: $!";
	my $port = $sock->sockport;
	close $sock;
	return $port;
}

sub _port_open {
	my ($port, $host) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => $host // '127.0.0.1',
	    PeerPort => $port, Proto => 'tcp', Timeout => 1);
	return 0 unless $s;
	close $s;
	return 1;
}

sub _socket_open {
	my ($path) = @_;
	return 0 unless -S $path;
	my $s = IO::Socket::UNIX->new(Peer => $path, Type => SOCK_STREAM());
	return 0 unless $s;
	close $s;
	return 1;
}

sub _tail {
	my ($file, $n) = @_;
	open my $fh, '<', $file or return '';
	my @l = <$fh>;
	close $fh;
	@l = @l[-$n .. -1] if @l > $n;
	return join '', @l;
}

# Start a background process.  Its stdout and stderr go to dir/NAME.log.
# Waits for readiness (ready_port, ready_socket or ready => sub) and dies
# with the log's tail if the process exits first.
sub spawn {
	my ($self, %a) = @_;
	my $name = $a{name} or croak 'spawn: name';
	my $log = "$self->{dir}/$name.log";
	my $pid = fork // croak "fork: $!";
	if ($pid == 0) {
		setsid();
		open STDIN, '<', '/dev/null';
		open STDOUT, '>>', $log or die "open $log: $!";
		open STDERR, '>&', \*STDOUT;
		$ENV{$_} = $a{env}{$_} for keys %{ $a{env} // {} };
		chdir $a{cwd} if $a{cwd};
		exec { $a{cmd}[0] } @{ $a{cmd} } or die "exec $a{cmd}[0]: $!";
	}
	my $p = { name => $name, pid => $pid, log => $log, %a };
	push @{ $self->{procs} }, $p;
	my $deadline = time + ($a{timeout} // 30);
	while (1) {
		my $ready = $a{ready_port} ? _port_open($a{ready_port}, $a{ready_host})
		    : $a{ready_socket} ? _socket_open($a{ready_socket})
		    : $a{ready} ? $a{ready}->() : 1;
		last if $ready;
		if (waitpid($pid, WNOHANG) == $pid) {
			$p->{dead} = 1;
			croak "$name exited early (status $?):\n" . _tail($log, 30);
		}
		croak "$name not ready after timeout:\n" . _tail($log, 30) if time > $deadline;
		sleep 0.05;
	}
	return $p;
}

# Stop one process (by record or name): SIGTERM, then SIGKILL after 10 s.
sub stop {
	my ($self, $p, $sig) = @_;
	$p = (grep { $_->{name} eq $p } @{ $self->{procs} })[-1] unless ref $p;
	return unless $p && !$p->{dead};
	$sig //= $p->{stop_signal} // 'TERM';
	kill $sig, -$p->{pid};
	kill $sig, $p->{pid};
	my $deadline = time + 10;
	while (waitpid($p->{pid}, WNOHANG) == 0) {
		if (time > $deadline) {
			kill 'KILL', -$p->{pid};
			kill 'KILL', $p->{pid};
			waitpid($p->{pid}, 0);
			last;
		}
		sleep 0.02;
	}
	$p->{status} = $?;
	$p->{dead} = 1;
}

sub proc { my ($self, $name) = @_; (grep { $_->{name} eq $name && !$_->{dead} } @{ $self->{procs} })[-1] }

sub stop_all {
	my ($self) = @_;
	$self->stop($_) for reverse grep { !$_->{dead} } @{ $self->{procs} };
}

# ---------------------------------------------------------------- config

my $as_root = $> == 0;
our $FCGI_GROUP = 'och-fcgi';	# the FastCGI sockets' group (fcgi_group_prefix)

sub _pg_bindir {
	my $d = `pg_config --bindir 2>/dev/null`;
	chomp $d;
	return $d if $d && -x "$d/initdb";
	for my $v (reverse glob '/usr/lib/postgresql/*/bin') { return $v if -x "$v/initdb" }
	croak 'initdb not found (install postgresql)';
}

# Run a command as the unprivileged postgres user when we are root.
sub _as_pg { $as_root ? ('setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--', @_) : @_ }

sub write_config {
	my ($self, %kv) = @_;
	$self->{config}{$_} = $kv{$_} for keys %kv;
	my $f = "$self->{dir}/och.conf";
	open my $fh, '>', $f or croak "write $f: $!";
	chmod 0600, $f;
	print $fh "$_=$self->{config}{$_}\n" for sort keys %{ $self->{config} };
	close $fh;
	return $f;
}

sub read_config {
	my ($self) = @_;
	open my $fh, '<', "$self->{dir}/och.conf" or croak "read och.conf: $!";
	while (<$fh>) {
		chomp;
		$self->{config}{$1} = $2 if /^([A-Z_0-9]+)=(.*)$/;
	}
	close $fh;
}

sub env {
	my ($self) = @_;
	return (OCH_CONFIG => "$self->{dir}/och.conf", OCH_SRCDIR => srcdir(),
	    OCH_BUILDDIR => builddir());
}

# n random bytes as hex, from the kernel: keys, secrets and request nonces.
# Not perl's rand: forked children share or collide in its state (t/910's
# two children seeded a millisecond apart drew the same nonces, and the
# API rightly refused the second use of each as a replay).
sub _random_hex {
	my $n = shift;
	open my $fh, '<:raw', '/dev/urandom' or die "/dev/urandom: $!";
	read($fh, my $b, $n) == $n or die "/dev/urandom: short read\n";
	return unpack 'H*', $b;
}

# Private PostgreSQL (fsync off, unix socket in the temp folder), an `och`
# database, and the schema applied with `ochctl migrate`.
sub start_pg {
	my ($self, %o) = @_;
	my $bindir = _pg_bindir();
	my $pgdir = "$self->{dir}/pg";
	unless (-d "$pgdir/data") {
		make_path($pgdir);
		system('chown', 'postgres:postgres', $pgdir) if $as_root;
		my $out = `@{[ join ' ', map { "'$_'" } _as_pg("$bindir/initdb", '-D', "$pgdir/data", '-A', 'trust', '-U', 'och', '-E', 'UTF8', '--no-sync', '--locale=C') ]} 2>&1`;
		croak "initdb failed:\n$out" if $?;
	}
	$self->{pg_bindir} = $bindir;
	$self->{pgdir} = $pgdir;
	$self->_pg_spawn;
	if ($self->{keep} && -f "$self->{dir}/och.conf" && !$self->{dburl}) {
		# a kept folder (the demo): same database, same keys
		$self->read_config;
		$self->{dburl} = $self->{config}{DATABASE_URL};
		my ($rc, $out, $err) = $self->ochctl('migrate');
		croak "ochctl migrate failed: $out$err" if $rc;
	}
	unless ($self->{dburl}) {
		# och owns the schema (migrations); the binaries connect as
		# och_app, the application role schema/060_roles.sql grants to,
		# created here beforehand as an operator would (with LOGIN)
		system("$bindir/psql", '-X', '-q', '-h', $pgdir, '-U', 'och', '-d', 'postgres',
		    '-c', 'CREATE DATABASE och', '-c', 'CREATE ROLE och_app LOGIN') == 0
		    or croak 'createdb failed';
		$self->{dburl} = "postgresql:///och?host=$pgdir&user=och_app";
		$self->write_config(
		    DATABASE_URL => $self->{dburl},
		    DATABASE_OWNER_URL => "postgresql:///och?host=$pgdir&user=och",
		    OCH_SCHEMA_DIR => srcdir() . '/schema',
		    OCH_TEMPLATE_DIR => srcdir(),
		    OCH_MASTER_KEY => _random_hex(32),
		    JWT_SECRET => _random_hex(32),
		    API_URL => 'http://127.0.0.1:1',
		    DASHBOARD_URL => 'http://127.0.0.1:1',
		    EMAIL_FROM => 'openclawhost <noreply@och.test>',
		    OPENCLAW_VERSION => '2026.9.6',
		    ADMIN_EMAIL => 'ops@och.test',
		);
		unless ($o{no_migrate}) {
			my ($rc, $out, $err) = $self->ochctl('migrate');
			croak "ochctl migrate failed: $out$err" if $rc;
		}
	}
	return $self->{dburl};
}

sub _pg_spawn {
	my ($self) = @_;
	my $pgdir = $self->{pgdir};
	$self->spawn(name => 'postgres',
	    cmd => [ _as_pg("$self->{pg_bindir}/postgres", '-D', "$pgdir/data",
		'-k', $pgdir, '-c', 'listen_addresses=', '-c', 'fsync=off',
		'-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
		'-c', 'unix_socket_permissions=0777', '-c', 'max_connections=200',
		'-c', 'log_min_messages=warning') ],
	    stop_signal => 'INT',
	    ready => sub {
		    system("$self->{pg_bindir}/pg_isready -q -h '$pgdir' -U och -d postgres") == 0;
	    });
}

# Stop PostgreSQL (fast shutdown, as a restart or crash would look to
# clients) and start it again on the same data and socket.
sub pg_stop { my ($s, $sig) = @_; $s->stop('postgres', $sig // 'INT') }
sub pg_start { my ($s) = @_; $s->_pg_spawn }

# Run SQL through psql.  Named values are passed as psql variables and
# used as :'name' (quoted literal) in the SQL.  Returns the rows as
# arrayrefs (tab-separated fields); dies on error.
sub psql {
	my ($self, $sql, %vars) = @_;
	my @cmd = ("$self->{pg_bindir}/psql", '-X', '-q', '-A', '-t', '-F', "\t",
	    '-v', 'ON_ERROR_STOP=1', '-h', $self->{pgdir}, '-U', 'och', '-d', 'och');
	push @cmd, '-v', "$_=$vars{$_}" for sort keys %vars;
	my $in = "$self->{dir}/.psql-$$-in.sql";
	open my $fh, '>', $in or croak $!;
	print $fh $sql, "\n";
	close $fh;
	my $out = $self->_capture([ @cmd, '-f', $in ], \my $err);
	unlink $in;
	croak "psql failed: $err" if $?;
	return map { [ split /\t/, $_, -1 ] } grep { length } split /\n/, $out;
}

# First column of the first row, or undef.
sub psql_one { my ($s, @a) = @_; my @r = $s->psql(@a); @r ? $r[0][0] : undef }

sub _capture {
	my ($self, $cmd, $errref, %env) = @_;
	my $o = "$self->{dir}/.cap-$$-out";
	my $e = "$self->{dir}/.cap-$$-err";
	my $i = "$self->{dir}/.cap-$$-in";
	my $input = delete $env{_stdin};
	if (defined $input) {
		open my $fh, '>', $i or croak "$i: $!";
		chmod 0600, $i;
		print $fh $input;
		close $fh;
	}
	my $pid = fork // croak "fork: $!";
	if ($pid == 0) {
		open STDIN, '<', defined $input ? $i : '/dev/null';
		open STDOUT, '>', $o;
		open STDERR, '>', $e;
		$ENV{$_} = $env{$_} for keys %env;
		exec { $cmd->[0] } @$cmd or exit 127;
	}
	waitpid($pid, 0);
	my $rc = $?;
	local $/;
	open my $fo, '<', $o; my $out = <$fo> // ''; close $fo;
	open my $fe, '<', $e; my $err = <$fe> // ''; close $fe;
	unlink $o, $e, $i;
	$$errref = $err if $errref;
	$? = $rc;
	return $out;
}

# Run ochctl with this test's config.  Returns (exit, stdout, stderr).
sub ochctl {
	my ($self, @args) = @_;
	my $out = $self->_capture([ $self->bin('tools/ochctl'), @args ], \my $err, $self->env);
	my $rc = $? >> 8;
	$self->_append_log('ochctl', $err) if length $err;
	return ($rc, $out, $err);
}

# och-poller MODE run once to its end with this stack's environment and
# ENV on top, its output appended to the test folder's poller-LOG.log
# (LOG: MODE unless the env holds _log); returns its exit status.
sub poller_once {
	my ($self, $mode, %env) = @_;
	my $log = delete($env{_log}) // $mode;
	my $pid = fork // croak "fork: $!";
	if (!$pid) {
		open STDOUT, '>>', "$self->{dir}/poller-$log.log" or exit 127;
		open STDERR, '>&', \*STDOUT or exit 127;
		%ENV = (%ENV, $self->env, %env);
		exec $self->bin('poller/och-poller'), $mode or exit 127;
	}
	waitpid($pid, 0);
	return $? >> 8;
}

# Bytes nginx holds in its temporary folder WHICH ('nginx-body' for
# request bodies, 'nginx-fastcgi' for answers): nginx unlinks a temporary
# file as it opens it, so they are counted through the open descriptors
# (/proc/PID/fd/N -> ".../run/WHICH/0000000001 (deleted)").
sub nginx_spooled {
	my ($self, $which) = @_;
	my $under = "$self->{dir}/run/$which";
	my $n = 0;
	for my $fd (glob '/proc/[0-9]*/fd/*') {
		my $to = readlink($fd) // next;
		$n += (-s $fd // 0) if index($to, $under) == 0;
	}
	return $n;
}

# A value sealed under this stack's master key for row identity ad, in
# bytea text form (ochctl secret seal; the value goes on stdin).
sub seal {
	my ($self, $ad, $value) = @_;
	my $out = $self->_capture([ $self->bin('tools/ochctl'), 'secret', 'seal', $ad ], \my $err,
	    $self->env, _stdin => $value);
	croak "seal failed: $err" if $?;
	chomp $out;
	return $out;
}

sub _append_log {
	my ($self, $name, $text) = @_;
	open my $fh, '>>', "$self->{dir}/$name.log" or return;
	print $fh $text;
	close $fh;
}

# ---------------------------------------------------------------- servers

# The simulator's default credentials (sim/README.md).
our %SIM = (
	hetzner_token => 'sim-hetzner-token',
	cloudflare_token => 'sim-cloudflare-token',
	cloudflare_zone => 'sim-zone-0001',
	domain => 'och.test',
	resend_key => 're_sim_key',
	whmcs_identifier => 'sim-whmcs-id',
	whmcs_secret => 'sim-whmcs-secret',
	operator_ssh_key => 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEFCWCi73CTyKq2Rd1utPO3foNnWHgKrmyY3/IiDR8ZN '
	    . 'operator@och.test',
);

sub start_sim {
	my ($self, @args) = @_;
	my $port = free_port();
	my $p = $self->spawn(name => 'cloudsim',
	    cmd => [ $self->bin('sim/och-cloudsim'), '--listen', "127.0.0.1:$port",
		'--state-dir', "$self->{dir}/sim", @args ],
	    ready_port => $port);
	my $url = "http://127.0.0.1:$port";
	$self->{sim_url} = $url;
	$self->write_config(
	    HETZNER_API_URL => "$url/hetzner/v1",
	    HETZNER_API_TOKEN => $SIM{hetzner_token},
	    CLOUDFLARE_API_URL => "$url/cloudflare/client/v4",
	    CLOUDFLARE_API_TOKEN => $SIM{cloudflare_token},
	    CLOUDFLARE_ZONE_ID => $SIM{cloudflare_zone},
	    CLOUDFLARE_DOMAIN => $SIM{domain},
	    RESEND_API_URL => "$url/resend",
	    RESEND_API_KEY => $SIM{resend_key},
	    WHMCS_API_URL => "$url/whmcs/includes/api.php",
	    WHMCS_API_IDENTIFIER => $SIM{whmcs_identifier},
	    WHMCS_API_SECRET => $SIM{whmcs_secret},
	    # the fleet network (lib/fleetnet.h): a public key, not a secret
	    OPERATOR_SSH_KEY => $SIM{operator_ssh_key},
	    OPERATOR_SSH_RANGES => '192.0.2.0/24',
	) if $self->{dburl};
	$self->sim_latency;
	return $url;
}
sub sim_url { $_[0]{sim_url} }

# Set och-cloudsim's latency (POST /_sim/latency with %set, e.g. profile =>
# 'hetzner'; nothing: just read it) and tell the poller how long a create
# takes there (HETZNER_CREATE_MS: it checks the create action once after
# that), as an operator sets it from Hetzner's numbers.  Pollers started
# afterwards read it.  Returns the latency as the simulator reports it.
sub sim_latency {
	my ($self, %set) = @_;
	my $u = "$self->{sim_url}/_sim/latency";
	my $r = %set ? $self->http(POST => $u, body => \%set) : $self->http(GET => $u);
	die "sim latency: $r->{status} $r->{content}\n" unless $r->{status} == 200 && $r->{json};
	my $l = $r->{json};
	my $c = ($l->{create} // 0) > ($l->{create_snapshot} // 0) ? $l->{create} : $l->{create_snapshot};
	my $ms = int(($c // 0) * 1000 + 0.999);
	$self->write_config(HETZNER_CREATE_MS => $ms < 10 ? 10 : $ms) if $self->{dburl};
	return $l;
}

# och-cloudsim whose servers run the real cloud-init/och-agent (agent
# mode) with the stand-ins for what cannot run here: t/bin/openclaw as the
# CLI and t/bin/openclaw-gateway as the gateway's loopback HTTP side (one
# for all servers; its /_stub/scan plays the phone scanning WhatsApp's QR;
# it takes the gateway tokens the servers' openclaw.json hold).
# The demo and t/810 start the system this way.  Returns the gateway
# stand-in's URL; @args go to the simulator.
sub start_sim_agents {
	my ($self, @args) = @_;
	my $gwport = free_port();
	# the simulator's state folder (its servers' openclaw.json: the
	# stand-in takes the gateway tokens they hold now)
	my $state = "$self->{dir}/sim";
	for my $i (0 .. $#args - 1) { $state = $args[$i + 1] if $args[$i] eq '--state-dir' }
	$self->spawn(name => 'gateway-stub', cmd => [ $self->src('t/bin/openclaw-gateway'), $gwport ],
	    env => { OCH_GW_STUB_SIM_STATE => $state }, ready_port => $gwport);
	$self->{gateway_url} = "http://127.0.0.1:$gwport";
	local %ENV = (%ENV,
		OPENCLAW_BIN => $self->src('t/bin/openclaw'),
		OCH_CLAWHUB_BIN => $self->src('t/bin/clawhub'),
		OPENCLAW_USER => '',
		OCH_SYSTEMCTL => ':',
		OCH_GATEWAY_URL => $self->{gateway_url},
		OCH_POLL_WAIT => 5,
		OCH_REPORT_INTERVAL => 5,
		OCH_BACKOFF_MAX => 4,
		OCH_WA_LOGIN_TIMEOUT => 120,
	);
	$self->start_sim('--agent', $self->src('cloud-init/och-agent'), @args);
	return $self->{gateway_url};
}
sub gateway_url { $_[0]{gateway_url} }

# A real S3 implementation (t/s3: s3rver, which checks SigV4 signatures)
# with its data under the test folder and the bucket och-backups; installs
# it from the npm registry on first use.  Sets the S3_* keys.  Returns its
# URL.  Call again after stop('s3rver') to bring the same store back.
sub start_s3 {
	my ($self) = @_;
	my $src = srcdir() . '/t/s3';
	# (one install at a time: t/480 and t/735 may both start it first)
	open my $lock, '>', "$src/.install.lock" or croak "$src/.install.lock: $!";
	flock $lock, LOCK_EX or croak "flock: $!";
	unless (-d "$src/node_modules/\@20minutes/s3rver") {
		system("cd '$src' && npm ci --no-audit --no-fund --prefer-offline >/dev/null 2>&1") == 0
		    or croak 'npm ci in t/s3 failed (is the npm registry reachable?)';
	}
	close $lock;
	my $port = $self->{s3_port} //= free_port();
	make_path("$self->{dir}/s3");
	$self->spawn(name => 's3rver', cmd => [ 'node', "$src/run.js", "$self->{dir}/s3", $port, 'och-backups' ],
	    ready_port => $port);
	my $url = "http://127.0.0.1:$port";
	$self->write_config(S3_ENDPOINT => $url, S3_REGION => 'us-east-1', S3_BUCKET => 'och-backups',
	    S3_ACCESS_KEY => 'S3RVER', S3_SECRET_KEY => 'S3RVER') if $self->{dburl};
	return $url;
}

# Render a shipped template (@VAR@ substitution) into the test folder.
sub render {
	my ($self, $src, $dst, %vars) = @_;
	open my $in, '<', $src or croak "read $src: $!";
	local $/;
	my $text = <$in>;
	close $in;
	$text =~ s/\@([A-Z_]+)\@/exists $vars{$1} ? $vars{$1} : croak "render $src: no value for \@$1\@"/ge;
	open my $out, '>', $dst or croak "write $dst: $!";
	print $out $text;
	close $out;
	return $dst;
}

# Start FastCGI binaries (each with -s SOCKET) and nginx with the shipped
# configuration on a free port.  Returns the base URL.
sub start_api {
	my ($self, %o) = @_;
	my @bins = @{ $o{binaries} // ['health'] };
	$self->{fcgi_workers} = $o{workers} if $o{workers};
	my $port = $o{port} // free_port();
	my $base = "http://127.0.0.1:$port";
	$self->{base_url} = $base;
	$self->write_config(API_URL => $base, DASHBOARD_URL => $base, %{ $o{config} // {} });
	my $run = "$self->{dir}/run";
	my $conf = "$self->{dir}/nginx";
	make_path($run, $conf, "$self->{dir}/www");
	chmod 0755, $run, $conf, "$self->{dir}/www";
	$self->start_fcgi(ref $_ ? @$_ : $_) for @bins;
	# a stand-in binary (t/unit/echo.fcgi) serves its own test routes:
	# every /api/v1/ path that no shipped location takes goes to it
	if (my ($standin) = grep { ref $_ } @bins) {
		make_path("$conf/och-site.d");
		open my $fh, '>', "$conf/och-site.d/standin.conf" or croak $!;
		print $fh "location /api/v1/ {\n\tinclude $conf/och-fastcgi.conf;\n"
		    . "\tfastcgi_pass unix:$run/$standin->[0].sock;\n}\n";
		close $fh;
	}
	my $www = $o{webroot} // "$self->{dir}/www";
	unless (-e "$www/index.html") {
		open my $fh, '>', "$www/index.html"; print $fh "<!doctype html><title>och</title>\n"; close $fh;
	}
	my %v = (LISTEN => "127.0.0.1:$port", SERVER_NAME => 'localhost', RUNDIR => $run,
	    CONFDIR => $conf, WEBROOT => $www, LOGDIR => $self->{dir},
	    VPSDIR => srcdir() . '/cloud-init',
	    NGINX_USER => nginx_user());
	$self->render(srcdir() . '/nginx/och-site.conf.in', "$conf/och-site.conf", %v);
	$self->render(srcdir() . '/nginx/nginx.conf.in', "$conf/nginx.conf", %v);
	system('cp', srcdir() . '/nginx/och-fastcgi.conf', "$conf/och-fastcgi.conf") == 0 or croak 'cp';
	# realip => TEXT replaces the shipped (empty) och-realip.conf, as an
	# operator behind a TLS terminator would
	if (defined $o{realip}) {
		open my $fh, '>', "$conf/och-realip.conf" or croak $!;
		print $fh $o{realip};
		close $fh;
	} else {
		system('cp', srcdir() . '/nginx/och-realip.conf', "$conf/och-realip.conf") == 0 or croak 'cp';
	}
	system('cp', srcdir() . "/nginx/$_", "$conf/$_") == 0 or croak 'cp' for qw(och-metrics-allow.conf och-tls.conf);
	$self->spawn(name => 'nginx',
	    cmd => [ 'nginx', '-p', $conf, '-c', "$conf/nginx.conf", '-g', 'daemon off;' ],
	    ready_port => $port);
	return $base;
}

# The FastCGI sockets' group (scripts/deps.sh creates it): as root the
# binaries run with it as their group, as deploy/'s units do, and nginx's
# workers with it (nginx.conf's `user www-data och-fcgi`); the sockets are
# 0660, so no other www-data process reaches them.  nginx_user() is the
# nginx `user` line's value.
sub nginx_user { $as_root ? "www-data $FCGI_GROUP" : scalar getpwuid($>) }
# The command prefix that starts a FastCGI binary with that group.
sub fcgi_group_prefix {
	return () unless $as_root;
	croak "group $FCGI_GROUP missing (run scripts/deps.sh)" unless defined getgrnam($FCGI_GROUP);
	return ('setpriv', "--regid=$FCGI_GROUP", '--clear-groups', '--');
}

# Start (or restart) one FastCGI binary by group name, listening on that
# group's socket; binrel names another built binary to serve the group
# (e.g. the test binary t/unit/echo.fcgi).
sub start_fcgi {
	my ($self, $b, $binrel) = @_;
	my $run = "$self->{dir}/run";
	my $sock = "$run/$b.sock";
	unlink $sock;
	return $self->spawn(name => "$b.fcgi",
	    cmd => [ fcgi_group_prefix(), $self->bin($binrel // "cgi-bin/$b.fcgi"), '-s', $sock,
		$self->{fcgi_workers} ? ('-n', $self->{fcgi_workers}) : () ],
	    env => { $self->env }, ready_socket => $sock);
}

sub url { my ($s, $p) = @_; $p =~ m{^https?://} ? $p : "$s->{base_url}$p" }

# One HTTP request.  body may be a string or a reference (sent as JSON).
# Returns {status, headers (lower-case names), content, json}.
sub http {
	my ($self, $method, $path, %o) = @_;
	my %h = %{ $o{headers} // {} };
	my $body = $o{body};
	if (ref $body) {
		$body = $JSON->encode($body);
		$h{'content-type'} //= 'application/json';
	}
	$h{'content-type'} = $o{content_type} if $o{content_type};
	my $ua = HTTP::Tiny->new(timeout => $o{timeout} // 30, max_redirect => 0,
	    keep_alive => 0);
	my $r = $ua->request($method, $self->url($path),
	    { headers => \%h, defined $body ? (content => $body) : () });
	my $res = { status => $r->{status}, headers => $r->{headers} // {},
	    content => $r->{content} // '' };
	if (($res->{headers}{'content-type'} // '') =~ m{json} && length $res->{content}) {
		$res->{json} = eval { $JSON->decode($res->{content}) };
	}
	return $res;
}

# HMAC signature headers for a request (docs/api.md, Authentication).
sub sign_headers {
	my ($self, $method, $target, $body, %o) = @_;
	my ($key, $secret) = ($o{key}, $o{secret});
	($key, $secret) = $self->api_client unless defined $key;
	my $ts = $o{timestamp} // time;
	$ts = int $ts;
	my $nonce = $o{nonce} // _random_hex(16);
	my $canonical = join "\n", $method, $target, $ts, $nonce, sha256_hex($body // '');
	return ('X-OCH-Key' => $key, 'X-OCH-Timestamp' => $ts, 'X-OCH-Nonce' => $nonce,
	    'X-OCH-Signature' => hmac_sha256_hex($canonical, $secret));
}

# A signed request as the WHMCS module sends it.
sub signed {
	my ($self, $method, $target, $body, %o) = @_;
	$body = $JSON->encode($body) if ref $body;
	my %h = $self->sign_headers($method, $target, $body, %o);
	$h{'content-type'} = 'application/json' if defined $body && length $body;
	%h = (%h, %{ $o{headers} // {} });
	return $self->http($method, $target, headers => \%h, body => $body);
}

# An instance ordered over HMAC (WHMCS service and client n), put in
# booting with a bootstrap token, whose agent has called ready:
# {id, token (the agent token), gw (the gateway token)}.
sub ready_agent {
	my ($self, $n) = @_;
	my $id = $self->signed(POST => '/api/v1/instances', { whmcs_service_id => $n, whmcs_client_id => $n,
	    email => "c$n\@example.com", plan => 'starter', region => 'eu-helsinki' })->{json}{id};
	my $boot = sprintf('%04d', $n) x 16;
	$self->psql("UPDATE instances SET state = 'booting' WHERE id = :'i'", i => $id);
	$self->psql("INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at) VALUES (:'h', :'i', now() + interval '1 hour')",
	    h => sha256_hex($boot), i => $id);
	my $r = $self->http(POST => '/api/v1/agent/ready', body => { bootstrap_token => $boot });
	return { id => $id, token => $r->{json}{agent_token}, gw => $r->{json}{secrets}{gateway_token} };
}

# An API client created with ochctl (cached): (id, secret).
# A customer's session the way WHMCS gives one: an SSO token minted over
# HMAC for instance id, redeemed at POST /api/v1/auth/sso.  Returns the
# session's request headers (Cookie, X-CSRF-Token).
sub sso_session {
	my ($self, $id) = @_;
	require OCH::Login;	# (which uses this module)
	return OCH::Login::session_of(OCH::Login::sso_login($self, $id));
}

sub api_client {
	my ($self, $name) = @_;
	return @{ $self->{api_client} } if $self->{api_client} && !$name;
	my ($rc, $out, $err) = $self->ochctl('api-client', 'create', $name // 'test-whmcs');
	croak "api-client create failed: $err" if $rc;
	my ($id) = $out =~ /^id:\s+(\S+)/m;
	my ($secret) = $out =~ /^secret:\s+(\S+)/m;
	croak "api-client create printed no id/secret" unless $id && $secret;
	$self->{api_client} = [ $id, $secret ] unless $name;
	return ($id, $secret);
}

# Poll cond every 50 ms until it returns true or timeout (s) passes.
# Returns the condition's last value.
sub wait_for {
	my ($self, $cond, %o) = @_;
	my $deadline = time + ($o{timeout} // 10);
	while (1) {
		my $v = $cond->();
		return $v if $v;
		return $v if time > $deadline;
		sleep($o{interval} // 0.05);
	}
}

# Lines in the logs that look like a sanitizer report or an nginx alert,
# less those matching the allow list.
sub log_problems {
	my ($self) = @_;
	my @bad;
	for my $f (glob "$self->{dir}/*.log") {
		open my $fh, '<', $f or next;
		while (my $l = <$fh>) {
			next unless $l =~ /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|\[(alert|emerg|crit)\]/;
			next if grep { $l =~ $_ } @{ $self->{allow_log} // [] };
			push @bad, "$f: $l";
		}
		close $fh;
	}
	return @bad;
}

# A log line matching re is expected (e.g. nginx's [crit] when a test
# stops a binary on purpose).
sub allow_log { my ($s, $re) = @_; push @{ $s->{allow_log} }, $re }

my $OWNER = $$;
END {
	my $rc = $?;
	$_->stop_all for $$ == $OWNER ? @ALL : ();
	$? = $rc;
}

1;
