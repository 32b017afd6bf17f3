# The image build's warm step with the real OpenClaw (Node 24 and the
# pinned package from scripts/openclaw-deps.sh): `och-setup warm-cache`
# (which `och-setup image` runs before its clean step) onboards a
# throwaway state folder, starts the real gateway on loopback, waits for
# /readyz and stops it; what stays is Node's compile cache of the package
# in the folder the gateway unit and every CLI call use, and nothing of
# the run: no state folder, config, token, device key or log, no process.
# A later CLI call then reads its modules' code from that cache.  Paths
# and the user are och-setup's test overrides (here as root, in the
# test's folder).  One gateway start (1.3 GB, about a minute).
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use OCH::OpenClaw;
use File::Find;

my $t = OCH::Test->new;
my $dir = $t->dir;
sub slurp { my ($f) = @_; open my $fh, '<', $f or return undef; local $/; <$fh> }

my $oc = OCH::OpenClaw->new($t);
ok($oc->ok, 'the real openclaw and Node 24 are installed (scripts/openclaw-deps.sh)')
    or BAIL_OUT('scripts/openclaw-deps.sh failed: ' . $oc->error);
my $ver = $oc->version;

# /opt/openclaw as the image has it: bin/openclaw, and Node first on its PATH
mkdir "$dir/$_" for qw(prefix prefix/bin ochome wtmp);
symlink($oc->bin, "$dir/prefix/bin/openclaw") or die;
symlink($oc->node, "$dir/prefix/bin/node") or die;
my $port = $t->free_port;
my %env = (OCH_OPENCLAW_PREFIX => "$dir/prefix", OCH_OPENCLAW_HOME => "$dir/ochome",
    OCH_OPENCLAW_USER => '', OCH_COMPILE_CACHE => "$dir/cache", OCH_WARM_TMP => "$dir/wtmp",
    OCH_WARM_PORT => $port, OCH_SETUP_LOG => "$dir/setup.log");
my $envs = join ' ', map { "$_='$env{$_}'" } sort keys %env;
my $setup = $t->src('cloud-init/och-setup');
my $out = `env $envs timeout 900 bash '$setup' warm-cache 2>&1`;
is($?, 0, 'och-setup warm-cache: the gateway started and got ready') or diag $out;

# the cache: the package's modules, under its version
my (@files, @odd);
find({ no_chdir => 1, wanted => sub {
	return unless -f $_;
	(my $rel = $_) =~ s{^\Q$dir\E/cache/}{};
	push @files, $rel;
	# Node's layout: [openclaw/<version>/<install marker>/]v<node>-<arch>-<hash>/<hash>
	push @odd, $rel unless $rel =~ m{^(openclaw/\Q$ver\E/[0-9]+-[0-9]+/)?v[0-9.]+-x64-[0-9a-f]+-[0-9]+/[0-9a-f]+$};
} }, "$dir/cache") if -d "$dir/cache";
my $pkg_files = grep { m{^openclaw/\Q$ver\E/} } @files;
cmp_ok($pkg_files, '>', 500, "the compile cache of openclaw $ver: $pkg_files modules");
is_deeply(\@odd, [], 'and nothing but compiled code in that folder (no config, token, key or log)');
is(sprintf('%04o', (stat "$dir/cache")[2] & 07777), '0700', 'the folder is 0700');

# nothing else of the run
opendir my $dh, "$dir/wtmp" or die;
my @left = grep { !/^\.\.?$/ } readdir $dh;
is_deeply(\@left, [], 'the throwaway state folder is gone (its config, token, device keys, log)');
opendir $dh, "$dir/ochome" or die;
@left = grep { !/^\.\.?$/ } readdir $dh;
is_deeply(\@left, [], "the openclaw user's own home untouched (no .openclaw made there)");
is(system("curl -s -m 2 -o /dev/null http://127.0.0.1:$port/readyz"), 7 << 8, 'no gateway listens any more');
is(scalar(grep { (slurp("/proc/$_/cmdline") // '') =~ /\Q$dir\E/ } grep { /^\d+$/ } do {
	opendir my $p, '/proc' or die; readdir $p }), 0, 'no process of the run left');
unlike(slurp("$dir/setup.log") // '', qr/[0-9a-f]{64}/, 'no token in the log');

# a CLI call reads the cache
my $cli = `cd '$dir' && env HOME='$dir/cli' OPENCLAW_STATE_DIR='$dir/cli/.openclaw' TMPDIR='$dir/wtmp' \\
    PATH='$dir/prefix/bin:$ENV{PATH}' NODE_COMPILE_CACHE='$dir/cache' NODE_DEBUG_NATIVE=COMPILE_CACHE \\
    timeout 300 openclaw config get gateway.port 2>&1`;
my $hits = () = $cli =~ /V8 code cache for (?:ESM|CommonJS) \S+ was accepted/g;
cmp_ok($hits, '>', 0, "a CLI call took $hits modules' code from the cache") or diag substr($cli, -2000);

$t->done_testing;
