# Names the C code and the schema must agree on, that no compiler checks:
#  - every prepared statement's name (struct db_stmt, prepared on first
#    use under that name) is unique across lib/, cgi-bin/, poller/ and
#    tools/: two statements of one name would meet on one connection;
#  - every NOTIFY channel someone LISTENs on (C: LISTEN, db_listen through
#    srv_park_ops) is notified by a schema trigger or the C code, and every
#    channel notified is listened on;
#  - no function or variable the static library (or one of ochctl's files)
#    exports is used by its own object file only (it is static, or it goes).
# The sources are read as the compiler sees them (cc -E), so names that
# macros build are found too.  (The email templates have their own
# contract test, t/313.)
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $src = OCH::Stack::srcdir();
my $b = OCH::Stack::builddir();
my @pc = qw(libpq libcurl libcjson libjwt libcrypto);
chomp(my $pcflags = `pkg-config --cflags @pc`);
is($?, 0, 'pkg-config knows the product\'s libraries');

# Every C file as preprocessed, the project's own lines only, each run of
# them headed by "\x01origin\x01", adjacent string literals joined.
my @files = map { glob "$src/$_/*.c" } qw(lib cgi-bin poller tools);
ok(@files > 50, scalar(@files) . ' C files');
my (%stmt, %hdr, $all);
for my $f (@files) {
	my $out = `cc -E -D_GNU_SOURCE -DOCH_VERSION='"0"' -DOCH_SYSCONFDIR='"/etc"' -DOCH_PKGDATADIR='"/usr/share"' -I'$src/lib' -I'$src/cgi-bin' -I'$src/poller' -I'$src/tools' $pcflags '$f' 2>&1`;
	is($?, 0, "cc -E $f") or diag $out;
	my ($text, $ours) = ('', 0);
	for my $l (split /\n/, $out) {
		if ($l =~ /^# \d+ "([^"]+)"/) {
			my $o = $1;
			$ours = index($o, "$src/") == 0;
			$o =~ s{^\Q$src\E/}{};
			$text .= "\x01$o\x01\n" if $ours;
			next;
		}
		$text .= "$l\n" if $ours;
	}
	$text =~ s/"\s*(?:\x01[^\x01]*\x01\s*)?"//g;
	$all .= $text;
	(my $rel = $f) =~ s{^\Q$src\E/}{};
	# statements: { "name", "SQL..." }; one in a header counts once
	while ($text =~ /\{\s*"([A-Za-z0-9_]+)"\s*,\s*"\s*\(?\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|LOCK|VALUES)\b/gi) {
		my $name = $1;
		my ($origin) = substr($text, 0, $-[0]) =~ /.*\x01([^\x01\n]*)\x01/s;
		next if $origin ne $rel && $hdr{"$origin $name"}++;
		push @{ $stmt{$name} }, $origin;
	}
}
ok(keys(%stmt) > 150, scalar(keys %stmt) . ' statement names found');
ok($stmt{migrate_lock} && $stmt{user_create_admin}, 'ochctl\'s among them');
my @dup = map { "$_: " . join(', ', @{ $stmt{$_} }) } grep { @{ $stmt{$_} } > 1 } sort keys %stmt;
is_deeply(\@dup, [], 'every statement name is used once');

# NOTIFY channels
my (%notified, %listened);
while ($all =~ /pg_notify\('([a-z_]+)'/g) { $notified{$1}{C} = 1 }
while ($all =~ /"LISTEN ([a-z_]+)"/g) { $listened{$1} = 1 }
while ($all =~ /struct srv_park_ops\s+\w+\s*=\s*\{\s*"([a-z_]+)"/g) { $listened{$1} = 1 }
for my $f (glob "$src/schema/*.sql") {
	my $sql = do { local (@ARGV, $/) = $f; <> };
	$sql =~ s/--[^\n]*//g;
	(my $rel = $f) =~ s{^\Q$src\E/}{};
	$notified{$1}{$rel} = 1 while $sql =~ /pg_notify\s*\(\s*'([a-z_]+)'/gi;
	$notified{$1}{$rel} = 1 while $sql =~ /\bNOTIFY\s+([a-z_]+)/gi;
}
ok($listened{och_agent} && $listened{och_provision}, 'channels listened on: ' . join(', ', sort keys %listened));
ok(scalar(grep { grep { $_ ne 'C' } keys %$_ } values %notified), 'a schema trigger among the notifiers');
is_deeply([ grep { !$notified{$_} } sort keys %listened ], [], 'every channel listened on is notified');
is_deeply([ grep { !$listened{$_} } sort keys %notified ], [], 'every channel notified is listened on');

# dead exports: a symbol libcore.a defines that no other object uses (the
# library's other members, the binaries, the unit tests and fuzz harnesses;
# a function only the tests call still counts: they test the interface)
my $lib = "$b/lib/libcore.a";
my (%def, %used);
for (`nm -A '$lib' 2>/dev/null`) {
	next unless /^[^:]+:([^:]+\.o):\s*(?:[0-9a-f]+)?\s+([A-Za-z])\s+(\S+)$/;
	my ($o, $k, $s) = ($1, $2, $3);
	next if $s =~ /^__odr_asan/;	# ASan's marker beside an exported variable
	if ($k =~ /[TDBRC]/) { $def{$s} = $o }
	elsif ($k eq 'U') { $used{$s}{$o} = 1 }
}
ok(keys(%def) > 100, scalar(keys %def) . ' symbols the library exports');
my @objs = grep { !m{/sim/} && !m{/lib/} } split /\n/, `find '$b' -name '*.o'`;
ok(@objs > 20, scalar(@objs) . ' objects outside the library');
for my $o (@objs) {
	for (`nm -u '$o' 2>/dev/null`) { $used{$1}{$o} = 1 if /\sU\s+(\S+)$/ }
}
# the fuzz harnesses are built in their own clang tree: read their sources
for my $f (glob "$src/fuzz/*.c") {
	my $c = do { local (@ARGV, $/) = $f; <> };
	$used{$1}{$f} = 1 while $c =~ /\b([a-z][a-z0-9_]*)\s*\(/g;
}
my @dead = sort map { "$def{$_}: $_" } grep { my $s = $_; !grep { $_ ne $def{$s} } keys %{ $used{$s} // {} } } keys %def;
is_deeply(\@dead, [], 'every symbol the library exports is used outside its own file');

# ochctl's command files: each exported function is called from another
# of its files (a command left out of ochctl.c's table would be dead code)
my (%cdef, %cuse);
for my $o (grep { -f } map { m{/([^/]+)\.c$} ? "$b/tools/$1.o" : () } glob "$src/tools/{ochctl,ctl_*}.c") {
	for (`nm '$o' 2>/dev/null`) {
		$cdef{$1} = $o if /\s[TDBR]\s+(\S+)$/;
		$cuse{$1}{$o} = 1 if /\sU\s+(\S+)$/;
	}
}
ok(exists $cdef{ctl_image} && exists $cdef{main}, scalar(keys %cdef) . ' symbols of ochctl\'s files');
delete $cdef{main};
my @cdead = sort grep { my $s = $_; !grep { $_ ne $cdef{$s} } keys %{ $cuse{$s} // {} } } keys %cdef;
is_deeply(\@cdead, [], 'every command function ochctl\'s files export is called from another of them');

done_testing;
