# The instance lifecycle has one home per fact, and every copy agrees:
# the states and their kinds (lib/lifecycle.h) = the instances.state
# CHECK = the instance_states rows (schema/180_lifecycle.sql) = the
# dashboard's generated list, labels and polled states = the WHMCS
# module's labels; the poller's DUE predicate claims exactly the moving
# states; docs/api.md lists exactly the moves of instance_moves.  And the database holds the
# programs (och_app) to those moves: a move not listed is refused with a
# clear error and changes nothing, a listed one goes through, and the
# migration owner may still repair a row by hand.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
sub slurp { my $f = shift; open my $fh, '<', $f or die "$f: $!"; local $/; <$fh> }

# lib/lifecycle.h: X(ENUM, "name", KIND)
my $h = slurp($t->src('lib/lifecycle.h'));
my @c = $h =~ /^\s*X\(\w+,\s*"([a-z]+)",\s*([A-Z]+)\)/mg;
my (@c_names, %c_kind);
while (my ($n, $k) = splice @c, 0, 2) { push @c_names, $n; $c_kind{$n} = lc $k }
ok(@c_names >= 13, scalar(@c_names) . ' states in lib/lifecycle.h');

# the last CHECK (state IN (...)) of the instances table across the
# migrations, in file order (other tables have a state column too)
my @check;
for my $f (sort glob($t->src('schema') . '/[0-9][0-9][0-9]_*.sql')) {
	(my $sql = slurp($f)) =~ s/--[^\n]*//g;
	for my $stmt (grep { /^\s*(?:CREATE|ALTER)\s+TABLE\s+instances\b/i } split /;/, $sql) {
		while ($stmt =~ /CHECK\s*\(\s*state\s+IN\s*\(([^)]*)\)/g) { @check = $1 =~ /'([a-z_]+)'/g }
	}
}
is_deeply(\@check, \@c_names, 'the instances.state CHECK lists the states of lib/lifecycle.h, in order');

my $ts = slurp($t->src('webapp/src/generated/states.ts'));
my ($list) = $ts =~ /INSTANCE_STATES = \[([^\]]*)\]/;
is_deeply([ $list =~ /"([a-z_]+)"/g ], \@c_names, "the dashboard's generated states are the same");

# the dashboard: a label per state in every language, and the states it
# polls while an instance is in one are the moving ones
for my $lang (qw(en de)) {
	my ($st) = slurp($t->src("webapp/src/locales/$lang.ts")) =~ /^  state: \{\n(.*?)^  \},/ms;
	is_deeply([ sort(($st // '') =~ /\b([a-z_]+): '/g) ], [ sort @c_names ], "the dashboard labels every state ($lang)");
}
my ($moving) = slurp($t->src('webapp/src/lib/format.ts')) =~ /export const MOVING = new Set\(\[([^\]]*)\]/;
is_deeply([ sort(($moving // '') =~ /'([a-z_]+)'/g) ], [ sort grep { $c_kind{$_} eq 'moving' } @c_names ],
    'the dashboard polls exactly the moving states');

my $php = slurp($t->src('whmcs-module/modules/servers/openclawhost/lib/Instances.php'));
my ($labels) = $php =~ /function stateLabel\b.*?\$labels = array\((.*?)\);/s;
is_deeply([ sort $labels =~ /^\s*'([a-z_]+)' =>/mg ], [ sort @c_names ], 'the WHMCS module labels every state, and no other');

# the poller claims the moving states (and the stable/failed ones only on an intent)
my $q = slurp($t->src('lib/recon_queue.c'));
my ($due) = $q =~ /#define DUE \\\n\s*"\s*\(i\.state IN \(([^)]*)\)/;
ok(defined $due, 'the DUE predicate found');
is_deeply([ sort(($due // '') =~ /'([a-z_]+)'/g) ], [ sort grep { $c_kind{$_} eq 'moving' } @c_names ],
    'DUE claims exactly the moving states');

$t->start_pg;
my @db = $t->psql('SELECT name, kind FROM instance_states ORDER BY position');
is_deeply([ map { $_->[0] } @db ], \@c_names, 'instance_states: the same states, in order');
is_deeply({ map { $_->[0] => $_->[1] } @db }, \%c_kind, 'instance_states: the same kinds');

# docs/api.md: the moves table between its markers is instance_moves
my @moves = $t->psql("SELECT m.from_state, m.to_state, m.why FROM instance_moves m"
    . " JOIN instance_states f ON f.name = m.from_state JOIN instance_states t ON t.name = m.to_state"
    . " ORDER BY f.position, t.position");
ok(@moves >= 40, scalar(@moves) . ' moves allowed');
my $want = join '', "| from | to | who, when |\n|---|---|---|\n", map { "| `$_->[0]` | `$_->[1]` | $_->[2] |\n" } @moves;
my ($got) = slurp($t->src('docs/api.md')) =~ /<!-- lifecycle moves: begin[^\n]*-->\n(.*?)<!-- lifecycle moves: end -->/s;
is($got, $want, 'docs/api.md lists exactly the moves of instance_moves') or diag("the table should read:\n$want");
my %from = map { $_->[0] => 1 } @moves;
my %to = map { $_->[1] => 1 } @moves;
is_deeply([ grep { $c_kind{$_} ne 'final' && !$from{$_} } @c_names ], [], 'every state but the final one has a way out');
is_deeply([ grep { $_ ne 'pending' && !$to{$_} } @c_names ], [], 'every state but pending has a way in');
ok(!$from{terminated}, 'terminated is final');

# the trigger, as the programs connect (och_app)
$t->psql("INSERT INTO users (email) VALUES ('life\@x.test')");
my $id = $t->psql_one("INSERT INTO instances (slug, user_id, plan, region) SELECT 'life-1', id, 'starter', 'eu-helsinki'"
    . " FROM users WHERE email = 'life\@x.test' RETURNING id");
ok($id, 'an instance (pending)');
sub as_app { my ($sql) = @_; $t->psql("SET ROLE och_app;\n$sql", i => $id) }
ok(!eval { as_app("UPDATE instances SET state = 'active' WHERE id = :'i'"); 1 }, 'pending -> active is refused');
like($@, qr/pending -> active is not a move of the lifecycle/, 'the error names the move');
is($t->psql_one("SELECT state FROM instances WHERE id = :'i'", i => $id), 'pending', 'nothing changed');
ok(eval { as_app("UPDATE instances SET state = 'creating' WHERE id = :'i'"); 1 }, 'pending -> creating goes through') or diag($@);
ok(eval { as_app("UPDATE instances SET last_error = 'x', state = state WHERE id = :'i'"); 1 }, 'an update that keeps the state is not a move');
ok(!eval { as_app("UPDATE instances SET state = 'terminated' WHERE id = :'i'"); 1 }, 'creating -> terminated is refused (terminating first)');
ok(eval { as_app("UPDATE instances SET state = 'terminating' WHERE id = :'i'"); 1 }, 'creating -> terminating goes through');
ok(eval { as_app("UPDATE instances SET state = 'terminated' WHERE id = :'i'"); 1 }, 'terminating -> terminated goes through');
ok(!eval { as_app("UPDATE instances SET state = 'active' WHERE id = :'i'"); 1 }, 'terminated is final for the programs');
ok(eval { $t->psql("UPDATE instances SET state = 'failed' WHERE id = :'i'", i => $id); 1 }, 'the migration owner may repair by hand');
ok(!eval { $t->psql("UPDATE instances SET state = 'exploded' WHERE id = :'i'", i => $id); 1 }, 'an unknown state is refused even then');

done_testing;
