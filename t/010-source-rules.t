# Rules the code must keep that a compiler does not check: no SQL built
# from strings, no escaping functions, and every symbol of the static
# library carries its module's prefix.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $src = OCH::Stack::srcdir();
my @c = grep { !m{/t/unit/} } map { glob "$src/$_/*.[ch]" } qw(lib cgi-bin poller tools sim);
ok(@c > 10, scalar(@c) . ' C files checked');

my (@escape, @exec, @fmt);
for my $f (@c) {
	open my $fh, '<', $f or die "$f: $!";
	my $n = 0;
	while (my $l = <$fh>) {
		$n++;
		(my $rel = $f) =~ s{^\Q$src\E/}{};
		push @escape, "$rel:$n" if $l =~ /\bPQescape\w*\s*\(/;
		# PQexec only with a constant statement (BEGIN, LISTEN, ...);
		# ochctl runs the schema files; db.c's BEGIN/COMMIT/ROLLBACK helper
		push @exec, "$rel:$n" if $l =~ /\bPQexec\s*\(\s*[^,]+,\s*+(?!")/ && $rel !~ m{^(?:tools/ochctl\.c|lib/db\.c)$};
		push @fmt, "$rel:$n" if $l =~ /\b(?:s?n?printf|xasprintf|buf_printf|asprintf)\s*\(.*"\s*(?:SELECT|INSERT|UPDATE|DELETE)\s/i;
	}
	close $fh;
}
is_deeply(\@escape, [], 'no PQescape*: values travel as parameters');
is_deeply(\@exec, [], 'PQexec only with constant SQL');
is_deeply(\@fmt, [], 'no SQL assembled with printf');

my $lib = OCH::Stack::builddir() . '/lib/libcore.a';
my @syms = grep { /^[0-9a-f]*\s+[TDBRC]\s+(\S+)/ } `nm -g --defined-only '$lib' 2>/dev/null`;
ok(@syms > 20, 'library symbols listed');
my $prefixes = qr/^(?:err_|x[a-z]|buf_|log_|cfg_|db_|req_|resp_|srv_|auth_|cry_|tok_|valid_|hmac_|hcl_|hz_|cf_|rs_|wh_|inst_|audit_|js_|tpl_|recon_|obx_|ud_|agent_|sess_|prom_|met_|alert_|stats_|fleet_|s3_|bak_|view_|pool_|snap_|ent_)/;
# (ASan marks each exported variable with an __odr_asan.<name> symbol)
my @bad = grep { !/$prefixes/ && !/^__odr_asan/ } map { /\s(\S+)$/ ? $1 : () } @syms;
is_deeply(\@bad, [], 'every exported symbol has a module prefix');

# Size: no C file of lib/ or cgi-bin/ over 800 lines, no function of a
# FastCGI binary over 60 (a handler reads in one screen).  The files and
# functions named here were over before the rule; each may shrink, none
# may grow, and one that shrinks under the limit leaves the list.
my %file_cap = ('lib/hetzner.c' => 972);
my %fn_cap = ();
my (@long, @longfn, %seen);
for my $f (map { glob "$src/$_/*.c" } qw(lib cgi-bin)) {
	(my $rel = $f) =~ s{^\Q$src\E/}{};
	open my $fh, '<', $f or die "$f: $!";
	my @l = <$fh>;
	close $fh;
	my $cap = $file_cap{$rel} // 800;
	push @long, "$rel: " . scalar(@l) . " lines (at most $cap)" if @l > $cap;
	next unless $rel =~ m{^cgi-bin/};
	my ($name, $start);
	for my $i (0 .. $#l) {
		($name, $start) = ($1, $i) if $l[$i] =~ /^([a-z_][a-z0-9_]*)\(/;
		next unless defined $name && $l[$i] =~ /^\}/;
		my ($key, $n) = ("$rel $name", $i - $start);
		$seen{$key} = $n;
		my $max = $fn_cap{$key} // 60;
		push @longfn, "$key: $n lines (at most $max)" if $n > $max;
		undef $name;
	}
}
is_deeply(\@long, [], 'no C file of lib/ or cgi-bin/ over its size');
is_deeply(\@longfn, [], 'no function of cgi-bin/ over 60 lines (or its old size)');
my @shrunk = grep { !defined $seen{$_} || $seen{$_} <= 60 } sort keys %fn_cap;
is_deeply(\@shrunk, [], 'the list of long functions names only long ones');

# The typed data layer (lib/ent.h, lib/inst.h) owns every statement's
# rows: no FastCGI binary reads a result (PGresult, PQ*, db_val ...)
# itself.  The files named here still did when the rule came; each may
# shrink, none may grow, and one that reaches 0 leaves the list.
my %rows_cap = ('cgi-bin/admin_fleet.c' => 40, 'cgi-bin/admin_plans.c' => 26,
    'cgi-bin/admin_skills.c' => 3, 'cgi-bin/admin_util.c' => 9,
    'cgi-bin/alerts.c' => 23, 'cgi-bin/backups.c' => 45,
    'cgi-bin/health.c' => 7, 'cgi-bin/health_metrics.c' => 8,
    'cgi-bin/metrics.c' => 21, 'cgi-bin/webhooks.c' => 5);
my (@rows, %rows_seen);
for my $f (glob "$src/cgi-bin/*.c") {
	(my $rel = $f) =~ s{^\Q$src\E/}{};
	my $c = do { local (@ARGV, $/) = $f; <> };
	my $n = () = $c =~ /\b(?:PGresult|PQ[a-z]+|db_(?:val|int|dup|dup_empty|bool|exec))\b/g;
	$rows_seen{$rel} = $n;
	my $max = $rows_cap{$rel} // 0;
	push @rows, "$rel: $n reads of a result (at most $max)" if $n > $max;
}
is_deeply(\@rows, [], 'no file of cgi-bin/ reads a result: lib/ent_*.c hands back structs');
is_deeply([ grep { !$rows_seen{$_} } sort keys %rows_cap ], [],
    'the list of files that read results names only those that still do');

# och-cloudsim is a program of its own: its files and its symbols' prefixes
# are not the product's (it compiles only lib/och.c and lib/log.c)
my %ours = map { m{/([^/]+)$} ? ($1 => 1) : () } map { glob "$src/$_/*.[ch]" } qw(lib cgi-bin poller tools);
is_deeply([ grep { $ours{$_} } map { m{/([^/]+)$} } glob "$src/sim/*.[ch]" ], [], 'no file of sim/ shares a name with one of the product');
my $b = OCH::Stack::builddir();
my @simo = grep { -e } map { m{/([^/]+)\.c$} ? "$b/sim/och_cloudsim-$1.o" : () } glob "$src/sim/*.c";
SKIP: {
	skip 'och-cloudsim not built (./configure --disable-sim)', 2 unless @simo;
	my $pre = sub { map { /\s[TDBRC]\s+([A-Za-z0-9]+)/ ? $1 : () } @_ };
	my %lib = map { $_ => 1 } $pre->(@syms);
	my %sim = map { $_ => 1 } $pre->(`nm -g --defined-only @simo 2>/dev/null`);
	ok(keys %sim > 10, 'och-cloudsim symbols listed');
	is_deeply([ sort grep { $lib{$_} } keys %sim ], [], "no symbol prefix of och-cloudsim is one of the library's");
}

done_testing;
