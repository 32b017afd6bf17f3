# ochctl db-backup: a dump that pg_restore brings back into an empty
# database; mode 0600; a failed dump leaves nothing behind; the database
# password reaches pg_dump in its environment, never on its command line.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
$t->start_pg;
my $dir = $t->dir;
$t->psql("INSERT INTO users (email) VALUES ('backup\@x.test')");
my $users = $t->psql_one('SELECT count(*) FROM users');

my ($rc, $out, $err) = $t->ochctl('db-backup', "$dir/och.dump");
is($rc, 0, 'db-backup succeeds') or diag($err);
like($out, qr/wrote \Q$dir\E\/och\.dump/, 'it says where the dump is');
ok(-s "$dir/och.dump", 'the dump is there');
is((stat "$dir/och.dump")[2] & 07777, 0600, 'the dump is mode 0600');
ok(!-e "$dir/och.dump.partial", 'no partial file left');

# restore into a fresh database: the same rows come back
my $pg = $t->{pgdir};
my $bin = $t->{pg_bindir};
system("$bin/psql", '-X', '-q', '-h', $pg, '-U', 'och', '-d', 'postgres', '-c', 'CREATE DATABASE och_restored') == 0
    or BAIL_OUT('createdb');
$t->_capture([ "$bin/pg_restore", '--no-owner', '-h', $pg, '-U', 'och', '-d', 'och_restored', "$dir/och.dump" ], \$err);
is($?, 0, 'pg_restore accepts the dump') or diag($err);
chomp(my $back = `'$bin/psql' -X -A -t -h '$pg' -U och -d och_restored -c "SELECT count(*) FROM users WHERE email = 'backup\@x.test'"`);
is($back, 1, 'the restored database holds the row');
chomp(my $n = `'$bin/psql' -X -A -t -h '$pg' -U och -d och_restored -c 'SELECT count(*) FROM users'`);
is($n, $users, 'and every user');

# a dump that fails (no such database) leaves nothing
{
	my $bad = "postgresql:///nosuchdb?host=$pg&user=och";
	my $o = $t->_capture([ $t->bin('tools/ochctl'), 'db-backup', "$dir/bad.dump" ], \my $e,
	    $t->env, DATABASE_URL => $bad);
	isnt($? >> 8, 0, 'a failing pg_dump fails db-backup');
	like($e, qr/pg_dump failed/, 'and says so');
	ok(!-e "$dir/bad.dump" && !-e "$dir/bad.dump.partial", 'and leaves no file');
}
($rc, $out, $err) = $t->ochctl('db-backup');
is($rc, 2, 'no file: usage error');
($rc, $out, $err) = $t->ochctl('db-backup', "$dir/no/such/dir/x.dump");
is($rc, 1, 'an unwritable path fails');
ok(!-e "$dir/no", 'and creates nothing');

# the password never reaches pg_dump's argv: a pg_dump that records what
# it was given stands in front of the real one on PATH
mkdir "$dir/fakebin";
open my $fh, '>', "$dir/fakebin/pg_dump" or die $!;
print $fh "#!/bin/sh\nprintf '%s\\n' \"\$@\" >'$dir/argv'\nprintf '%s|%s|%s\\n' \"\$PGPASSWORD\" \"\$PGUSER\" \"\$PGDATABASE\" >'$dir/env'\n"
    . "while [ \$# -gt 0 ]; do if [ \"\$1\" = --file ]; then echo dump >\"\$2\"; fi; shift; done\n";
close $fh;
chmod 0755, "$dir/fakebin/pg_dump";
my $o = $t->_capture([ $t->bin('tools/ochctl'), 'db-backup', "$dir/pw.dump" ], \my $e,
    $t->env, PATH => "$dir/fakebin:$ENV{PATH}",
    DATABASE_URL => 'postgresql://alice:s3cret-pw@127.0.0.1:1/somedb');
is($? >> 8, 0, 'db-backup with a password in the URL') or diag($e);
my $argv = do { local (@ARGV, $/) = ("$dir/argv"); <> } // '';
unlike($argv, qr/s3cret-pw/, 'the password is not on the command line');
unlike($argv, qr/alice|somedb/, 'nor the rest of the URL');
my $env = do { local (@ARGV, $/) = ("$dir/env"); <> } // '';
is($env, "s3cret-pw|alice|somedb\n", 'pg_dump gets them as PGPASSWORD, PGUSER, PGDATABASE');
$t->done_testing;
