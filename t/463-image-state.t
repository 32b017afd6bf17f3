# The onboarded state a pre-built image carries, made with the real
# OpenClaw (Node 24 and the pinned package from scripts/openclaw-deps.sh):
# `och-setup image-state` (which `och-setup image` runs before its clean
# step) onboards the openclaw user's state folder as a first boot did
# (token auth by a reference to the env file) and adds the settings every
# server has (nginx as trusted proxy, the admin RPC plugin, the channel
# plugins off until configured), then strips what is per machine or
# secret.  Made twice in the same place, the two
# folders hold the same files with the same contents but for the
# onboarding's timestamp and the state database's records of the run;
# no token, env file, config backup or fingerprint key stays, and no
# server's name.  A first boot then needs no openclaw call (t/710); the
# real gateway's start on this state and the first config through its
# admin RPC are measured and checked by bench/openclaw/firstboot.sh
# (bench/README.md; a gateway start here would add a minute and 1.3 GB).
# Two onboardings, no gateway: about 20 s.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::OpenClaw;
use File::Find;
use JSON::PP;

my $t = OCH::Test->new;
my $dir = $t->dir;
sub slurp { my ($f) = @_; open my $fh, '<', $f or return undef; local $/; <$fh> }

my $oc = OCH::OpenClaw->new($t);
ok($oc->ok, 'the real openclaw and Node 24 are installed (scripts/openclaw-deps.sh)')
    or BAIL_OUT('scripts/openclaw-deps.sh failed: ' . $oc->error);

# /opt/openclaw as the image has it: bin/openclaw, and Node first on its PATH
mkdir "$dir/$_" for qw(prefix prefix/bin);
symlink($oc->bin, "$dir/prefix/bin/openclaw") or die;
symlink($oc->node, "$dir/prefix/bin/node") or die;
my %env = (OCH_OPENCLAW_PREFIX => "$dir/prefix", OCH_OPENCLAW_HOME => "$dir/home",
    OCH_OPENCLAW_USER => '', OCH_COMPILE_CACHE => "$dir/cache", OCH_SETUP_LOG => "$dir/setup.log");
my $envs = join ' ', map { "$_='$env{$_}'" } sort keys %env;
my $setup = $t->src('cloud-init/och-setup');

# the files of a folder: relative path => contents
sub tree {
	my ($root) = @_;
	my %f;
	find({ no_chdir => 1, wanted => sub {
		return unless -f $_;
		(my $rel = $_) =~ s{^\Q$root\E/}{};
		$f{$rel} = slurp($_);
	} }, $root);
	return \%f;
}

my @made;
for my $n (1, 2) {
	mkdir "$dir/home";
	my $out = `env $envs timeout 300 bash '$setup' image-state 2>&1`;
	is($?, 0, "och-setup image-state ($n)") or diag $out;
	rename "$dir/home/.openclaw", "$dir/state$n" or die "rename: $!";
	rmdir "$dir/home";
	push @made, tree("$dir/state$n");
}
my ($one, $two) = @made;
my $cfg = eval { decode_json($one->{'openclaw.json'} // '') } // {};
is_deeply($cfg->{gateway}{auth}{token}, { source => 'env', provider => 'default', id => 'OPENCLAW_GATEWAY_TOKEN' },
    'the config takes its token from the env file (onboarding\'s reference)');
is_deeply([ @{ $cfg->{gateway} }{qw(mode bind)} ], [qw(local loopback)], 'local, on loopback');
is_deeply($cfg->{gateway}{trustedProxies}, ['127.0.0.1'], 'nginx is the trusted proxy');
ok($cfg->{plugins}{entries}{'admin-http-rpc'}{enabled}, 'the admin RPC plugin is enabled');
is_deeply({ map { $_ => $cfg->{plugins}{entries}{$_}{enabled} } qw(whatsapp discord slack) },
    { map { $_ => JSON::PP::false } qw(whatsapp discord slack) },
    'the channel plugins off (installing enabled them; loaded at every start they cost 30-45 s)');
ok(!exists $cfg->{gateway}{controlUi} && !exists $cfg->{gateway}{publicOrigin},
    'no origin: the server\'s name comes with the agent\'s first config');
is($cfg->{wizard}{lastRunCommand}, 'onboard', 'onboarded (OpenClaw\'s wizard stamp)');

my @bad = grep { m{(^|/)\.env$|\.bak(\.\d+)?$|clobbered|fingerprint|(^|/)(identity|devices|credentials|logs|tmp)/|sessions/.} }
    sort keys %$one;
is_deeply(\@bad, [], 'no env file, config backup, fingerprint key, identity, session or log');
my @tok = grep { ($one->{$_} // '') =~ /\b[0-9a-f]{64}\b/ && $_ !~ /\.sqlite$/ } sort keys %$one;
is_deeply(\@tok, [], 'no 64-hex token in any file');
ok(!grep({ index($one->{$_} // '', 'claw.example') >= 0 } keys %$one), 'no server name anywhere');

# the two builds: the same files; contents differ only where allowed
is_deeply([ sort keys %$two ], [ sort keys %$one ], 'two builds make the same files');
my @differ = grep { ($one->{$_} // '') ne ($two->{$_} // '') } sort keys %$one;
is_deeply([ grep { $_ ne 'openclaw.json' && $_ !~ m{^state/openclaw\.sqlite$} } @differ ], [],
    'with the same contents but the config and the state database') or diag "@differ";
my $c2 = eval { decode_json($two->{'openclaw.json'} // '') } // {};
delete $_->{wizard}{lastRunAt} for $cfg, $c2;
is_deeply($c2, $cfg, 'the configs differ in the onboarding\'s timestamp only');
# the state database: what a run records (config writes, schema stamps),
# no key: its tables with rows, the same in both
SKIP: {
	skip 'sqlite3 not installed', 1 unless system('command -v sqlite3 >/dev/null') == 0;
	my @t = map { my $n = $_; [ map { `sqlite3 '$dir/state$n/state/openclaw.sqlite' "SELECT '$_', count(*) FROM $_"` }
	    split ' ', `sqlite3 '$dir/state$n/state/openclaw.sqlite' "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"` ] } 1, 2;
	is_deeply($t[1], $t[0], 'the state databases have the same tables and row counts');
	my $dump = `sqlite3 '$dir/state1/state/openclaw.sqlite' .dump`;
	my @keys = grep { !/^(config_machine_state|diagnostic_events|schema_meta|workspace_\w+|config_health_entries|agent_provenance)$/ }
	    $dump =~ /^INSERT INTO (\w+)/mg;
	is_deeply(\@keys, [], 'rows only of the run\'s records (no device identity, key or session)');
}
unlike(slurp("$dir/setup.log") // '', qr/[0-9a-f]{64}/, 'no token in the log');

$t->done_testing;
